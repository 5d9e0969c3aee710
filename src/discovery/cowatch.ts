/**
 * The item-to-item co-watch table (`video_cowatch`, migration 0012), kept up to date in the background from
 * `view_events`, so a recommendation reads a few precomputed lists instead of sampling viewers at request time.
 *
 * A refresh step reads the view events past the watermark (`discovery_jobs`), oldest first, up to `chunkEvents`
 * of them and never newer than `now - lagMs` (a view batch commits well within that, so no event is skipped),
 * pairs each new watch with the viewer's previous videos (src/core/discovery-cowatch.ts), and in one transaction
 * moves the watermark (only if nobody else did: several processes may run the job), adds the increments and
 * prunes every list that grew past `pruneAbove` back to its best `keep`. The lists hold video ids only:
 * visibility is not decided here, every candidate still passes the eligibility gate (CandidateQueries.eligible).
 *
 * Freshness: a view reaches co-watch within lagMs + the refresh interval (5 s + 30 s by default) while the job
 * keeps up (one tick processes up to `maxStepsPerTick × chunkEvents` events).
 */
import { sql, type Kysely } from 'kysely';
import type { Database, Db } from '../adapters/db/schema.js';
import { COWATCH_PARAMS, cowatchIncrements, cowatchPairs, splitPair, topK, type CowatchParams, type WatchEvent } from '../core/discovery-cowatch.js';

export type CowatchTables = {
  video_cowatch: { video_id: string; other_id: string; score: number; updated_at: number };
  discovery_jobs: { name: string; watermark: number; updated_at: number };
};

export type CowatchDb = Kysely<Database & CowatchTables>;

export interface CowatchOptions extends CowatchParams {
  now: () => number;
  /** events newer than now - lagMs wait for the next run (view batches commit well within this) */
  lagMs: number;
  /** view events per refresh step (one short write transaction each) */
  chunkEvents: number;
  /** refresh steps per call of refresh() (bounds one tick of the background job) */
  maxStepsPerTick: number;
  /** list length kept per video when pruning */
  keep: number;
  /** a list longer than this is pruned back to `keep` (by score, then most recently bumped) */
  pruneAbove: number;
}

export const COWATCH_DEFAULTS: CowatchOptions = {
  ...COWATCH_PARAMS,
  now: Date.now,
  lagMs: 5_000,
  chunkEvents: 5_000,
  maxStepsPerTick: 40,
  keep: 30,
  pruneAbove: 60,
};

export interface RefreshResult {
  /** view events processed */
  events: number;
  /** (video, other) increments written */
  pairs: number;
  /** lists pruned */
  pruned: number;
  /** true when every event up to now - lagMs is in the table */
  caughtUp: boolean;
  watermark: number;
}

class Raced extends Error {}

export class CowatchTable {
  private readonly opts: CowatchOptions;
  private readonly db: CowatchDb;
  private readonly reader: CowatchDb;

  /** `reader`: where request-time reads go (a read connection of its own on SQLite); defaults to `db` */
  constructor(db: Db, opts: Partial<CowatchOptions> = {}, reader?: Db) {
    this.opts = { ...COWATCH_DEFAULTS, ...opts };
    this.db = db.withTables<CowatchTables>();
    this.reader = (reader ?? db).withTables<CowatchTables>();
  }

  /** One video's list, best first (tests, admin). */
  async listOf(videoId: string): Promise<Array<{ otherId: string; score: number }>> {
    const rows = await this.db.selectFrom('video_cowatch').select(['other_id', 'score']).where('video_id', '=', videoId).orderBy('score', 'desc').orderBy('other_id').execute();
    return rows.map((r) => ({ otherId: r.other_id, score: Number(r.score) }));
  }

  async watermark(): Promise<number> {
    const r = await this.db.selectFrom('discovery_jobs').select('watermark').where('name', '=', 'cowatch').executeTakeFirst();
    return Number(r?.watermark ?? 0);
  }

