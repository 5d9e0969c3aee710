/**
 * The search index: documents of public, ready videos, full-text matching with per-field weights, filters,
 * autocomplete sources (title words, the query log) and typo tolerance. Adapters: SQLite FTS5
 * (src/adapters/search/sqlite-search-index.ts) and PostgreSQL full text (postgres-search-index.ts); both pass
 * test/contract/search-index.test.ts. Which videos belong in the index is the indexer's rule
 * (src/discovery/search-indexer.ts), not the adapter's.
 */

export interface SearchDocument {
  videoId: string;
  channelId: string;
  /** weighted highest */
  title: string;
  description: string;
  tags: string[];
  channelName: string;
  /** caption text of every track (empty while a video has none) */
  captions: string;
  durationSec: number | null;
  publishedAt: number;
}

export interface SearchFilters {
  channelId?: string;
  minDurationSec?: number;
  maxDurationSec?: number;
  publishedAfter?: number;
  publishedBefore?: number;
}

export interface SearchHit {
  videoId: string;
  channelId: string;
  publishedAt: number;
  /** text relevance, higher is better; comparable within one result set only */
  relevance: number;
}

export interface SearchResult {
  /** best text matches first, at most `limit` */
  hits: SearchHit[];
  /** the words the query was corrected to when it matched nothing as typed (typo tolerance); null otherwise */
  correctedQuery: string | null;
}

export interface SearchIndex {
  readonly kind: 'sqlite-fts5' | 'postgres';
  /** insert or replace documents (by videoId) */
  upsert(docs: SearchDocument[]): Promise<void>;
  remove(videoIds: string[]): Promise<void>;
  /** web-search syntax: words (all must match), "phrases", -excluded, OR; `titleAndTags`: match those fields only */
  search(query: string, filters: SearchFilters, limit: number, opts?: { titleAndTags?: boolean }): Promise<SearchResult>;
  /** titles with a word starting with the last word of `prefix` (and containing the others), best first */
  suggestTitles(prefix: string, limit: number): Promise<Array<{ videoId: string; title: string }>>;
  /** count a (normalized) query that found something (`count` times: searches gathered before writing) */
  recordQuery(query: string, at: number, count?: number): Promise<void>;
  /** recorded queries starting with `prefix` (normalized), asked at least `minCount` times, most asked first */
  popularQueries(prefix: string, limit: number, minCount: number): Promise<Array<{ query: string; count: number }>>;
  /** ids of indexed documents among `videoIds` (reconciliation) */
  has(videoIds: string[]): Promise<Set<string>>;
  /** ids of every indexed document */
  allIds(): Promise<string[]>;
}
