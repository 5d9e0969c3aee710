/**
 * The SQL of recommendations (same queries on SQLite and PostgreSQL): a viewer's recent watches with the candidate
 * lists of the seed videos in one read (co-watch and "similar" from the precomputed tables of ./cowatch.ts and
 * ./similar.ts, the seed channel's top videos), subscriptions, trending hours, popular, and the eligibility gate that
 * every shortlisted candidate passes before ranking (public + ready, not watched by the viewer, with its channel, date and view count).
 */
import { sql } from 'kysely';
import type { Db } from '../adapters/db/schema.js';
import { similarText } from './similar.js';
import { MIN_WATCH_SEC, SHORT_VIDEO_SHARE } from '../core/view-rules.js';

export interface Eligible {
  videoId: string;
  channelId: string;
  publishedAt: number;
  views: number;
}

const NONE = sql.raw('cast(null as double precision)');

export interface CandidateLists {
  /** the viewer's most recent watches, most recent first */
  watched: string[];
  /** the seed video (the one "up next" is for, else the most recent watch), if it exists */
  seed: { videoId: string; channelId: string; text: string } | null;
  /** the seed's precomputed "similar" list; null when it has none yet */
  similar: Map<string, number> | null;
  /** co-watch sums over the seeds */
  cowatch: Map<string, number>;
  /** the seed channel's most viewed public, ready videos */
  sameChannel: Eligible[];
}

export class CandidateQueries {
  /** `db`: where the reads go (DatabaseHandle.reader: SQLite's read connection) */
  constructor(private readonly db: Db) {}

  /**
   * Everything a recommendation reads before the gate, in one query (one round trip to PostgreSQL instead of five):
   * the viewer's most recent watches (view log by `viewerKey`, the account's history past the minimum watch time),
   * the seed video (`videoId`, else the most recent watch) with its channel, text and precomputed "similar" list,
   * the co-watch sums of the seeds (the seed and `seeds` more recent watches) and the seed channel's most viewed videos.
   */
  async candidateLists(o: { viewerKey: string | null; userId: string | null; videoId: string | null; historyLimit: number; seeds: number; cowatchLimit: number; channelLimit: number }): Promise<CandidateLists> {
    const key = o.viewerKey ?? '';
    const user = o.userId ?? '';
    const video = o.videoId ?? '';
    const rows = await sql<{ k: string; id: string; a: number | string | null; b: number | string | null; t1: string | null; t2: string | null; t3: string | null }>`
      with ev as (select video_id, at from view_events where viewer_key = ${key} order by at desc limit ${o.historyLimit}),
      wh as (
        select h.video_id, h.updated_at as at from watch_history h join videos v on v.id = h.video_id
        where h.user_id = ${user} and (h.watched_sec >= ${MIN_WATCH_SEC} or h.watched_sec >= v.duration_sec * ${SHORT_VIDEO_SHARE})
        order by h.updated_at desc limit ${o.historyLimit}),
      hist as (select video_id, max(at) as at from (select video_id, at from ev union all select video_id, at from wh) x group by video_id),
      seed as (select case when ${video} <> '' then ${video} else (select video_id from hist order by at desc, video_id limit 1) end as id),
      seeds as (
        select id as video_id from seed where id is not null
        union select video_id from (select video_id from hist where video_id <> ${video} order by at desc, video_id limit ${o.seeds}) r),
      cw as (
        select other_id, sum(score) as n from video_cowatch
        where video_id in (select video_id from seeds) and other_id not in (select video_id from seeds)
        group by other_id order by n desc, other_id limit ${o.cowatchLimit}),
      sv as (select id, channel_id, title, tags from videos where id = (select id from seed)),
      top as (
        select v.id, v.channel_id, v.published_at, (select sum(c.views) from video_view_counts c where c.video_id = v.id) as views
        from videos v where v.channel_id = (select channel_id from sv) and v.status = 'ready' and v.visibility = 'public'
        order by views desc nulls last, v.published_at desc limit ${o.channelLimit})
      select 'h' as k, video_id as id, cast(at as double precision) as a, cast(null as bigint) as b, cast(null as text) as t1, cast(null as text) as t2, cast(null as text) as t3 from hist
      union all select 's', id, ${NONE}, null, channel_id, title, tags from sv
      union all select 'l', video_id, ${NONE}, null, null, null, null from video_similar_lists where video_id = (select id from seed)
      union all select 'm', other_id, cast(score as double precision), null, null, null, null from video_similar where video_id = (select id from seed)
      union all select 'c', other_id, cast(n as double precision), null, null, null, null from cw
      union all select 't', id, cast(views as double precision), published_at, channel_id, null, null from top`.execute(this.db);
    const watched: Array<[string, number]> = [];
    const out: CandidateLists = { watched: [], seed: null, similar: null, cowatch: new Map(), sameChannel: [] };
    let hasList = false;
    const similar = new Map<string, number>();
    for (const r of rows.rows) {
      if (r.k === 'h') watched.push([r.id, Number(r.a)]);
      else if (r.k === 's') out.seed = { videoId: r.id, channelId: r.t1!, text: similarText(r.t2!, r.t3!) };
      else if (r.k === 'l') hasList = true;
      else if (r.k === 'm') similar.set(r.id, Number(r.a));
      else if (r.k === 'c') out.cowatch.set(r.id, Number(r.a));
      else if (r.k === 't') out.sameChannel.push({ videoId: r.id, channelId: r.t1!, publishedAt: Number(r.b), views: Number(r.a ?? 0) });
    }
    out.watched = watched.sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).map(([id]) => id);
    if (hasList) out.similar = similar;
    out.sameChannel.sort((x, y) => y.views - x.views || y.publishedAt - x.publishedAt);
    return out;
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
