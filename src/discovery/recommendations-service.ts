/**
 * Recommendations in two stages. Candidate generation under one deadline: one read (CandidateQueries.candidateLists)
 * for the viewer's most recent watches and, for the seed videos, the precomputed co-watch and "similar" lists and the
 * seed's channel's top videos; beside it subscribed channels, trending and popular (cached lists). Ranking: the
 * candidates are ordered by their source signals (src/core/discovery-ranking.ts), and only the best of them pass the
 * gate (public, ready, never watched by this viewer) and the weighted, explained ranking with a per-channel cap; the
 * shortlist widens while the list is short or one channel would have to fill it. So a request's work does not grow
 * with the number of candidates or the length of the viewer's history. A source that fails or misses the deadline is
 * dropped and named in `degraded`; if nothing is left the list falls back to popular videos. */
import { rankRecommendations, RECOMMEND_WEIGHTS, shortlistOrder, signalMaxima, type RecCandidate, type Ranked, type Reason, type RecommendWeights } from '../core/discovery-ranking.js';
import type { CurrentUser } from '../accounts/accounts-service.js';
import type { VideosService, VideoView } from '../catalog/videos-service.js';
import type { CandidateLists, CandidateQueries, Eligible } from './candidates.js';
import type { TrendingService } from './trending-service.js';
import { LruCache, withinDeadline, type StageResult } from './budget.js';
import type { SimilarTable } from './similar.js';

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
  /** how long a seed video's "similar" candidates from the index (no precomputed list yet) are reused; 0 = never */
  similarCacheMs: number;
}

export const RECOMMEND_DEFAULTS: RecommendOptions = { now: Date.now, budgetMs: 150, historyLimit: 30, shortlist: 40, weights: RECOMMEND_WEIGHTS, similarCacheMs: 300_000 };

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
  /** per seed video without a precomputed list: its "similar" candidates from the index (the same for every viewer) */
  private readonly seedCache: LruCache<string, Map<string, number>>;

  constructor(
    private readonly queries: CandidateQueries,
    private readonly similarTable: Pick<SimilarTable, 'compute'>,
    private readonly trending: TrendingService,
    private readonly videos: VideosService,
    opts: Partial<RecommendOptions> = {},
  ) {
    this.opts = { ...RECOMMEND_DEFAULTS, ...opts };
    this.seedCache = new LruCache(20_000, this.opts.similarCacheMs, this.opts.now);
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

    // one read for the viewer's most recent watches (the seeds, and a first exclusion: the gate below leaves out
    // anything else watched), the seed's "similar" list and channel, co-watch and the channel's top videos
    const pool = 60;
    const noLists: CandidateLists = { watched: [], seed: null, similar: null, cowatch: new Map(), sameChannel: [] };
    const [lists, subscribed, trending, popular] = await Promise.all([
      stage(
        'history',
        () =>
          this.queries.candidateLists({
            viewerKey: viewer.viewerKey,
            userId: viewer.userId,
            videoId: o.videoId ?? null,
            historyLimit: this.opts.historyLimit,
            seeds: o.videoId ? 2 : 5,
            cowatchLimit: pool * 2,
            channelLimit: 20,
          }),
        noLists,
      ),
      stage('subscribed', async () => (viewer.userId ? this.queries.subscribed(viewer.userId, 30) : []), [] as string[]),
      stage('trending', async () => (await this.trending.trending()).slice(0, pool), [] as Array<{ videoId: string; score: number }>),
      stage('popular', async () => (await this.trending.popular()).slice(0, pool), [] as Eligible[]),
    ]);
    if (lists === noLists) degraded.push('cowatch', 'similar', 'sameChannel');
    const { watched, seed, cowatch, sameChannel } = lists;
    // a seed without a list yet (published or changed since the last refresh): from the index, cached per seed
    const similar = lists.similar ?? (seed ? await stage('similar', () => this.liveSimilar(seed.videoId, seed.text), new Map<string, number>()) : new Map<string, number>());

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
    for (const [id, r] of similar) add(id, 'similar', r);
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

  /** "Similar" candidates of a video without a precomputed list: computed as the refresh would (SimilarTable.compute), cached per video. */
  private async liveSimilar(videoId: string, text: string): Promise<Map<string, number>> {
    const cacheOn = this.opts.similarCacheMs > 0;
    const hit = cacheOn ? this.seedCache.get(videoId) : undefined;
    if (hit) return hit;
    const similar = await this.similarTable.compute(videoId, text);
    if (cacheOn) this.seedCache.set(videoId, similar);
    return similar;
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
