/**
 * Recommendations in two stages. Candidate generation, each source a query run in parallel under one deadline:
 * co-watch (viewers of the seed videos also watched), similar text and tags (the search index), the seed's
 * channel, subscribed channels, trending and popular. Ranking: the pure weighted, explained scoring of
 * src/core/discovery-ranking.ts, after removing what the viewer watched recently and anything not public and
 * ready, with a per-channel cap. A source that fails or misses the deadline is dropped and named in `degraded`;
 * if nothing is left the list falls back to popular videos.
 */
import { formatQuery, twoOf } from '../core/search-query.js';
import { rankRecommendations, RECOMMEND_WEIGHTS, type RecCandidate, type Ranked, type Reason, type RecommendWeights } from '../core/discovery-ranking.js';
import type { CurrentUser } from '../accounts/accounts-service.js';
import type { VideosService, VideoView } from '../catalog/videos-service.js';
import type { SearchIndex } from '../ports/search-index.js';
import type { CandidateQueries, Eligible } from './candidates.js';
import type { TrendingService } from './trending-service.js';
import { LruCache, withinDeadline, type StageResult } from './budget.js';

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
  /** watched videos (most recent) excluded from recommendations */
  historyLimit: number;
  weights: RecommendWeights;
  /** how long a seed video's "similar" candidates (and its channel and text) are reused; 0 = never */
  similarCacheMs: number;
}

export const RECOMMEND_DEFAULTS: RecommendOptions = { now: Date.now, budgetMs: 150, historyLimit: 200, weights: RECOMMEND_WEIGHTS, similarCacheMs: 300_000 };

type SeedCandidates = { seed: { channelId: string; text: string } | null; similar: Map<string, number> };

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

export interface RecommendedVideo {
  video: VideoView;
  score: number;
  reasons: Reason[];
}

export class RecommendationsService {
  private readonly opts: RecommendOptions;
  /** per seed video: its channel and text and its "similar" candidates (the same for every viewer) */
  private readonly seedCache: LruCache<string, SeedCandidates>;

  constructor(
    private readonly queries: CandidateQueries,
    private readonly index: SearchIndex,
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
    await this.videos.getVisible(videoId, user);
    return this.hydrate(await this.recommend(viewer, { limit, videoId }));
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

    const watched = await stage('history', () => this.queries.recentWatches(viewer.viewerKey, viewer.userId, this.opts.historyLimit), [] as string[]);
    const seedVideo = o.videoId ?? watched[0];
    const seeds = o.videoId ? [o.videoId, ...watched.filter((id) => id !== o.videoId).slice(0, 2)] : watched.slice(0, 5);
    const pool = 60;
    // the seed's channel and text, and the videos with similar titles and tags: the same for every viewer, so cached
    // per seed video for a while (visibility is still decided by the gate below)
    const cacheOn = this.opts.similarCacheMs > 0;
    const cached = seedVideo && cacheOn ? this.seedCache.get(seedVideo) : undefined;
    const seed = cached ? cached.seed : seedVideo ? await stage('similar', () => this.queries.seedInfo(seedVideo), null) : null;
    const [cowatch, similar, sameChannel, subscribed, trending, popular] = await Promise.all([
      stage('cowatch', () => this.queries.coWatched(seeds, pool * 2), new Map<string, number>()),
      cached
        ? cached.similar
        : stage(
            'similar',
            async () => {
              if (!seed) return new Map<string, number>();
              const q = formatQuery(twoOf(seed.text, 4)); // tags first (seedInfo): the most specific words; 4 words = 6 pairs
              const r = q ? await this.index.search(q, {}, pool, { titleAndTags: true }) : { hits: [] };
              const found = new Map(r.hits.map((h) => [h.videoId, h.relevance]));
              if (cacheOn && seedVideo) this.seedCache.set(seedVideo, { seed, similar: found });
              return found;
            },
            new Map<string, number>(),
          ),
      stage('sameChannel', async () => (seed ? this.queries.sameChannel(seed.channelId, 20) : new Map<string, number>()), new Map<string, number>()),
      stage('subscribed', async () => (viewer.userId ? this.queries.subscribed(viewer.userId, 30) : []), [] as string[]),
      stage('trending', async () => (await this.trending.trending()).slice(0, pool), [] as Array<{ videoId: string; score: number }>),
      stage('popular', async () => (await this.trending.popular()).slice(0, pool), [] as Eligible[]),
    ]);

    const exclude = new Set(watched);
    if (o.videoId) exclude.add(o.videoId);
    const signals = new Map<string, RecCandidate['signals']>();
    const add = (id: string, k: keyof RecCandidate['signals'], v: number) => {
      if (exclude.has(id)) return;
      const s = signals.get(id) ?? {};
      s[k] = v;
      signals.set(id, s);
    };
    for (const [id, n] of cowatch) add(id, 'cowatch', n);
    for (const [id, r] of similar) add(id, 'similar', r);
    for (const [id, n] of sameChannel) add(id, 'sameChannel', Math.log1p(n));
    for (const id of subscribed) add(id, 'subscribed', 1);
    for (const t of trending) add(t.videoId, 'trending', t.score);
    for (const p of popular) if (!exclude.has(p.videoId) && !signals.has(p.videoId)) signals.set(p.videoId, {});

    const maxPerChannel = Math.max(2, Math.ceil(o.limit / 4));
    const rankOpts = { now: this.opts.now(), maxPerChannel, exclude, weights: this.opts.weights };
    // the gate: only public, ready videos reach ranking (cached lists may be up to a TTL old)
    const eligible = await stage('eligibility', () => this.queries.eligible([...signals.keys()]), [] as Eligible[]);
    let ranked = rankRecommendations(eligible.map((e) => ({ ...e, signals: signals.get(e.videoId) ?? {} })), { ...rankOpts, limit: o.limit });
    if (ranked.length < o.limit) {
      // not enough candidates (new viewer, empty sources, failures): popular videos fill the list
      const have = new Set(ranked.map((r) => r.videoId));
      const fill = (await this.trending.popular().catch(() => [] as Eligible[])).filter((p) => !have.has(p.videoId) && !exclude.has(p.videoId));
      const checked = new Set((await this.queries.eligible(fill.map((p) => p.videoId)).catch(() => fill)).map((e) => e.videoId));
      const rest = rankRecommendations(
        fill.filter((p) => checked.has(p.videoId)).map((p) => ({ ...p, signals: {} })),
        { ...rankOpts, limit: o.limit - ranked.length },
      );
      ranked = [...ranked, ...rest];
    }
    const fallback = !ranked.some((r) => r.reasons.some((x) => SIGNALS.has(x.source)));
    return { ranked, degraded: [...new Set(degraded)], fallback };
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
