/**
 * Recommendations in two stages. Candidate generation, each source a query run in parallel under one deadline:
 * co-watch (viewers of the seed videos also watched), similar text and tags (the search index), the seed's
 * channel, subscribed channels, trending and popular. Ranking: the pure weighted, explained scoring of
 * src/core/discovery-ranking.ts, after removing what the viewer watched recently and anything not public and
 * ready, with a per-channel cap. A source that fails or misses the deadline is dropped and named in `degraded`;
 * if nothing is left the list falls back to popular videos.
 */
import { rankRecommendations, RECOMMEND_WEIGHTS, shortlistOrder, signalMaxima, type RecCandidate, type Ranked, type Reason, type RecommendWeights } from '../core/discovery-ranking.js';
import type { CurrentUser } from '../accounts/accounts-service.js';
import type { VideosService, VideoView } from '../catalog/videos-service.js';
import type { SearchIndex } from '../ports/search-index.js';
import type { CandidateQueries, Eligible } from './candidates.js';
import type { TrendingService } from './trending-service.js';
import { LruCache, withinDeadline, type StageResult } from './budget.js';
import { similarQuery } from './similar.js';

export interface RecViewer {
  /** signed-in account, if any */
  userId: string | null;
  /** the view-log key of this viewer (account, or anonymous cookie + IP, or IP + user agent) */
  viewerKey: string | null;
}

export interface RecommendOptions {
  now: () => number;
  /** candidate generation must finish within this; later sources are dropped */
  budgetMs: number;
  /** the viewer's most recent watches read per request (seeds, and excluded up front; the gate excludes every other watched video) */
  historyLimit: number;
  /** candidates passed through the gate per round (the best by their source signals; at least twice the list length) */
  shortlist: number;
  weights: RecommendWeights;
  /** how long a seed video's "similar" candidates (and its channel and text) are reused; 0 = never */
  similarCacheMs: number;
}

export const RECOMMEND_DEFAULTS: RecommendOptions = { now: Date.now, budgetMs: 150, historyLimit: 30, shortlist: 40, weights: RECOMMEND_WEIGHTS, similarCacheMs: 300_000 };

type SeedCandidates = { seed: { channelId: string; text: string }; similar: Map<string, number> };

/** reasons that come from a candidate source (popularity and freshness alone mean "popular") */
const SIGNALS = new Set(['cowatch', 'similar', 'sameChannel', 'subscribed', 'trending']);

export type Stage = 'history' | 'cowatch' | 'similar' | 'sameChannel' | 'subscribed' | 'trending' | 'popular' | 'eligibility';

export interface Recommendation {
  ranked: Ranked[];
  /** sources that failed or missed the deadline */
  degraded: Stage[];
  /** true when the list is only popular videos: no candidate source (co-watch, similar, channel, subscriptions, trending) produced anything */
  fallback: boolean;
}

/** true when some channel has more than `max` places (the cap could not be kept with the candidates so far) */
function overCap(ranked: Ranked[], max: number): boolean {
  const n = new Map<string, number>();
  for (const r of ranked) if ((n.set(r.channelId, (n.get(r.channelId) ?? 0) + 1).get(r.channelId) ?? 0) > max) return true;
  return false;
}

export interface RecommendedVideo {
  video: VideoView;
  score: number;
  reasons: Reason[];
}

export class RecommendationsService {
  private readonly opts: RecommendOptions;
  /** per seed video: its channel and text and its "similar" candidates (the same for every viewer) */
  private readonly seedCache: LruCache<string, SeedCandidates>;
  /** per channel: its most viewed videos (the "same channel" candidates) */
  private readonly channelCache: LruCache<string, Eligible[]>;

  constructor(
    private readonly queries: CandidateQueries,
    private readonly index: SearchIndex,
    private readonly trending: TrendingService,
    private readonly videos: VideosService,
    opts: Partial<RecommendOptions> = {},
  ) {
    this.opts = { ...RECOMMEND_DEFAULTS, ...opts };
    this.seedCache = new LruCache(20_000, this.opts.similarCacheMs, this.opts.now);
    this.channelCache = new LruCache(5_000, this.opts.similarCacheMs, this.opts.now);
  }

