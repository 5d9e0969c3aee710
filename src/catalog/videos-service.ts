/**
 * Videos: metadata, visibility rules, status transitions, deletion. The processing pipeline and the
 * upload layer call into this service; routes only translate HTTP to these calls.
 */
import { randomUUID } from 'node:crypto';
import { AppError, forbidden, notFound } from '../core/errors.js';
import type { Db, VideosTable, Visibility, VideoStatus } from '../adapters/db/schema.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { CurrentUser } from '../accounts/accounts-service.js';

export interface Rendition {
  name: string;
  codec?: 'h264' | 'vp9' | 'av1';
  width: number;
  height: number;
  fps: number;
  codecs: string;
  bandwidth: number;
  averageBandwidth: number;
  playlist: string;
}

export interface VideoView {
  id: string;
  title: string;
  description: string;
  tags: string[];
  visibility: Visibility;
  status: VideoStatus;
  /** true as soon as the opening seconds can be watched, possibly while still processing */
  playable: boolean;
  error: { code: string; message: string } | null;
  progress: number;
  durationSec: number | null;
  width: number | null;
  height: number | null;
  channel: { id: string; handle: string; name: string };
  renditions: Rendition[];
  hlsUrl: string | null;
  /** master playlists per video codec (H.264 always; VP9/AV1 when encoded) */
  manifests: Partial<Record<'h264' | 'vp9' | 'av1', string>>;
  storyboardUrl: string | null;
  thumbnailUrl: string | null;
  watchUrl: string;
  createdAt: string;
  publishedAt: string | null;
  /** views counted so far (acknowledged views are included at once) */
  viewCount: number;
}

export interface VideoMetadata {
  title: string;
  description?: string;
  tags?: string[];
  visibility?: Visibility;
}

type VideoRow = VideosTable & { channel_handle: string; channel_name: string; owner_id: string; view_count?: number | string | null };

export const videoPrefix = (id: string) => `videos/${id}/`;
export const sourceKey = (id: string) => `sources/${id}`;

