/**
 * Trending (views velocity: the last hours' views, recent hours weighing more) and popular (most viewed of all
 * time). Both are the same for every viewer, so they are computed at most once per `ttlMs` and shared.
 */
import { trendingScore } from '../core/discovery-ranking.js';
import { type CandidateQueries, type Eligible } from './candidates.js';
import { TtlCache } from './budget.js';

const HOUR_MS = 3_600_000;

export interface TrendingOptions {
  now: () => number;
  ttlMs: number;
  /** hours of views looked at */
  windowHours: number;
  /** a view this many hours old counts half */
  halfLifeHours: number;
  /** list length kept */
  size: number;
}

export const TRENDING_DEFAULTS: TrendingOptions = { now: Date.now, ttlMs: 30_000, windowHours: 48, halfLifeHours: 6, size: 200 };

export class TrendingService {
  private readonly opts: TrendingOptions;
  private readonly trendingCache: TtlCache<Array<{ videoId: string; score: number }>>;
  private readonly popularCache: TtlCache<Eligible[]>;

  constructor(
    private readonly queries: CandidateQueries,
    opts: Partial<TrendingOptions> = {},
  ) {
    this.opts = { ...TRENDING_DEFAULTS, ...opts };
    this.trendingCache = new TtlCache(this.opts.ttlMs, () => this.computeTrending(), this.opts.now);
    this.popularCache = new TtlCache(this.opts.ttlMs, () => this.queries.popular(this.opts.size), this.opts.now);
  }

  /** Videos by trending score, highest first (only videos viewed in the window). */
  trending(): Promise<Array<{ videoId: string; score: number }>> {
    return this.trendingCache.get();
  }

  /** Most viewed public, ready videos, then the newest. */
  popular(): Promise<Eligible[]> {
    return this.popularCache.get();
  }

  /** Forget the cached lists (tests, after bulk loads). */
  invalidate(): void {
    this.trendingCache.invalidate();
    this.popularCache.invalidate();
  }

  private async computeTrending(): Promise<Array<{ videoId: string; score: number }>> {
    const now = this.opts.now();
    const since = Math.floor(now / HOUR_MS) * HOUR_MS - (this.opts.windowHours - 1) * HOUR_MS;
    const perVideo = new Map<string, Array<{ hour: number; views: number }>>();
    for (const r of await this.queries.hourlyViews(since)) {
      const list = perVideo.get(r.videoId) ?? [];
      list.push({ hour: r.hour, views: r.views });
      perVideo.set(r.videoId, list);
    }
    return [...perVideo.entries()]
      .map(([videoId, hours]) => ({ videoId, score: Math.round(trendingScore(hours, now, this.opts.halfLifeHours) * 1000) / 1000 }))
      .sort((a, b) => b.score - a.score || (a.videoId < b.videoId ? -1 : 1))
      .slice(0, this.opts.size);
  }
}
