/**
 * The view write path in SQL. One transaction per batch: append the counted views to the log (its primary key
 * (video, viewer, hour) rejects repeats), add each video's new views to one randomly chosen counter shard, add
 * them to the hourly roll-ups and store the signed-in viewers' resume positions. Keys are sorted so concurrent
 * flushes from several processes lock rows in the same order. Reads sum the shards.
 *
 * Two ways to append a batch to the log:
 * - `append` (optimistic, PostgreSQL by default): the views service only sends viewers it has not seen counted
 *   this hour, so the batch is expected to be all new and is streamed with COPY (no per-row conflict handling,
 *   no RETURNING). If any row is already in the log (another process counted it, or this one forgot it), the
 *   primary key fails the COPY, the transaction rolls back and the batch is written again the second way; after
 *   such a conflict the second way is used for `conflictCooldownMs`.
 * - `dedup`: insert … on conflict do nothing returning the keys that were added.
 */
import { CompiledQuery, sql } from 'kysely';
import type { Db } from '../adapters/db/schema.js';
import type { DbDialect } from '../adapters/db/connect.js';
import { dedupKey, pickShard } from '../core/view-rules.js';
import { copyText } from '../core/view-log-copy.js';
import { copyIn } from './views-copy.js';

export interface ViewEvent {
  videoId: string;
  viewerKey: string;
  hour: number;
  at: number;
  userId: string | null;
  country: string;
  device: string;
  watchSec: number;
}

export interface ProgressUpdate {
  userId: string;
  videoId: string;
  positionSec: number;
  watchedSec: number;
  at: number;
}

export type ViewWrite = { kind: 'view'; event: ViewEvent } | { kind: 'progress'; progress: ProgressUpdate };

export interface ViewStoreOptions {
  random: () => number;
  now: () => number;
  /** try the optimistic COPY append first (PostgreSQL only) */
  optimisticAppend: boolean;
  /** after a batch met a view already in the log, how long to use the conflict-checking insert */
  conflictCooldownMs: number;
}

type LogKey = { video_id: string; viewer_key: string; hour: number };

