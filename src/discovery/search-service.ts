/**
 * Search and autocomplete. The index returns the best text matches under the filters; they are re-ranked by
 * text relevance, log(views) and freshness (src/core/discovery-ranking.ts) or sorted by date or views, then
 * hydrated through the videos service (which only ever yields public, ready videos here). Queries that found
 * something are counted (written behind, ./query-log.ts): the popular ones feed autocomplete, next to matching titles.
 */
import { normalizeQuery, words } from '../core/search-query.js';
import { rankSearch, SEARCH_WEIGHTS, type ScoredSearchHit } from '../core/discovery-ranking.js';
import type { VideosService, VideoView } from '../catalog/videos-service.js';
import type { SearchFilters, SearchIndex } from '../ports/search-index.js';
import type { CandidateQueries } from './candidates.js';
import { QueryLog } from './query-log.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export const DURATIONS = { short: [0, 240], medium: [240, 1200], long: [1200, undefined] } as const;
export const UPLOADED = { hour: HOUR_MS, today: DAY_MS, week: 7 * DAY_MS, month: 30 * DAY_MS, year: 365 * DAY_MS } as const;

export interface SearchInput {
  q: string;
  channelId?: string;
  duration?: keyof typeof DURATIONS;
  uploaded?: keyof typeof UPLOADED;
  sort: 'relevance' | 'newest' | 'views';
  limit: number;
  offset: number;
}

export interface SearchOutput {
  items: Array<{ video: VideoView; score: number; parts: ScoredSearchHit['parts'] }>;
  correctedQuery: string | null;
}

export interface Suggestion {
  text: string;
  kind: 'query' | 'title';
  videoId: string | null;
}

export interface SearchOptions {
  now: () => number;
  /** text matches re-ranked per request (the rest is ordered by text relevance alone) */
  candidates: number;
  /** a query is suggested to others once it was asked this many times */
  suggestMinCount: number;
  /** searched queries are written to the query log at most this long after (in one go) */
  queryLogFlushMs: number;
}

export class SearchService {
  private readonly opts: SearchOptions;
  private readonly queryLog: QueryLog;

  constructor(
    private readonly index: SearchIndex,
    private readonly queries: CandidateQueries,
    private readonly videos: VideosService,
    opts: Partial<SearchOptions> = {},
  ) {
    this.opts = { now: Date.now, candidates: 100, suggestMinCount: 2, queryLogFlushMs: 1000, ...opts };
    this.queryLog = new QueryLog(index, this.opts.queryLogFlushMs);
  }

  async search(input: SearchInput): Promise<SearchOutput> {
    const now = this.opts.now();
    const filters: SearchFilters = { channelId: input.channelId };
    if (input.duration) [filters.minDurationSec, filters.maxDurationSec] = [DURATIONS[input.duration][0] || undefined, DURATIONS[input.duration][1]];
    if (input.uploaded) filters.publishedAfter = now - UPLOADED[input.uploaded];
    const want = input.offset + input.limit;
    const { hits, correctedQuery } = await this.index.search(input.q, filters, Math.max(this.opts.candidates, want));
    const views = await this.queries.viewCounts(hits.map((h) => h.videoId));
    let ranked = rankSearch(hits.map((h) => ({ videoId: h.videoId, relevance: h.relevance, publishedAt: h.publishedAt, views: views.get(h.videoId) ?? 0 })), now);
    if (input.sort === 'newest') ranked = ranked.sort((a, b) => b.publishedAt - a.publishedAt);
    if (input.sort === 'views') ranked = ranked.sort((a, b) => b.views - a.views || b.score - a.score);
    const page = ranked.slice(input.offset, want);
    const byId = new Map((await this.videos.listByIds(page.map((h) => h.videoId))).filter((v) => v.status === 'ready' && v.visibility === 'public').map((v) => [v.id, v]));
    const items = page.flatMap((h) => {
      const video = byId.get(h.videoId);
      return video ? [{ video, score: round(h.score), parts: { text: round(h.parts.text), popularity: round(h.parts.popularity), freshness: round(h.parts.freshness) } }] : [];
    });
    const normalized = normalizeQuery(input.q);
    // written behind (./query-log.ts): the answer does not wait for the write
    if (hits.length > 0 && input.offset === 0 && words(normalized).length > 0) this.queryLog.record(normalizeQuery(correctedQuery ?? normalized), now);
    return { items, correctedQuery };
  }

  /** Popular queries starting with the prefix, then titles with words starting with it (most viewed first). */
  async autocomplete(prefix: string, limit: number): Promise<Suggestion[]> {
    const p = normalizeQuery(prefix);
    const [popular, titles] = await Promise.all([this.queryLog.popular(p, limit, this.opts.suggestMinCount), this.index.suggestTitles(prefix, 50)]);
    const views = await this.queries.viewCounts(titles.map((t) => t.videoId));
    titles.sort((a, b) => (views.get(b.videoId) ?? 0) - (views.get(a.videoId) ?? 0));
    const out: Suggestion[] = [];
    const seen = new Set<string>();
    for (const s of [...popular.map((q) => ({ text: q.query, kind: 'query' as const, videoId: null })), ...titles.map((t) => ({ text: t.title, kind: 'title' as const, videoId: t.videoId }))]) {
      const key = normalizeQuery(s.text);
      if (seen.has(key) || out.length >= limit) continue;
      seen.add(key);
      out.push(s);
    }
    return out;
  }
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;
