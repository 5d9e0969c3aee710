/**
 * Precomputed "similar videos" (`video_similar`, migration 0014): per video, the videos whose title and tags share
 * at least two of its first four title/tag words (src/core/search-query.ts twoOf), by the search index's
 * relevance, best `keep` kept. The same for every viewer, so a recommendation reads one list instead of running a
 * full-text search per request.
 *
 * A background refresh keeps the lists current: videos changed (`videos.updated_at`) past a watermark, at most
 * `lagMs` old (a change commits well within that), are recomputed (or their list dropped when they are no longer
 * public and ready), and so are the lists older than `maxAgeMs` (so that newer videos enter older videos' lists),
 * `agedPerTick` at a time. A video without a list yet (just published) is computed at request time by the caller.
 * The lists hold ids only: every candidate still passes the eligibility gate (visibility is not decided here).
 */
import type { Kysely } from 'kysely';
import type { Database, Db } from '../adapters/db/schema.js';
import type { SearchIndex } from '../ports/search-index.js';
import { formatQuery, twoOf } from '../core/search-query.js';

export type SimilarTables = {
  video_similar: { video_id: string; other_id: string; score: number };
  video_similar_lists: { video_id: string; computed_at: number };
  discovery_jobs: { name: string; watermark: number; updated_at: number };
};

type SimilarDb = Kysely<Database & SimilarTables>;

export interface SimilarOptions {
  now: () => number;
  /** list length kept per video */
  keep: number;
  /** changes newer than now - lagMs wait for the next run */
  lagMs: number;
  /** changed videos handled per refresh step */
  changedPerStep: number;
  /** steps per refresh() call (bounds one tick of the background job) */
  maxStepsPerTick: number;
  /** a list older than this is recomputed */
  maxAgeMs: number;
  /** old lists recomputed per refresh() call */
  agedPerTick: number;
}

export const SIMILAR_DEFAULTS: SimilarOptions = {
  now: Date.now,
  keep: 30,
  lagMs: 5_000,
  changedPerStep: 200,
  maxStepsPerTick: 5,
  maxAgeMs: 86_400_000,
  agedPerTick: 40,
};

/** The title and tags words a video's "similar" query is made of: tags first (the most specific words), then the title. */
export function similarText(title: string, tagsJson: string): string {
  return `${(JSON.parse(tagsJson) as string[]).join(' ')} ${title}`;
}

/** The index query of "similar to this text": pairs of its first 4 words (6 pairs); null if it has no word. */
export function similarQuery(text: string): string | null {
  return formatQuery(twoOf(text, 4)) || null;
}

export interface SimilarRefreshResult {
  /** lists computed (changed or old videos) */
  computed: number;
  /** lists dropped (the video is no longer public and ready, or gone) */
  dropped: number;
  caughtUp: boolean;
  watermark: number;
}

export class SimilarTable {
  private readonly opts: SimilarOptions;
  private readonly db: SimilarDb;
  private readonly reader: SimilarDb;

  /** `reader`: where request-time reads go (SQLite's read connection); defaults to `db` */
  constructor(
    db: Db,
    private readonly index: SearchIndex,
    opts: Partial<SimilarOptions> = {},
    reader?: Db,
  ) {
    this.opts = { ...SIMILAR_DEFAULTS, ...opts };
    this.db = db.withTables<SimilarTables>();
    this.reader = (reader ?? db).withTables<SimilarTables>();
  }

  /** The computed lists of these videos (other video → relevance); a video whose list is not computed yet is absent. */
  async lists(videoIds: string[]): Promise<Map<string, Map<string, number>>> {
    const out = new Map<string, Map<string, number>>();
    if (videoIds.length === 0) return out;
    const rows = await this.reader
      .selectFrom('video_similar_lists as l')
      .leftJoin('video_similar as s', 's.video_id', 'l.video_id')
      .select(['l.video_id', 's.other_id', 's.score'])
      .where('l.video_id', 'in', videoIds)
      .execute();
    for (const r of rows) {
      let m = out.get(r.video_id);
      if (!m) out.set(r.video_id, (m = new Map()));
      if (r.other_id !== null && r.score !== null) m.set(r.other_id, Number(r.score));
    }
    return out;
  }

  /** A video's list from the search index (not stored), from its title and tags; best first, itself left out. */
  async compute(videoId: string, text: string): Promise<Map<string, number>> {
    const q = similarQuery(text);
    if (!q) return new Map();
    const r = await this.index.search(q, {}, this.opts.keep + 1, { titleAndTags: true });
    return new Map(
      r.hits
        .filter((h) => h.videoId !== videoId)
        .slice(0, this.opts.keep)
        .map((h) => [h.videoId, h.relevance]),
    );
  }

  async watermark(): Promise<number> {
    const r = await this.db.selectFrom('discovery_jobs').select('watermark').where('name', '=', 'similar').executeTakeFirst();
    return Number(r?.watermark ?? 0);
  }