  /** Steps until caught up or `maxStepsPerTick` steps are done. */
  async refresh(o: { lagMs?: number; maxSteps?: number } = {}): Promise<RefreshResult> {
    const total: RefreshResult = { events: 0, pairs: 0, pruned: 0, caughtUp: false, watermark: 0 };
    const steps = o.maxSteps ?? this.opts.maxStepsPerTick;
    for (let i = 0; i < steps; i++) {
      const r = await this.step(o.lagMs ?? this.opts.lagMs);
      total.events += r.events;
      total.pairs += r.pairs;
      total.pruned += r.pruned;
      total.watermark = r.watermark;
      total.caughtUp = r.caughtUp;
      if (r.caughtUp) break;
    }
    return total;
  }

  /**
   * Builds the whole table again from every view event up to now - lagMs, exactly (counts in memory, partitioned
   * so that a pass holds a few million pairs; only each list's best `keep` are written), in one transaction.
   * For a first start over a large log and after changing the parameters; refresh() then continues from there.
   */
  async rebuild(o: { lagMs?: number } = {}): Promise<RefreshResult> {
    const to = this.opts.now() - (o.lagMs ?? this.opts.lagMs);
    const index = new Map<string, number>();
    const names: string[] = [];
    const video: number[] = [];
    const at: number[] = [];
    const viewerStart: number[] = [];
    let last: { viewer_key: string; at: number; video_id: string } | null = null;
    for (;;) {
      let q = this.db.selectFrom('view_events').select(['viewer_key', 'at', 'video_id']).where('at', '<=', to);
      if (last) q = q.where(sql<boolean>`(viewer_key, at, video_id) > (${last.viewer_key}, ${last.at}, ${last.video_id})`);
      const rows = await q.orderBy('viewer_key').orderBy('at').orderBy('video_id').limit(100_000).execute();
      for (const r of rows) {
        if (!last || r.viewer_key !== last.viewer_key) viewerStart.push(video.length);
        let v = index.get(r.video_id);
        if (v === undefined) {
          v = names.length;
          index.set(r.video_id, v);
          names.push(r.video_id);
        }
        video.push(v);
        at.push(Number(r.at));
        last = { viewer_key: r.viewer_key, at: Number(r.at), video_id: r.video_id };
      }
      if (rows.length < 100_000) break;
    }
    viewerStart.push(video.length);
    const n = names.length;
    const forEachPair = (fn: (a: number, b: number) => void) => {
      for (let u = 0; u + 1 < viewerStart.length; u++) cowatchPairs(video, at, viewerStart[u], viewerStart[u + 1], -Infinity, this.opts, fn);
    };
    let total = 0;
    forEachPair(() => total++);
    // both directions of every pair; at most ~4M distinct (video, other) counts in memory per pass
    const passes = Math.max(1, Math.ceil((2 * total) / 4_000_000));
    const now = this.opts.now();
    const rows: Array<{ video_id: string; other_id: string; score: number; updated_at: number }> = [];
    for (let p = 0; p < passes; p++) {
      const counts = new Map<number, number>();
      const bump = (a: number, b: number) => {
        if (a % passes !== p) return;
        const k = a * n + b;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      };
      forEachPair((a, b) => {
        bump(a, b);
        bump(b, a);
      });
      const lists = new Map<number, Array<[number, number]>>();
      for (const [k, c] of counts) {
        const a = Math.floor(k / n);
        let l = lists.get(a);
        if (!l) lists.set(a, (l = []));
        l.push([k - a * n, c]);
      }
      counts.clear();
      for (const [a, l] of lists) for (const [b, c] of topK(l, this.opts.keep)) rows.push({ video_id: names[a], other_id: names[b], score: c, updated_at: now });
    }
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('video_cowatch').execute();
      for (let i = 0; i < rows.length; i += 2000) await tx.insertInto('video_cowatch').values(rows.slice(i, i + 2000)).execute();
      await tx.updateTable('discovery_jobs').set({ watermark: to, updated_at: now }).where('name', '=', 'cowatch').execute();
    });
    return { events: video.length, pairs: 2 * total, pruned: 0, caughtUp: true, watermark: to };
  }

  /** One step: the next chunk of events past the watermark. */
  async step(lagMs: number): Promise<RefreshResult> {
    const from = await this.watermark();
    const upTo = this.opts.now() - lagMs;
    const none = { events: 0, pairs: 0, pruned: 0, caughtUp: true, watermark: from };
    if (upTo <= from) return none;
    // the chunk ends at the `chunkEvents`-th event's time (all events of that millisecond included)
    const edge = await this.db
      .selectFrom('view_events')
      .select('at')
      .where('at', '>', from)
      .where('at', '<=', upTo)
      .orderBy('at')
      .limit(1)
      .offset(this.opts.chunkEvents - 1)
      .executeTakeFirst();
    const to = edge ? Number(edge.at) : upTo;
    const fresh = await this.db
      .selectFrom('view_events')
      .select(['viewer_key', sql<number>`min(at)`.as('first')])
      .where('at', '>', from)
      .where('at', '<=', to)
      .groupBy('viewer_key')
      .execute();
    const increments = new Map<string, number>();
    let events = 0;
    const group = 400;
    for (let i = 0; i < fresh.length; i += group) {
      const part = fresh.slice(i, i + group);
      const since = Math.min(...part.map((r) => Number(r.first))) - this.opts.windowMs;
      const rows = await this.db
        .selectFrom('view_events')
        .select(['viewer_key', 'video_id', 'at'])
        .where(
          'viewer_key',
          'in',
          part.map((r) => r.viewer_key),
        )
        .where('at', '>=', since)
        .where('at', '<=', to)
        .orderBy('viewer_key')
        .orderBy('at')
        .orderBy('video_id')
        .execute();
      let start = 0;
      for (let k = 1; k <= rows.length; k++) {
        if (k < rows.length && rows[k].viewer_key === rows[start].viewer_key) continue;
        const list: WatchEvent[] = rows.slice(start, k).map((r) => ({ videoId: r.video_id, at: Number(r.at) }));
        for (const e of list) if (e.at > from) events++;
        cowatchIncrements(list, from, this.opts, increments);
        start = k;
      }
    }
    const now = this.opts.now();
    const touched = new Set<string>();
    const values = [...increments.entries()].map(([k, n]) => {
      const [video_id, other_id] = splitPair(k);
      touched.add(video_id);
      return { video_id, other_id, score: n, updated_at: now };
    });
    let pruned = 0;
    try {
      await this.db.transaction().execute(async (tx) => {
        // first, so that a concurrent refresh of the same chunk waits here (PostgreSQL row lock, SQLite write
        // lock) and then finds the watermark moved
        const moved = await tx.updateTable('discovery_jobs').set({ watermark: to, updated_at: now }).where('name', '=', 'cowatch').where('watermark', '=', from).executeTakeFirst();
        if (Number(moved.numUpdatedRows) !== 1) throw new Raced();
        for (let i = 0; i < values.length; i += 1000) {
          await tx
            .insertInto('video_cowatch')
            .values(values.slice(i, i + 1000))
            .onConflict((oc) =>
              oc.columns(['video_id', 'other_id']).doUpdateSet({ score: sql`video_cowatch.score + excluded.score`, updated_at: sql`excluded.updated_at` }),
            )
            .execute();
        }
        const ids = [...touched];
        for (let i = 0; i < ids.length; i += 500) {
          const long = await tx
            .selectFrom('video_cowatch')
            .select('video_id')
            .where('video_id', 'in', ids.slice(i, i + 500))
            .groupBy('video_id')
            .having(sql`count(*)`, '>', this.opts.pruneAbove)
            .execute();
          if (long.length === 0) continue;
          pruned += long.length;
          await sql`delete from video_cowatch where (video_id, other_id) in (
              select video_id, other_id from (
                select video_id, other_id, row_number() over (partition by video_id order by score desc, updated_at desc, other_id) as rn
                from video_cowatch where video_id in (${sql.join(long.map((r) => r.video_id))})
              ) ranked where rn > ${this.opts.keep})`.execute(tx);
        }
      });
    } catch (err) {
      if (err instanceof Raced) return { ...none, caughtUp: false, watermark: await this.watermark() };
      throw err;
    }
    return { events, pairs: values.length, pruned, caughtUp: !edge || to >= upTo, watermark: to };
  }
}
