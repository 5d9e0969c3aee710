/**
 * Keeps the search index equal to the set of searchable videos (public and ready; never unlisted, private, failed,
 * still processing or deleted). The videos service calls `sync` synchronously after every change of metadata,
 * visibility, status or existence, so a published, edited or deleted video is reflected before the call returns;
 * `reconcile` repairs anything a failed sync or another writer left behind (run at start and periodically).
 * Caption tracks (src/captions) are part of the document: changing them calls the same hook (VideosService.touch).
 */
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Db, VideosTable } from '../adapters/db/schema.js';
import type { SearchDocument, SearchIndex } from '../ports/search-index.js';

export function isSearchable(v: Pick<VideosTable, 'status' | 'visibility'>): boolean {
  return v.status === 'ready' && v.visibility === 'public';
}

type Row = Pick<VideosTable, 'id' | 'channel_id' | 'title' | 'description' | 'tags' | 'duration_sec' | 'published_at' | 'created_at' | 'status' | 'visibility'> & { channel_name: string };

export class SearchIndexer {
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    private readonly index: SearchIndex,
    private readonly log: Logger,
  ) {}

  /** For VideosService.onChange: never throws; a failure is logged and repaired by a reconcile a second later. */
  readonly hook = async (videoId: string): Promise<void> => {
    try {
      await this.sync(videoId);
    } catch (err) {
      this.log.warn({ err, videoId }, 'search index update failed; reconciling shortly');
      if (!this.retry) {
        this.retry = setTimeout(() => {
          this.retry = null;
          void this.reconcile().catch((e) => this.log.warn({ err: e }, 'search index reconcile failed'));
        }, 1000);
        this.retry.unref();
      }
    }
  };

  async sync(videoId: string): Promise<void> {
    const row = await this.select().where('videos.id', '=', videoId).executeTakeFirst();
    if (row && isSearchable(row)) await this.index.upsert([toDocument(row, await this.captions([videoId]))]);
    else await this.index.remove([videoId]);
  }

  /** Index searchable videos missing or stale in the index; remove documents of videos no longer searchable. */
  async reconcile(): Promise<{ indexed: number; removed: number }> {
    const stale = await this.select()
      .leftJoin('search_documents', 'search_documents.video_id', 'videos.id')
      .where('videos.status', '=', 'ready')
      .where('videos.visibility', '=', 'public')
      .where((eb) => eb.or([eb('search_documents.video_id', 'is', null), eb('search_documents.indexed_at', '<', eb.ref('videos.updated_at'))]))
      .execute();
    for (let i = 0; i < stale.length; i += 500) {
      const part = stale.slice(i, i + 500);
      const captions = await this.captions(part.map((r) => r.id));
      await this.index.upsert(part.map((r) => toDocument(r, captions)));
    }
    const gone = await this.db
      .selectFrom('search_documents')
      .leftJoin('videos', 'videos.id', 'search_documents.video_id')
      .select('search_documents.video_id')
      .where((eb) => eb.or([eb('videos.id', 'is', null), eb('videos.status', '!=', 'ready'), eb('videos.visibility', '!=', 'public')]))
      .execute();
    await this.index.remove(gone.map((g) => g.video_id));
    return { indexed: stale.length, removed: gone.length };
  }

  /** Caption text of every track of these videos (src/captions), joined per video. */
  private async captions(videoIds: string[]): Promise<Map<string, string>> {
    const rows = await this.db.selectFrom('captions').select(['video_id', 'text']).where('video_id', 'in', videoIds).orderBy('video_id').orderBy('lang').execute();
    const out = new Map<string, string>();
    for (const r of rows) out.set(r.video_id, out.has(r.video_id) ? `${out.get(r.video_id)}\n${r.text}` : r.text);
    return out;
  }

  close(): void {
    if (this.retry) clearTimeout(this.retry);
  }

  private select() {
    return this.db
      .selectFrom('videos')
      .innerJoin('channels', 'channels.id', 'videos.channel_id')
      .select([
        'videos.id',
        'videos.channel_id',
        'videos.title',
        'videos.description',
        'videos.tags',
        'videos.duration_sec',
        'videos.published_at',
        'videos.created_at',
        'videos.status',
        'videos.visibility',
        sql<string>`channels.name`.as('channel_name'),
      ]);
  }
}

function toDocument(r: Row, captions: Map<string, string>): SearchDocument {
  return {
    videoId: r.id,
    channelId: r.channel_id,
    title: r.title,
    description: r.description,
    tags: JSON.parse(r.tags) as string[],
    channelName: r.channel_name,
    captions: captions.get(r.id) ?? '',
    durationSec: r.duration_sec,
    publishedAt: Number(r.published_at ?? r.created_at),
  };
}
