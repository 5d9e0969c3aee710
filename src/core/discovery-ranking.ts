/**
 * Ranking for discovery, pure: the search score (text relevance + log(views) + freshness), trending (views
 * velocity: hourly views with exponential decay) and the recommendation ranking stage (weighted, explained
 * features over the candidates, then a per-channel cap for diversity).
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** log-scaled popularity in 0..1 (1 at a million views). */
export function popularity(views: number): number {
  return Math.min(1, Math.log10(1 + Math.max(0, views)) / 6);
}

/** 1 when just published, halving every `halfLifeDays`. */
export function freshness(publishedAt: number, now: number, halfLifeDays: number): number {
  const age = Math.max(0, now - publishedAt) / DAY_MS;
  return 0.5 ** (age / halfLifeDays);
}

export interface SearchWeights {
  text: number;
  popularity: number;
  freshness: number;
  freshnessHalfLifeDays: number;
}

/** Text relevance dominates: a much better text match is never outranked by views or age alone. */
export const SEARCH_WEIGHTS: SearchWeights = { text: 1, popularity: 0.25, freshness: 0.15, freshnessHalfLifeDays: 30 };

export interface SearchCandidate {
  videoId: string;
  /** the index's text relevance, higher is better (any positive scale) */
  relevance: number;
  views: number;
  publishedAt: number;
}

export interface ScoredSearchHit extends SearchCandidate {
  score: number;
  parts: { text: number; popularity: number; freshness: number };
}

/** Orders search candidates by the combined score; relevance is normalized by the best one in the set. */
export function rankSearch(cands: SearchCandidate[], now: number, w: SearchWeights = SEARCH_WEIGHTS): ScoredSearchHit[] {
  const maxRel = Math.max(0, ...cands.map((c) => c.relevance));
  return cands
    .map((c) => {
      const parts = {
        text: w.text * (maxRel > 0 ? Math.max(0, c.relevance) / maxRel : 0),
        popularity: w.popularity * popularity(c.views),
        freshness: w.freshness * freshness(c.publishedAt, now, w.freshnessHalfLifeDays),
      };
      return { ...c, parts, score: parts.text + parts.popularity + parts.freshness };
    })
    .sort((a, b) => b.score - a.score || b.publishedAt - a.publishedAt || (a.videoId < b.videoId ? -1 : 1));
}

/** Trending score of one video: its hourly views, each hour weighted 0.5^(age / half-life). */
export function trendingScore(hours: Array<{ hour: number; views: number }>, now: number, halfLifeHours = 6): number {
  let s = 0;
  for (const h of hours) s += h.views * 0.5 ** (Math.max(0, now - h.hour - HOUR_MS) / HOUR_MS / halfLifeHours);
  return s;
}

export type Source = 'cowatch' | 'similar' | 'sameChannel' | 'subscribed' | 'trending' | 'popularity' | 'freshness';

export type RecommendWeights = Record<Source, number> & { freshnessHalfLifeDays: number };

/** tuned with bench/recommend-eval.ts (hit rate@10 on the synthetic log; see docs/benchmarks.md) */
export const RECOMMEND_WEIGHTS: RecommendWeights = {
  cowatch: 1,
  similar: 0.5,
  sameChannel: 0.6,
  subscribed: 0.4,
  trending: 0.3,
  popularity: 0.3,
  freshness: 0.1,
  freshnessHalfLifeDays: 14,
};

export interface RecCandidate {
  videoId: string;
  channelId: string;
  views: number;
  publishedAt: number;
  /** raw signal strength per candidate source (absent = not produced by that source) */
  signals: Partial<Record<'cowatch' | 'similar' | 'sameChannel' | 'subscribed' | 'trending', number>>;
}

export interface Reason {
  source: Source;
  /** the feature in 0..1 (raw signal over the best in the set, or 0/1 flags) */
  value: number;
  weight: number;
  contribution: number;
}

export interface Ranked {
  videoId: string;
  channelId: string;
  score: number;
  reasons: Reason[];
}

export interface RankOptions {
  limit: number;
  now: number;
  /** at most this many videos of one channel, unless there are not enough others */
  maxPerChannel: number;
  exclude?: Set<string>;
  weights?: RecommendWeights;
  /** what each signal is normalized by (default: the best of `cands`); pass signalMaxima of the whole candidate set when ranking a shortlist of it */
  maxima?: SignalMaxima;
}

type Signal = keyof RecCandidate['signals'];
const SIGNAL_KEYS = ['cowatch', 'similar', 'sameChannel', 'subscribed', 'trending'] as const;