  /** Changed videos (up to `maxStepsPerTick` steps) and then up to `agedPerTick` old lists. */
  async refresh(o: { lagMs?: number; maxSteps?: number } = {}): Promise<SimilarRefreshResult> {
    const total: SimilarRefreshResult = { computed: 0, dropped: 0, caughtUp: false, watermark: 0 };
    const steps = o.maxSteps ?? this.opts.maxStepsPerTick;
    for (let i = 0; i < steps; i++) {
      const r = await this.step(o.lagMs ?? this.opts.lagMs);
      total.computed += r.computed;
      total.dropped += r.dropped;
      total.watermark = r.watermark;
      total.caughtUp = r.caughtUp;
      if (r.caughtUp) break;
    }
    const old = await this.db
      .selectFrom('video_similar_lists')
      .select('video_id')
      .where('computed_at', '<', this.opts.now() - this.opts.maxAgeMs)
      .orderBy('computed_at')
      .limit(this.opts.agedPerTick)
      .execute();
    const r = await this.recompute(old.map((x) => x.video_id));
    total.computed += r.computed;
    total.dropped += r.dropped;
    return total;
  }

  /** One step: the next videos changed past the watermark. */
  async step(lagMs: number): Promise<SimilarRefreshResult> {
    const from = await this.watermark();
    const upTo = this.opts.now() - lagMs;
    if (upTo <= from) return { computed: 0, dropped: 0, caughtUp: true, watermark: from };
    // the step ends at the `changedPerStep`-th change's time (every change of that millisecond included)
    const edge = await this.db
      .selectFrom('videos')
      .select('updated_at')
      .where('updated_at', '>', from)
      .where('updated_at', '<=', upTo)
      .orderBy('updated_at')
      .limit(1)
      .offset(this.opts.changedPerStep - 1)
      .executeTakeFirst();
    const to = edge ? Number(edge.updated_at) : upTo;
    const changed = await this.db.selectFrom('videos').select('id').where('updated_at', '>', from).where('updated_at', '<=', to).execute();
    const r = await this.recompute(changed.map((c) => c.id));
    // only if nobody moved it meanwhile (several processes may run the job; recomputing a list twice is harmless)
    await this.db.updateTable('discovery_jobs').set({ watermark: to, updated_at: this.opts.now() }).where('name', '=', 'similar').where('watermark', '=', from).execute();
    return { ...r, caughtUp: !edge || to >= upTo, watermark: to };
  }

  /**
   * Computes the list of every public, ready video that has none (a first start over a large catalogue; the
   * benchmarks), then moves the watermark to now - lagMs. `onProgress` is called after each batch.
   */
  async rebuild(o: { lagMs?: number; onProgress?: (done: number) => void } = {}): Promise<SimilarRefreshResult> {
    const to = this.opts.now() - (o.lagMs ?? this.opts.lagMs);
    const missing = await this.db
      .selectFrom('videos')
      .select('id')
      .where('status', '=', 'ready')
      .where('visibility', '=', 'public')
      .where('id', 'not in', this.db.selectFrom('video_similar_lists').select('video_id'))
      .execute();
    let computed = 0;
    for (let i = 0; i < missing.length; i += 500) {
      computed += (await this.recompute(missing.slice(i, i + 500).map((m) => m.id))).computed;
      o.onProgress?.(computed);
    }
    await this.db.updateTable('discovery_jobs').set({ watermark: to, updated_at: this.opts.now() }).where('name', '=', 'similar').execute();
    return { computed, dropped: 0, caughtUp: true, watermark: to };
  }

  /** Recomputes the lists of these videos from the index; drops those of videos no longer public and ready (or gone). */
  private async recompute(ids: string[]): Promise<{ computed: number; dropped: number }> {
    if (ids.length === 0) return { computed: 0, dropped: 0 };
    const lists: Array<{ videoId: string; list: Map<string, number> }> = [];
    const live = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .selectFrom('videos')
        .select(['id', 'title', 'tags'])
        .where('id', 'in', ids.slice(i, i + 500))
        .where('status', '=', 'ready')
        .where('visibility', '=', 'public')
        .execute();
      for (const r of rows) {
        live.add(r.id);
        lists.push({ videoId: r.id, list: await this.compute(r.id, similarText(r.title, r.tags)) });
      }
    }
    const dropped = ids.filter((id) => !live.has(id));
    const now = this.opts.now();
    await this.db.transaction().execute(async (tx) => {
      for (let i = 0; i < ids.length; i += 500) {
        const part = ids.slice(i, i + 500);
        await tx.deleteFrom('video_similar').where('video_id', 'in', part).execute();
        await tx.deleteFrom('video_similar_lists').where('video_id', 'in', part).execute();
      }
      const rows = lists.flatMap((l) => [...l.list].map(([other, score]) => ({ video_id: l.videoId, other_id: other, score })));
      for (let i = 0; i < rows.length; i += 1000) await tx.insertInto('video_similar').values(rows.slice(i, i + 1000)).execute();
      for (let i = 0; i < lists.length; i += 1000) {
        await tx
          .insertInto('video_similar_lists')
          .values(lists.slice(i, i + 1000).map((l) => ({ video_id: l.videoId, computed_at: now })))
          .execute();
      }
    });
    return { computed: lists.length, dropped: dropped.length };
  }
}
