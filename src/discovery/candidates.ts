/**
 * The SQL of recommendations (same queries on SQLite and PostgreSQL): a viewer's recent watches, the candidate
 * sources (co-watch from the precomputed table of ./cowatch.ts, same channel, subscriptions, trending hours, popular) and the eligibility gate that every
 * candidate passes before ranking (public + ready only, with its channel, date and view count).
 */
import { sql } from 'kysely';
import type { Db } from '../adapters/db/schema.js';
import { CowatchTable } from './cowatch.js';
import { similarText, type SimilarTable } from './similar.js';
import { MIN_WATCH_SEC, SHORT_VIDEO_SHARE } from '../core/view-rules.js';

export interface Eligible {
  videoId: string;
  channelId: string;
  publishedAt: number;
  views: number;
}

export class CandidateQueries {
  private readonly cowatch: CowatchTable;
  private readonly similar: SimilarTable | null;

  /** `db`: where the reads go (DatabaseHandle.reader: SQLite's read connection); `cowatch`, `similar`: the precomputed lists */
  constructor(
    private readonly db: Db,
    o: { cowatch?: CowatchTable; similar?: SimilarTable } = {},
  ) {
    this.cowatch = o.cowatch ?? new CowatchTable(db);
    this.similar = o.similar ?? null;
  }

  /** The viewer's watched videos, most recent first: counted views by viewer key, and what the account watched past the minimum watch time (a video only opened stays recommendable). */
  async recentWatches(viewerKey: string | null, userId: string | null, limit: number): Promise<string[]> {
    const [events, history] = await Promise.all([
      viewerKey
        ? this.db.selectFrom('view_events').select(['video_id', 'at']).where('viewer_key', '=', viewerKey).orderBy('at', 'desc').limit(limit).execute()
        : [],
      userId
        ? this.db
            .selectFrom('watch_history')
            .innerJoin('videos', 'videos.id', 'watch_history.video_id')
            .select(['watch_history.video_id', 'watch_history.updated_at as at'])
            .where('watch_history.user_id', '=', userId)
            // watched, not just opened: past the minimum watch time of a view (10 s, or 30% of a short video)
            .where((eb) => eb.or([eb('watch_history.watched_sec', '>=', MIN_WATCH_SEC), eb('watch_history.watched_sec', '>=', sql<number>`videos.duration_sec * ${SHORT_VIDEO_SHARE}`)]))
            .orderBy('watch_history.updated_at', 'desc')
            .limit(limit)
            .execute()
        : [],
    ]);
    const latest = new Map<string, number>();
    for (const r of [...events, ...history]) latest.set(r.video_id, Math.max(latest.get(r.video_id) ?? 0, Number(r.at)));
    return [...latest.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([id]) => id);
  }

  /** Viewers of the seeds also watched: video → co-watch score summed over the seeds (the precomputed table). */
  coWatched(seeds: string[], limit: number): Promise<Map<string, number>> {
    return this.cowatch.coWatched(seeds, limit);
  }

  /** Title and tags of a video (the text of "similar" candidates) and its channel. */
  async seedInfo(videoId: string): Promise<{ channelId: string; text: string } | null> {
    const r = await this.db.selectFrom('videos').select(['channel_id', 'title', 'tags']).where('id', '=', videoId).executeTakeFirst();
    return r ? { channelId: r.channel_id, text: similarText(r.title, r.tags) } : null;
  }

  /** Precomputed "similar" lists of these videos (./similar.ts); a video without one (or no table given) is absent. */
  async similarLists(videoIds: string[]): Promise<Map<string, Map<string, number>>> {
    return this.similar ? this.similar.lists(videoIds) : new Map();
  }

