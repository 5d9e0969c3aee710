/**
 * Captions: the channel owner adds one WebVTT/SRT track per language; viewers who can see the video get the list
 * (and the files through the media origin, under the same tokens as the segments); search indexes the text.
 */
import type { CurrentUser } from '../accounts/accounts-service.js';
import type { Db } from '../adapters/db/schema.js';
import { parseCaptions } from '../core/captions.js';
import { notFound } from '../core/errors.js';
import type { BlobStore } from '../ports/blob-store.js';
import { videoPrefix, type VideosService } from '../catalog/videos-service.js';

export interface CaptionTrack {
  lang: string;
  label: string;
  cues: number;
  /** path of the file under the video's media base (/media/<id>/[t/<token>/]) */
  file: string;
  updatedAt: string;
}

export const captionFile = (lang: string) => `captions/${lang}.vtt`;

export class CaptionsService {
  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly videos: VideosService,
    private readonly now: () => number = Date.now,
  ) {}

  /** Add or replace the track of `lang`. */
  async put(owner: CurrentUser, videoId: string, lang: string, label: string | undefined, content: string): Promise<CaptionTrack> {
    await this.videos.owned(owner, videoId);
    const parsed = parseCaptions(content);
    // the file first: a row never points at a missing file
    await this.blobs.put(videoPrefix(videoId) + captionFile(lang), Buffer.from(parsed.vtt));
    const row = { video_id: videoId, lang, label: label?.trim() || lang, text: parsed.text, cues: parsed.cues.length, updated_at: this.now() };
    await this.db
      .insertInto('captions')
      .values(row)
      .onConflict((oc) => oc.columns(['video_id', 'lang']).doUpdateSet({ label: row.label, text: row.text, cues: row.cues, updated_at: row.updated_at }))
      .execute();
    await this.videos.touch(videoId);
    return toTrack(row);
  }

  async remove(owner: CurrentUser, videoId: string, lang: string): Promise<void> {
    await this.videos.owned(owner, videoId);
    const res = await this.db.deleteFrom('captions').where('video_id', '=', videoId).where('lang', '=', lang).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw notFound('Caption track');
    await this.blobs.delete(videoPrefix(videoId) + captionFile(lang));
    await this.videos.touch(videoId);
  }

  /** Tracks of a video the viewer can see (404 otherwise). */
  async list(videoId: string, viewer: CurrentUser | null): Promise<CaptionTrack[]> {
    await this.videos.getVisible(videoId, viewer);
    return this.tracks(videoId);
  }

  /** Tracks without a visibility check (the caller has done it). */
  async tracks(videoId: string): Promise<CaptionTrack[]> {
    const rows = await this.db.selectFrom('captions').select(['lang', 'label', 'cues', 'updated_at']).where('video_id', '=', videoId).orderBy('lang').execute();
    return rows.map(toTrack);
  }

  /** Every track's text, for the search index. */
  async text(videoId: string): Promise<string> {
    const rows = await this.db.selectFrom('captions').select('text').where('video_id', '=', videoId).orderBy('lang').execute();
    return rows.map((r) => r.text).join('\n');
  }
}

function toTrack(r: { lang: string; label: string; cues: number; updated_at: number }): CaptionTrack {
  return { lang: r.lang, label: r.label, cues: Number(r.cues), file: captionFile(r.lang), updatedAt: new Date(Number(r.updated_at)).toISOString() };
}