export class VideosService {
  /** told after a video's metadata, visibility, status or existence changed (the search indexer); must not throw */
  private readonly changeListeners: Array<(videoId: string) => Promise<void>> = [];

  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly now: () => number = Date.now,
  ) {}

  onChange(listener: (videoId: string) => Promise<void>): void {
    this.changeListeners.push(listener);
  }

  /** told which files of a video shared caches must drop (`signed`: also its token-path copies); must not throw */
  private readonly purgeListeners: Array<(videoId: string, files: string[], signed: boolean) => void> = [];
  onPurge(listener: (videoId: string, files: string[], signed: boolean) => void): void {
    this.purgeListeners.push(listener);
  }

  private async purge(id: string, signed: boolean, files?: string[]): Promise<void> {
    if (!this.purgeListeners.length) return;
    const prefix = videoPrefix(id);
    const list = files ?? (await this.blobs.list(prefix)).map((k) => k.slice(prefix.length));
    for (const listener of this.purgeListeners) listener(id, list, signed);
  }

  /**
   * Take a published video down (status removed, the reason shown to its owner) or restore it (ready again).
   * Search and feeds follow at once (listeners); edges drop every copy when it is taken down.
   */
  async setModeration(id: string, to: { status: 'removed'; reason: string } | { status: 'ready'; reason: null }): Promise<void> {
    await this.db
      .updateTable('videos')
      .set(to.status === 'removed' ? { status: 'removed', error_code: 'taken_down', error_message: to.reason, updated_at: this.now() } : { status: 'ready', error_code: null, error_message: null, appeal: null, updated_at: this.now() })
      .where('id', '=', id)
      .execute();
    await this.changed(id);
    if (to.status === 'removed') await this.purge(id, true);
  }

  /** Something the listeners derive from the video changed (e.g. its captions): tell them. */
  touch(id: string): Promise<void> {
    return this.changed(id);
  }

  private async changed(id: string): Promise<void> {
    for (const listener of this.changeListeners) await listener(id);
  }

  async create(owner: CurrentUser, meta: VideoMetadata, traceId: string | null = null): Promise<VideoView> {
    const t = this.now();
    const id = randomUUID();
    await this.db
      .insertInto('videos')
      .values({
        id,
        channel_id: owner.channelId,
        title: meta.title,
        description: meta.description ?? '',
        tags: JSON.stringify(meta.tags ?? []),
        visibility: meta.visibility ?? 'public',
        status: 'uploading',
        error_code: null,
        error_message: null,
        upload_id: null,
        upload_size: null,
        source_key: null,
        duration_sec: null,
        width: null,
        height: null,
        renditions: '[]',
        thumbnail_key: null,
        progress: 0,
        media: null,
        playable_at: null,
        source_sha256: null,
        trace_id: traceId,
        created_at: t,
        updated_at: t,
        published_at: null,
      })
      .execute();
    return (await this.getVisible(id, owner))!;
  }

  private rows() {
    return this.db
      .selectFrom('videos')
      .innerJoin('channels', 'channels.id', 'videos.channel_id')
      .selectAll('videos')
      .select(['channels.handle as channel_handle', 'channels.name as channel_name', 'channels.user_id as owner_id'])
      // the displayed view count: the sum of the video's counter shards (src/engagement/view-store.ts)
      .select((eb) => eb.selectFrom('video_view_counts').select((e) => e.fn.sum<number | string>('video_view_counts.views').as('n')).whereRef('video_view_counts.video_id', '=', 'videos.id').as('view_count'));
  }

  async row(id: string): Promise<VideoRow | undefined> {
    return this.rows().where('videos.id', '=', id).executeTakeFirst();
  }

  /** A video as the viewer may see it; private videos only for their owner. Throws 404 otherwise. */
  async getVisible(id: string, viewer: CurrentUser | null): Promise<VideoView> {
    const row = await this.row(id);
    if (!row || !canView(row, viewer)) throw notFound('Video');
    return toView(row);
  }

  async canView(id: string, viewer: CurrentUser | null): Promise<boolean> {
    const row = await this.row(id);
    return !!row && canView(row, viewer);
  }

  async listPublic(limit: number, before?: number): Promise<VideoView[]> {
    let q = this.rows().where('videos.status', '=', 'ready').where('videos.visibility', '=', 'public');
    if (before) q = q.where('videos.published_at', '<', before);
    const rows = await q.orderBy('videos.published_at', 'desc').limit(limit).execute();
    return rows.map(toView);
  }

  /** Several videos in one query, in the order of `ids` (missing ones left out); callers apply visibility. */
  async listByIds(ids: string[]): Promise<VideoView[]> {
    if (ids.length === 0) return [];
    const rows = await this.rows().where('videos.id', 'in', ids).execute();
    const byId = new Map(rows.map((r) => [r.id, toView(r)]));
    return ids.map((id) => byId.get(id)).filter((v): v is VideoView => v !== undefined);
  }

  /** A channel's public, ready videos, newest first (its page). */
  async listChannel(channelId: string, limit: number, before?: number): Promise<VideoView[]> {
    let q = this.rows().where('videos.channel_id', '=', channelId).where('videos.status', '=', 'ready').where('videos.visibility', '=', 'public');
    if (before) q = q.where('videos.published_at', '<', before);
    const rows = await q.orderBy('videos.published_at', 'desc').limit(limit).execute();
    return rows.map(toView);
  }

  async listMine(owner: CurrentUser): Promise<VideoView[]> {
    const rows = await this.rows().where('videos.channel_id', '=', owner.channelId).orderBy('videos.created_at', 'desc').execute();
    return rows.map(toView);
  }

  async update(owner: CurrentUser, id: string, patch: Partial<VideoMetadata>): Promise<VideoView> {
    const before = await this.owned(owner, id);
    const values: Partial<VideosTable> = { updated_at: this.now() };
    if (patch.title !== undefined) values.title = patch.title;
    if (patch.description !== undefined) values.description = patch.description;
    if (patch.tags !== undefined) values.tags = JSON.stringify(patch.tags);
    if (patch.visibility !== undefined) values.visibility = patch.visibility;
    await this.db.updateTable('videos').set(values).where('id', '=', id).execute();
    await this.changed(id);
    // no longer public: edges must stop serving the public copies at once
    if (before.visibility === 'public' && patch.visibility !== undefined && patch.visibility !== 'public') await this.purge(id, false);
    return this.getVisible(id, owner);
  }

  async owned(owner: CurrentUser, id: string): Promise<VideoRow> {
    const row = await this.row(id);
    if (!row) throw notFound('Video');
    if (row.owner_id !== owner.id) throw canView(row, owner) ? forbidden('Only the channel owner can change this video') : notFound('Video');
    return row;
  }

  /** Removes the video, its tasks and every blob it owns. */
  async delete(owner: CurrentUser, id: string): Promise<{ uploadId: string | null }> {
    const row = await this.owned(owner, id);
    const files = (await this.blobs.list(videoPrefix(id))).map((k) => k.slice(videoPrefix(id).length));
    await this.db.deleteFrom('tasks').where('video_id', '=', id).execute();
    await this.db.deleteFrom('videos').where('id', '=', id).execute();
    await this.changed(id);
    await this.blobs.deletePrefix(videoPrefix(id));
    await this.purge(id, true, files);
    await this.blobs.delete(sourceKey(id));
    return { uploadId: row.upload_id };
  }

  /** Remove a video row that never got past uploading (terminated or expired upload). */
  async deleteRow(id: string): Promise<void> {
    await this.db.deleteFrom('tasks').where('video_id', '=', id).execute();
    await this.db.deleteFrom('videos').where('id', '=', id).execute();
    await this.changed(id);
  }

  /** Videos still waiting for bytes since before `createdBefore` are abandoned: their upload expired. */
  async deleteAbandonedUploads(createdBefore: number): Promise<number> {
    const res = await this.db.deleteFrom('videos').where('status', '=', 'uploading').where('created_at', '<', createdBefore).executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  // ---- transitions used by upload and processing ----

  async attachUpload(videoId: string, uploadId: string, size: number | null): Promise<void> {
    const res = await this.db
      .updateTable('videos')
      .set({ upload_id: uploadId, upload_size: size, updated_at: this.now() })
      .where('id', '=', videoId)
      .where('status', '=', 'uploading')
      .where('upload_id', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new AppError('upload_exists', 'This video already has an upload', 409);
  }

  async byUploadId(uploadId: string): Promise<VideoRow | undefined> {
    return this.rows().where('videos.upload_id', '=', uploadId).executeTakeFirst();
  }

  /**
   * An uploading video's source is complete: it goes to processing. False when it was not uploading any more (an
   * upload is finished once, whichever request or process gets there first).
   */
  async markProcessing(id: string, sourceKeyValue: string): Promise<boolean> {
    const r = await this.db
      .updateTable('videos')
      .set({ status: 'processing', source_key: sourceKeyValue, progress: 0, error_code: null, error_message: null, updated_at: this.now() })
      .where('id', '=', id)
      .where('status', '=', 'uploading')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    await this.changed(id);
    return true;
  }

  async setProgress(id: string, progress: number): Promise<void> {
    await this.db.updateTable('videos').set({ progress, updated_at: this.now() }).where('id', '=', id).where('status', '=', 'processing').execute();
  }

  async setMediaInfo(id: string, info: { durationSec: number; width: number; height: number }): Promise<void> {
    await this.db
      .updateTable('videos')
      .set({ duration_sec: info.durationSec, width: info.width, height: info.height, updated_at: this.now() })
      .where('id', '=', id)
      .execute();
  }

  async setPlan(id: string, plan: unknown): Promise<void> {
    await this.db.updateTable('videos').set({ media: JSON.stringify(plan), updated_at: this.now() }).where('id', '=', id).execute();
  }

  async getPlan<T>(id: string): Promise<T | null> {
    const row = await this.db.selectFrom('videos').select('media').where('id', '=', id).executeTakeFirst();
    return row?.media ? (JSON.parse(row.media) as T) : null;
  }

  async channelPriority(videoId: string): Promise<number> {
    const row = await this.db
      .selectFrom('videos')
      .innerJoin('channels', 'channels.id', 'videos.channel_id')
      .select('channels.priority')
      .where('videos.id', '=', videoId)
      .executeTakeFirst();
    return row?.priority ?? 0;
  }

  /** The opening seconds of the lowest rung exist: the video can be watched while the rest is encoded. */
  async markPlayable(id: string): Promise<boolean> {
    const res = await this.db.updateTable('videos').set({ playable_at: this.now() }).where('id', '=', id).where('playable_at', 'is', null).where('status', '=', 'processing').executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Record packaged renditions, replacing ones of the same name (re-packaging, or a codec added later). */
  async mergeRenditions(id: string, renditions: Rendition[]): Promise<void> {
    const row = await this.db.selectFrom('videos').select('renditions').where('id', '=', id).executeTakeFirst();
    if (!row) return;
    const names = new Set(renditions.map((r) => r.name));
    const merged = [...(JSON.parse(row.renditions) as Rendition[]).filter((r) => !names.has(r.name)), ...renditions];
    await this.db.updateTable('videos').set({ renditions: JSON.stringify(merged), updated_at: this.now() }).where('id', '=', id).execute();
  }

  async markReady(id: string, thumbnailKey: string | null, renditions?: Rendition[]): Promise<void> {
    const t = this.now();
    // a thumbnail the owner chose while the video was processing wins over the generated poster
    const current = (await this.db.selectFrom('videos').select('thumbnail_key').where('id', '=', id).executeTakeFirst())?.thumbnail_key ?? null;
    const thumbnail = current !== null && isCustomThumbnail(id, current) && (await this.blobs.stat(current)) ? current : thumbnailKey;
    const values: Partial<VideosTable> = { status: 'ready', thumbnail_key: thumbnail, progress: 1, published_at: t, updated_at: t };
    if (renditions) values.renditions = JSON.stringify(renditions);
    await this.db.updateTable('videos').set(values).where('id', '=', id).execute();
    await this.changed(id);
  }

  /**
   * Point the video at another thumbnail (a blob under its prefix, or null for none). Shared caches drop the old
   * file (thumbnail files are immutable under their name, so a new one always gets a new name).
   */
  async setThumbnail(id: string, key: string | null): Promise<void> {
    const row = await this.db.selectFrom('videos').select(['thumbnail_key', 'visibility']).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('Video');
    await this.db.updateTable('videos').set({ thumbnail_key: key, updated_at: this.now() }).where('id', '=', id).execute();
    await this.changed(id);
    if (row.thumbnail_key && row.thumbnail_key !== key && row.thumbnail_key.startsWith(videoPrefix(id))) {
      await this.purge(id, row.visibility !== 'public', [row.thumbnail_key.slice(videoPrefix(id).length)]);
    }
  }

  /** After a re-run of a failed task: processing again, error cleared. */
  async resumeProcessing(id: string): Promise<void> {
    await this.db.updateTable('videos').set({ status: 'processing', error_code: null, error_message: null, updated_at: this.now() }).where('id', '=', id).execute();
  }

  async markFailed(id: string, code: string, message: string): Promise<void> {
    await this.db
      .updateTable('videos')
      .set({ status: 'failed', error_code: code, error_message: message, updated_at: this.now() })
      .where('id', '=', id)
      .execute();
    await this.changed(id);
  }

  async clearSourceKey(id: string): Promise<void> {
    await this.db.updateTable('videos').set({ source_key: null }).where('id', '=', id).execute();
  }
}

/** Owners' thumbnails (uploaded or picked from a frame) live here, one file per choice: `videos/<id>/thumbs/<name>.jpg`. */
export const customThumbnailDir = (id: string) => `${videoPrefix(id)}thumbs/`;
export const isCustomThumbnail = (id: string, key: string) => key.startsWith(customThumbnailDir(id));

export function isPlayable(row: Pick<VideosTable, 'status' | 'playable_at'>): boolean {
  return row.status === 'ready' || (row.status === 'processing' && row.playable_at !== null);
}

function canView(row: VideoRow, viewer: CurrentUser | null): boolean {
  if (viewer && viewer.id === row.owner_id) return true;
  if (!isPlayable(row)) return false;
  return row.visibility !== 'private';
}

function manifestsOf(id: string, playable: boolean, renditions: Rendition[]): VideoView['manifests'] {
  if (!playable) return {};
  const out: VideoView['manifests'] = { h264: `/media/${id}/master.m3u8` };
  for (const c of ['vp9', 'av1'] as const) if (renditions.some((r) => r.codec === c)) out[c] = `/media/${id}/master-${c}.m3u8`;
  return out;
}

/**
 * The thumbnail's own file name: a changed thumbnail gets a new URL, so immutable caching never shows a stale one.
 * Custom thumbnails show as soon as the video plays; the generated one once it is ready.
 */
function thumbnailUrlOf(row: VideoRow, ready: boolean, playable: boolean): string | null {
  const key = row.thumbnail_key;
  if (!key) return null;
  const prefix = videoPrefix(row.id);
  if (isCustomThumbnail(row.id, key)) return playable ? `/media/${row.id}/${key.slice(prefix.length)}` : null;
  if (!ready) return null;
  return key.startsWith(prefix) ? `/media/${row.id}/${key.slice(prefix.length)}` : `/media/${row.id}/thumbnail.jpg`;
}

function toView(row: VideoRow): VideoView {
  const ready = row.status === 'ready';
  const playable = isPlayable(row);
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    tags: JSON.parse(row.tags) as string[],
    visibility: row.visibility,
    status: row.status,
    playable,
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
    storyboardUrl: ready ? `/media/${row.id}/storyboard.vtt` : null,
    manifests: manifestsOf(row.id, playable, JSON.parse(row.renditions) as Rendition[]),
    progress: row.progress,
    durationSec: row.duration_sec,
    width: row.width,
    height: row.height,
    channel: { id: row.channel_id, handle: row.channel_handle, name: row.channel_name },
    renditions: JSON.parse(row.renditions) as Rendition[],
    hlsUrl: playable ? `/media/${row.id}/master.m3u8` : null,
    thumbnailUrl: thumbnailUrlOf(row, ready, playable),
    watchUrl: `/watch/${row.id}`,
    createdAt: new Date(row.created_at).toISOString(),
    publishedAt: row.published_at ? new Date(row.published_at).toISOString() : null,
    viewCount: Number(row.view_count ?? 0),
  };
}