  /** The channel's most viewed public, ready videos (then the newest), with what ranking needs. */
  async sameChannel(channelId: string, limit: number): Promise<Eligible[]> {
    const rows = await this.public()
      .select(['channel_id', 'published_at'])
      .select((eb) => eb.selectFrom('video_view_counts as c').select(sql<number>`sum(c.views)`.as('n')).whereRef('c.video_id', '=', 'videos.id').as('views'))
      .where('channel_id', '=', channelId)
      .orderBy('views', (ob) => ob.desc().nullsLast())
      .orderBy('published_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ videoId: r.id, channelId: r.channel_id, publishedAt: Number(r.published_at), views: Number(r.views ?? 0) }));
  }

  /** Latest public, ready videos of the channels the account subscribes to. */
  async subscribed(userId: string, limit: number): Promise<string[]> {
    const rows = await this.public()
      .where('channel_id', 'in', this.db.selectFrom('subscriptions').select('channel_id').where('user_id', '=', userId))
      .orderBy('published_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /** Views per video and hour since `sinceHour` (public, ready videos). */
  async hourlyViews(sinceHour: number): Promise<Array<{ videoId: string; hour: number; views: number }>> {
    const rows = await this.db
      .selectFrom('video_view_hourly as h')
      .innerJoin('videos as v', 'v.id', 'h.video_id')
      .select(['h.video_id', 'h.hour', sql<number>`sum(h.views)`.as('views')])
      .where('h.hour', '>=', sinceHour)
      .where('v.status', '=', 'ready')
      .where('v.visibility', '=', 'public')
      .groupBy(['h.video_id', 'h.hour'])
      .execute();
    return rows.map((r) => ({ videoId: r.video_id, hour: Number(r.hour), views: Number(r.views) }));
  }

  /** Most viewed public, ready videos of all time, then the newest ones if there are not enough. */
  async popular(limit: number): Promise<Eligible[]> {
    // the counters summed per video first (in key order), then the most viewed joined to the videos
    const top = this.db
      .selectFrom('video_view_counts')
      .select(['video_id', sql<number>`sum(views)`.as('n')])
      .groupBy('video_id')
      .orderBy('n', 'desc')
      .limit(limit * 4)
      .as('c');
    const rows = await this.db
      .selectFrom(top)
      .innerJoin('videos as v', 'v.id', 'c.video_id')
      .select(['v.id', 'v.channel_id', 'v.published_at', 'c.n as views'])
      .where('v.status', '=', 'ready')
      .where('v.visibility', '=', 'public')
      .orderBy('c.n', 'desc')
      .orderBy('v.published_at', 'desc')
      .limit(limit)
      .execute();
    const out = rows.map((r) => ({ videoId: r.id, channelId: r.channel_id, publishedAt: Number(r.published_at), views: Number(r.views) }));
    if (out.length < limit) {
      const have = new Set(out.map((r) => r.videoId));
      const newest = await this.public().select(['channel_id', 'published_at']).orderBy('published_at', 'desc').limit(limit).execute();
      for (const r of newest) if (out.length < limit && !have.has(r.id)) out.push({ videoId: r.id, channelId: r.channel_id, publishedAt: Number(r.published_at), views: 0 });
    }
    return out;
  }

  /** The gate: of `ids`, the public and ready videos, with what ranking needs. */
  async eligible(ids: string[]): Promise<Eligible[]> {
    if (ids.length === 0) return [];
    const rows = await this.public()
      .select(['channel_id', 'published_at'])
      .select((eb) => eb.selectFrom('video_view_counts as c').select(sql<number>`sum(c.views)`.as('n')).whereRef('c.video_id', '=', 'videos.id').as('views'))
      .where('id', 'in', ids)
      .execute();
    return rows.map((r) => ({ videoId: r.id, channelId: r.channel_id, publishedAt: Number(r.published_at), views: Number(r.views ?? 0) }));
  }

  /**
   * The gate with the viewer's history: of `ids`, the public and ready videos this viewer has not watched (no
   * counted view under its view-log key; for an account, nothing in its history past the minimum watch time).
   * Its cost follows `ids`, not the length of the viewer's history.
   */
  async unwatchedEligible(ids: string[], viewerKey: string | null, userId: string | null): Promise<Eligible[]> {
    if (ids.length === 0) return [];
    let q = this.public()
      .select(['channel_id', 'published_at'])
      .select((eb) => eb.selectFrom('video_view_counts as c').select(sql<number>`sum(c.views)`.as('n')).whereRef('c.video_id', '=', 'videos.id').as('views'))
      .where('id', 'in', ids);
    if (viewerKey) q = q.where(({ not, exists, selectFrom }) => not(exists(selectFrom('view_events as e').select('e.video_id').whereRef('e.video_id', '=', 'videos.id').where('e.viewer_key', '=', viewerKey))));
    if (userId) {
      q = q.where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('watch_history as h')
              .select('h.video_id')
              .where('h.user_id', '=', userId)
              .whereRef('h.video_id', '=', 'videos.id')
              // watched, not just opened: past the minimum watch time of a view (10 s, or 30% of a short video)
              .where((h) => h.or([h('h.watched_sec', '>=', MIN_WATCH_SEC), h('h.watched_sec', '>=', sql<number>`videos.duration_sec * ${SHORT_VIDEO_SHARE}`)])),
          ),
        ),
      );
    }
    const rows = await q.execute();
    return rows.map((r) => ({ videoId: r.id, channelId: r.channel_id, publishedAt: Number(r.published_at), views: Number(r.views ?? 0) }));
  }

  /** Displayed view counts of some videos. */
  async viewCounts(ids: string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('video_view_counts')
      .select(['video_id', sql<number>`sum(views)`.as('n')])
      .where('video_id', 'in', ids)
      .groupBy('video_id')
      .execute();
    return new Map(rows.map((r) => [r.video_id, Number(r.n)]));
  }

  private public() {
    return this.db.selectFrom('videos').select('id').where('status', '=', 'ready').where('visibility', '=', 'public');
  }
}