  /** Home feed: from the viewer's recent watches, subscriptions, trending and popular. */
  async home(viewer: RecViewer, limit: number): Promise<{ items: RecommendedVideo[]; degraded: Stage[]; fallback: boolean }> {
    return this.hydrate(await this.recommend(viewer, { limit }));
  }

  /** "Up next" for a video the viewer may see (404 otherwise). */
  async upNext(videoId: string, user: CurrentUser | null, viewer: RecViewer, limit: number): Promise<{ items: RecommendedVideo[]; degraded: Stage[]; fallback: boolean }> {
    // the visibility check and the recommendation at once (one round trip less); a 404 wins
    const [, rec] = await Promise.all([this.videos.getVisible(videoId, user), this.recommend(viewer, { limit, videoId })]);
    return this.hydrate(rec);
  }

  /** The ranked ids with their reasons (what the endpoints hydrate, and what bench/recommend-eval.ts measures). */
  async recommend(viewer: RecViewer, o: { limit: number; videoId?: string }): Promise<Recommendation> {
    // the wall clock (withinDeadline's), not `now`: that one dates the ranking and may be fixed (benchmarks)
    const deadline = Date.now() + this.opts.budgetMs;
    const degraded: Stage[] = [];
    const stage = async <T>(name: Stage, work: () => Promise<T>, empty: T): Promise<T> => {
      const r: StageResult<T> = await withinDeadline(Promise.resolve().then(work), deadline);
      if (r.ok) return r.value;
      degraded.push(name);
      return empty;
    };

    // the most recent watches only: the seeds, and a first exclusion; the gate below leaves out anything else watched
    const watched = await stage('history', () => this.queries.recentWatches(viewer.viewerKey, viewer.userId, this.opts.historyLimit), [] as string[]);
    const seedVideo = o.videoId ?? watched[0];
    const seeds = o.videoId ? [o.videoId, ...watched.filter((id) => id !== o.videoId).slice(0, 2)] : watched.slice(0, 5);
    const pool = 60;
    const [[seed, sameChannel], cowatch, subscribed, trending, popular] = await Promise.all([
      // the seed's "similar" list and channel, then that channel's top videos
      (async () => {
        const s = seedVideo ? await stage('similar', () => this.seedCandidates(seedVideo), null) : null;
        return [s, s ? await stage('sameChannel', () => this.channelTop(s.seed.channelId), [] as Eligible[]) : []] as const;
      })(),
      stage('cowatch', () => this.queries.coWatched(seeds, pool * 2), new Map<string, number>()),
      stage('subscribed', async () => (viewer.userId ? this.queries.subscribed(viewer.userId, 30) : []), [] as string[]),
      stage('trending', async () => (await this.trending.trending()).slice(0, pool), [] as Array<{ videoId: string; score: number }>),
      stage('popular', async () => (await this.trending.popular()).slice(0, pool), [] as Eligible[]),
    ]);

    const exclude = new Set(watched);
    if (o.videoId) exclude.add(o.videoId);
    type Cand = { videoId: string; signals: RecCandidate['signals']; views?: number; publishedAt?: number };
    const cands = new Map<string, Cand>();
    const cand = (id: string) => {
      let c = cands.get(id);
      if (!c) cands.set(id, (c = { videoId: id, signals: {} }));
      return c;
    };
    const add = (id: string, k: keyof RecCandidate['signals'], v: number) => {
      if (!exclude.has(id)) cand(id).signals[k] = v;
    };
    const known = (e: Eligible) => {
      if (exclude.has(e.videoId)) return;
      const c = cand(e.videoId);
      c.views = e.views;
      c.publishedAt = e.publishedAt;
    };
    for (const [id, n] of cowatch) add(id, 'cowatch', n);
    for (const [id, r] of seed?.similar ?? []) add(id, 'similar', r);
    for (const e of sameChannel) (add(e.videoId, 'sameChannel', Math.log1p(1 + e.views)), known(e));
    for (const id of subscribed) add(id, 'subscribed', 1);
    for (const t of trending) add(t.videoId, 'trending', t.score);
    for (const p of popular) known(p);

    const now = this.opts.now();
    const maxPerChannel = Math.max(2, Math.ceil(o.limit / 4));
    const maxima = signalMaxima(cands.values());
    const rankOpts = { now, maxPerChannel, exclude, weights: this.opts.weights, maxima };
    // the gate (public, ready, not watched by this viewer) and the full ranking run over a shortlist of the best
    // candidates by their source signals, widened while the list is short or one channel has to fill it
    const order = shortlistOrder([...cands.values()], now, this.opts.weights, maxima);
    const step = Math.max(this.opts.shortlist, 2 * o.limit);
    const passed: Eligible[] = [];
    let ranked: Ranked[] = [];
    for (let from = 0; from < order.length; from += step) {
      const ids = order.slice(from, from + step).map((c) => c.videoId);
      passed.push(...(await stage('eligibility', () => this.queries.unwatchedEligible(ids, viewer.viewerKey, viewer.userId), [] as Eligible[])));
      ranked = rankRecommendations(
        passed.map((e) => ({ ...e, signals: cands.get(e.videoId)?.signals ?? {} })),
        { ...rankOpts, limit: o.limit },
      );
      if (ranked.length >= o.limit && !overCap(ranked, maxPerChannel)) break;
      if (Date.now() >= deadline) break;
    }
    if (ranked.length < o.limit) {
      // not enough candidates (new viewer, empty sources, failures): popular videos fill the list
      const have = new Set(ranked.map((r) => r.videoId));
      const fill = (await this.trending.popular().catch(() => [] as Eligible[])).filter((p) => !have.has(p.videoId) && !exclude.has(p.videoId));
      const checked = new Set((await this.queries.unwatchedEligible(fill.map((p) => p.videoId), viewer.viewerKey, viewer.userId).catch(() => fill)).map((e) => e.videoId));
      const rest = rankRecommendations(
        fill.filter((p) => checked.has(p.videoId)).map((p) => ({ ...p, signals: {} })),
        { ...rankOpts, maxima: undefined, limit: o.limit - ranked.length },
      );
      ranked = [...ranked, ...rest];
    }
    const fallback = !ranked.some((r) => r.reasons.some((x) => SIGNALS.has(x.source)));
    return { ranked, degraded: [...new Set(degraded)], fallback };
  }