export type SignalMaxima = Record<Signal, number>;

/** The best value of each signal among the candidates (0 when none has it). */
export function signalMaxima(cands: Iterable<{ signals: RecCandidate['signals'] }>): SignalMaxima {
  const m: SignalMaxima = { cowatch: 0, similar: 0, sameChannel: 0, subscribed: 0, trending: 0 };
  for (const c of cands) for (const k of SIGNAL_KEYS) m[k] = Math.max(m[k], c.signals[k] ?? 0);
  return m;
}

/**
 * The part of a candidate's score that its candidate sources give (normalized signals × weights), plus popularity and
 * freshness when its views and date are already known: what a shortlist is chosen by before the eligibility gate.
 */
export function signalScore(c: { signals: RecCandidate['signals']; views?: number; publishedAt?: number }, maxima: SignalMaxima, now: number, w: RecommendWeights = RECOMMEND_WEIGHTS): number {
  let s = 0;
  for (const k of SIGNAL_KEYS) {
    const v = c.signals[k];
    if (v !== undefined && v > 0 && maxima[k] > 0) s += w[k] * (v / maxima[k]);
  }
  if (c.views !== undefined) s += w.popularity * popularity(c.views);
  if (c.publishedAt !== undefined) s += w.freshness * freshness(c.publishedAt, now, w.freshnessHalfLifeDays);
  return s;
}

/**
 * Candidates in shortlist order: by signalScore, best first (ties: more views, then id). The eligibility gate and
 * the full ranking then run over the first few only, so their cost does not grow with the number of candidates.
 */
export function shortlistOrder<T extends { videoId: string; signals: RecCandidate['signals']; views?: number; publishedAt?: number }>(cands: T[], now: number, w: RecommendWeights = RECOMMEND_WEIGHTS, maxima: SignalMaxima = signalMaxima(cands)): T[] {
  const scored = cands.map((c) => ({ c, s: signalScore(c, maxima, now, w) }));
  scored.sort((a, b) => b.s - a.s || (b.c.views ?? 0) - (a.c.views ?? 0) || (a.c.videoId < b.c.videoId ? -1 : 1));
  return scored.map((x) => x.c);
}

/** The ranking stage: weighted sum of normalized features, explained; then diversity by channel. */
export function rankRecommendations(cands: RecCandidate[], o: RankOptions): Ranked[] {
  const w = o.weights ?? RECOMMEND_WEIGHTS;
  const pool = cands.filter((c) => !o.exclude?.has(c.videoId));
  const maxima = o.maxima ?? signalMaxima(pool);
  const scored = pool.map((c) => {
    const reasons: Reason[] = [];
    const add = (source: Source, value: number) => {
      if (value > 0 && w[source] > 0) reasons.push({ source, value: round(value), weight: w[source], contribution: round(value * w[source]) });
    };
    for (const k of SIGNAL_KEYS) {
      const v = c.signals[k];
      if (v !== undefined && v > 0 && maxima[k] > 0) add(k, Math.min(1, v / maxima[k]));
    }
    add('popularity', popularity(c.views));
    add('freshness', freshness(c.publishedAt, o.now, w.freshnessHalfLifeDays));
    reasons.sort((a, b) => b.contribution - a.contribution);
    const score = round(reasons.reduce((s, r) => s + r.contribution, 0));
    return { videoId: c.videoId, channelId: c.channelId, score, reasons, publishedAt: c.publishedAt };
  });
  scored.sort((a, b) => b.score - a.score || b.publishedAt - a.publishedAt || (a.videoId < b.videoId ? -1 : 1));
  return diversify(scored, o.limit, o.maxPerChannel).map(({ videoId, channelId, score, reasons }) => ({ videoId, channelId, score, reasons }));
}

/** Greedy in score order with a per-channel cap; the capped ones fill any places left. */
export function diversify<T extends { channelId: string }>(sorted: T[], limit: number, maxPerChannel: number): T[] {
  const out: T[] = [];
  const skipped: T[] = [];
  const perChannel = new Map<string, number>();
  for (const c of sorted) {
    if (out.length >= limit) break;
    const n = perChannel.get(c.channelId) ?? 0;
    if (n >= maxPerChannel) skipped.push(c);
    else {
      out.push(c);
      perChannel.set(c.channelId, n + 1);
    }
  }
  for (const c of skipped) if (out.length < limit) out.push(c);
  return out;
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;