const CHUNK = 500;
/** SQLite: rows per multi-row INSERT; fixed sizes so the prepared statements are reused */
const SQLITE_ROWS = [64, 8, 1];
const LOG_COLUMNS = 'video_id, viewer_key, hour, at, user_id, country, device, watch_sec';
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function chunks<T>(xs: T[], n = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

const sqliteInsert = new Map<number, string>();
function sqliteInsertSql(rows: number): string {
  let text = sqliteInsert.get(rows);
  if (!text) {
    const tuple = '(?, ?, ?, ?, ?, ?, ?, ?)';
    text = `insert into view_events (${LOG_COLUMNS}) values ${Array(rows).fill(tuple).join(', ')} on conflict (video_id, viewer_key, hour) do nothing returning video_id, viewer_key, hour`;
    sqliteInsert.set(rows, text);
  }
  return text;
}

/** The log's primary key refused a row: another writer (or a forgotten earlier report) counted that view. */
function isLogConflict(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  return e?.code === '23505' && e.constraint === 'view_events_pk';
}

export class ViewStore {
  private readonly opts: ViewStoreOptions;
  private conflictUntil = 0;

  constructor(
    private readonly db: Db,
    private readonly dialect: DbDialect,
    opts: Partial<ViewStoreOptions> = {},
  ) {
    this.opts = { random: Math.random, now: Date.now, optimisticAppend: dialect === 'postgres', conflictCooldownMs: 60_000, ...opts };
    if (dialect !== 'postgres') this.opts.optimisticAppend = false;
  }

  /** Commits a batch; for each write, whether it added a view (false for repeats and progress updates). */
  async commit(writes: ViewWrite[]): Promise<boolean[]> {
    const candidates = new Map<string, ViewEvent>();
    const progress = new Map<string, ProgressUpdate>();
    for (const w of writes) {
      if (w.kind === 'view') {
        const k = dedupKey(w.event.videoId, w.event.viewerKey, w.event.hour);
        if (!candidates.has(k)) candidates.set(k, w.event);
      } else progress.set(`${w.progress.userId}|${w.progress.videoId}`, w.progress);
    }
    let inserted: Set<string> | null = null;
    if (this.opts.optimisticAppend && candidates.size > 0 && this.opts.now() >= this.conflictUntil) {
      try {
        inserted = await this.write(candidates, progress, 'append');
      } catch (err) {
        if (!isLogConflict(err)) throw err;
        this.conflictUntil = this.opts.now() + this.opts.conflictCooldownMs;
      }
    }
    inserted ??= await this.write(candidates, progress, 'dedup');
    // a repeat inside one batch: only the first write of a key gets the view
    const granted = new Set<string>();
    return writes.map((w) => {
      if (w.kind !== 'view') return false;
      const k = dedupKey(w.event.videoId, w.event.viewerKey, w.event.hour);
      if (!inserted.has(k) || granted.has(k)) return false;
      granted.add(k);
      return true;
    });
  }

  /** One batch transaction; returns the de-dup keys the log gained. */
  private async write(candidates: Map<string, ViewEvent>, progress: Map<string, ProgressUpdate>, mode: 'append' | 'dedup'): Promise<Set<string>> {
    const inserted = new Set<string>();
    await this.db.transaction().execute(async (tx) => {
      const events = [...candidates.entries()].sort(([a], [b]) => cmp(a, b)).map(([, e]) => e);
      if (mode === 'append') {
        await this.copyEvents(tx as unknown as Db, events);
        for (const k of candidates.keys()) inserted.add(k);
      } else {
        for (const r of await this.appendEvents(tx as unknown as Db, events)) inserted.add(dedupKey(r.video_id, r.viewer_key, Number(r.hour)));
      }
      const perVideo = new Map<string, number>();
      const perHour = new Map<string, { video_id: string; hour: number; country: string; device: string; views: number }>();
      for (const k of inserted) {
        const e = candidates.get(k)!;
        perVideo.set(e.videoId, (perVideo.get(e.videoId) ?? 0) + 1);
        const hk = `${e.videoId}|${e.hour}|${e.country}|${e.device}`;
        const cur = perHour.get(hk);
        if (cur) cur.views++;
        else perHour.set(hk, { video_id: e.videoId, hour: e.hour, country: e.country, device: e.device, views: 1 });
      }
      const counts = [...perVideo.entries()].sort(([a], [b]) => cmp(a, b)).map(([video_id, views]) => ({ video_id, shard: pickShard(this.opts.random), views }));
      for (const part of chunks(counts)) {
        await tx
          .insertInto('video_view_counts')
          .values(part)
          .onConflict((oc) => oc.columns(['video_id', 'shard']).doUpdateSet({ views: sql`video_view_counts.views + excluded.views` }))
          .execute();
      }
      const hourly = [...perHour.entries()].sort(([a], [b]) => cmp(a, b)).map(([, v]) => v);
      for (const part of chunks(hourly)) {
        await tx
          .insertInto('video_view_hourly')
          .values(part)
          .onConflict((oc) => oc.columns(['video_id', 'hour', 'country', 'device']).doUpdateSet({ views: sql`video_view_hourly.views + excluded.views` }))
          .execute();
      }
      const positions = [...progress.entries()].sort(([a], [b]) => cmp(a, b)).map(([, p]) => p);
      for (const part of chunks(positions)) {
        await tx
          .insertInto('watch_history')
          .values(part.map((p) => ({ user_id: p.userId, video_id: p.videoId, position_sec: p.positionSec, watched_sec: p.watchedSec, updated_at: p.at })))
          .onConflict((oc) =>
            oc.columns(['user_id', 'video_id']).doUpdateSet({
              position_sec: sql`excluded.position_sec`,
              watched_sec: sql`excluded.watched_sec`,
              updated_at: sql`excluded.updated_at`,
            }),
          )
          .execute();
      }
    });
    return inserted;
  }

  /** PostgreSQL, optimistic: streams the events into the log; the primary key fails the whole COPY on a repeat. */
  private async copyEvents(tx: Db, events: ViewEvent[]): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map((e) => [e.videoId, e.viewerKey, e.hour, e.at, e.userId, e.country, e.device, e.watchSec]);
    await copyIn(tx, `copy view_events (${LOG_COLUMNS}) from stdin`, copyText(rows));
  }

  /** Appends events to the log, skipping (video, viewer, hour) keys already there; returns the keys it added. */
  private async appendEvents(tx: Db, events: ViewEvent[]): Promise<LogKey[]> {
    const added: LogKey[] = [];
    if (this.dialect === 'postgres') {
      // one array parameter per column: PostgreSQL parses and plans this ~1.5x faster than 8 parameters per row
      for (const part of chunks(events)) {
        const col = <K extends keyof ViewEvent>(k: K) => part.map((e) => e[k]);
        const res = await sql<LogKey>`
          insert into view_events (video_id, viewer_key, hour, at, user_id, country, device, watch_sec)
          select * from unnest(${col('videoId')}::text[], ${col('viewerKey')}::text[], ${col('hour')}::bigint[], ${col('at')}::bigint[],
                               ${col('userId')}::text[], ${col('country')}::text[], ${col('device')}::text[], ${col('watchSec')}::float8[])
          on conflict (video_id, viewer_key, hour) do nothing
          returning video_id, viewer_key, hour`.execute(tx);
        added.push(...res.rows);
      }
      return added;
    }
    // SQLite: raw statements of a few fixed sizes (no query-builder compile; prepared once, then reused)
    let i = 0;
    while (i < events.length) {
      const n = SQLITE_ROWS.find((size) => size <= events.length - i)!;
      const params: unknown[] = [];
      for (let j = i; j < i + n; j++) {
        const e = events[j]!;
        params.push(e.videoId, e.viewerKey, e.hour, e.at, e.userId, e.country, e.device, e.watchSec);
      }
      const res = await tx.executeQuery<LogKey>(CompiledQuery.raw(sqliteInsertSql(n), params));
      for (const r of res.rows) added.push(r);
      i += n;
    }
    return added;
  }

  /** The displayed count: the sum of the video's counter shards. */
  async count(videoId: string): Promise<number> {
    const r = await this.db
      .selectFrom('video_view_counts')
      .select(sql<number>`cast(coalesce(sum(views), 0) as bigint)`.as('n'))
      .where('video_id', '=', videoId)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Views in the log for a video (the source of truth). */
  async logCount(videoId: string): Promise<number> {
    const r = await this.db.selectFrom('view_events').select((eb) => eb.fn.countAll<number>().as('n')).where('video_id', '=', videoId).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /**
   * Rebuilds the video's counters and hourly roll-ups from the log. On PostgreSQL the log is locked against
   * writers (SHARE mode) for the length of the transaction, so a flush from another process can neither be
   * half-seen nor slip in between the count and the rewrite.
   */
  async recount(videoId: string): Promise<{ before: number; after: number }> {
    return this.db.transaction().execute(async (tx) => {
      if (this.dialect === 'postgres') await sql`lock table view_events in share mode`.execute(tx);
      const before = await new ViewStore(tx as unknown as Db, this.dialect, this.opts).count(videoId);
      const after = await new ViewStore(tx as unknown as Db, this.dialect, this.opts).logCount(videoId);
      await tx.deleteFrom('video_view_counts').where('video_id', '=', videoId).execute();
      if (after > 0) await tx.insertInto('video_view_counts').values({ video_id: videoId, shard: 0, views: after }).execute();
      await tx.deleteFrom('video_view_hourly').where('video_id', '=', videoId).execute();
      await tx
        .insertInto('video_view_hourly')
        .columns(['video_id', 'hour', 'country', 'device', 'views'])
        .expression((eb) =>
          eb
            .selectFrom('view_events')
            .select(['video_id', 'hour', 'country', 'device', (e) => e.fn.countAll<number>().as('views')])
            .where('video_id', '=', videoId)
            .groupBy(['video_id', 'hour', 'country', 'device']),
        )
        .execute();
      return { before, after };
    });
  }

  /** Hourly roll-ups of a video since `fromHour`. */
  async hourly(videoId: string, fromHour: number): Promise<Array<{ hour: number; country: string; device: string; views: number }>> {
    const rows = await this.db
      .selectFrom('video_view_hourly')
      .select(['hour', 'country', 'device', 'views'])
      .where('video_id', '=', videoId)
      .where('hour', '>=', fromHour)
      .orderBy('hour')
      .execute();
    return rows.map((r) => ({ hour: Number(r.hour), country: r.country, device: r.device, views: Number(r.views) }));
  }
}