  /** A seed video's channel and "similar" candidates: the precomputed list, else (a video just published) the index; cached per seed. */
  private async seedCandidates(videoId: string): Promise<SeedCandidates | null> {
    const cacheOn = this.opts.similarCacheMs > 0;
    const hit = cacheOn ? this.seedCache.get(videoId) : undefined;
    if (hit) return hit;
    const [seed, lists] = await Promise.all([this.queries.seedInfo(videoId), this.queries.similarLists([videoId])]);
    if (!seed) return null;
    let similar = lists.get(videoId);
    if (!similar) {
      const q = similarQuery(seed.text);
      const r = q ? await this.index.search(q, {}, 30, { titleAndTags: true }) : { hits: [] };
      similar = new Map(r.hits.map((h) => [h.videoId, h.relevance]));
    }
    const out = { seed, similar };
    if (cacheOn) this.seedCache.set(videoId, out);
    return out;
  }

  /** A channel's most viewed videos (the same for every viewer), cached like the seeds. */
  private async channelTop(channelId: string): Promise<Eligible[]> {
    const cacheOn = this.opts.similarCacheMs > 0;
    const hit = cacheOn ? this.channelCache.get(channelId) : undefined;
    if (hit) return hit;
    const top = await this.queries.sameChannel(channelId, 20);
    if (cacheOn) this.channelCache.set(channelId, top);
    return top;
  }

  private async hydrate(r: Recommendation): Promise<{ items: RecommendedVideo[]; degraded: Stage[]; fallback: boolean }> {
    const views = await this.videos.listByIds(r.ranked.map((x) => x.videoId));
    const byId = new Map(views.filter((v) => v.status === 'ready' && v.visibility === 'public').map((v) => [v.id, v]));
    const items = r.ranked.flatMap((x) => {
      const video = byId.get(x.videoId);
      return video ? [{ video, score: x.score, reasons: x.reasons }] : [];
    });
    return { items, degraded: r.degraded, fallback: r.fallback };
  }
}
