/**
 * The discovery area as one unit for the wiring: the search index adapter for the database, the indexer the
 * videos service notifies, and the search, trending and recommendation services.
 */
import type { Logger } from 'pino';
import type { DatabaseHandle } from '../adapters/db/connect.js';
import type { VideosService, VideoView } from '../catalog/videos-service.js';
import type { SearchIndex } from '../ports/search-index.js';
import { SqliteSearchIndex } from '../adapters/search/sqlite-search-index.js';
import { PostgresSearchIndex } from '../adapters/search/postgres-search-index.js';
import { SearchIndexer } from './search-indexer.js';
import { CandidateQueries } from './candidates.js';
import { CowatchTable } from './cowatch.js';
import { SimilarTable } from './similar.js';
import { SearchService } from './search-service.js';
import { TrendingService } from './trending-service.js';
import { RecommendationsService } from './recommendations-service.js';

export function searchIndexFor(database: DatabaseHandle): SearchIndex {
  return database.dialect === 'postgres' ? new PostgresSearchIndex(database.db) : new SqliteSearchIndex(database.db);
}

export interface Discovery {
  index: SearchIndex;
  indexer: SearchIndexer;
  search: SearchService;
  trending: TrendingService;
  recommendations: RecommendationsService;
  /** the precomputed co-watch lists; `startDiscoveryRefresh` keeps them up to date */
  cowatch: CowatchTable;
  /** the precomputed "similar" lists; `startDiscoveryRefresh` keeps them up to date */
  similar: SimilarTable;
  trendingVideos(limit: number): Promise<Array<{ video: VideoView; score: number }>>;
}

export interface DiscoveryOptions {
  /** latency budget of recommendation candidate generation */
  budgetMs: number;
  /** how long trending and popular lists are reused (a seed video's "similar" candidates: 10 times as long) */
  cacheMs: number;
}

export function createDiscovery(database: DatabaseHandle, videos: VideosService, index: SearchIndex, indexer: SearchIndexer, log: Logger, o: DiscoveryOptions): Discovery {
  // request-time reads go to SQLite's read connection, so they never queue behind a write transaction
  const cowatch = new CowatchTable(database.db, {}, database.reader);
  const similar = new SimilarTable(database.db, index, {}, database.reader);
  const queries = new CandidateQueries(database.reader);
  const trending = new TrendingService(queries, { ttlMs: o.cacheMs });
  log.debug({ index: index.kind }, 'discovery ready');
  return {
    index,
    indexer,
    search: new SearchService(index, queries, videos),
    trending,
    recommendations: new RecommendationsService(queries, similar, trending, videos, { budgetMs: o.budgetMs, similarCacheMs: o.cacheMs * 10 }),
    cowatch,
    similar,
    async trendingVideos(limit) {
      const top = (await trending.trending()).slice(0, limit * 2);
      const byId = new Map((await videos.listByIds(top.map((t) => t.videoId))).filter((v) => v.status === 'ready' && v.visibility === 'public').map((v) => [v.id, v]));
      return top.flatMap((t) => (byId.has(t.videoId) ? [{ video: byId.get(t.videoId)!, score: t.score }] : [])).slice(0, limit);
    },
  };
}

/**
 * The background refresh of the precomputed lists: co-watch (view events since the last run) and "similar" (videos
 * changed since the last run, then the oldest lists), every `intervalMs`, one run at a time per process (runs in
 * several processes are safe). Returns stop(), which waits for a run in progress.
 */
export function startDiscoveryRefresh(d: Pick<Discovery, 'cowatch' | 'similar'>, intervalMs: number, log: Logger): () => Promise<void> {
  const stops = [
    startRefreshJob('co-watch', () => d.cowatch.refresh(), (r) => r.events > 0, intervalMs, log),
    startRefreshJob('similar lists', () => d.similar.refresh(), (r) => r.computed + r.dropped > 0, intervalMs, log),
  ];
  return async () => void (await Promise.all(stops.map((stop) => stop())));
}

/**
 * One background job: `refresh` every `intervalMs`, one run at a time in this process (a tick while a run is in
 * progress is skipped). Returns stop(), which waits for a run in progress.
 */
function startRefreshJob<R extends object>(name: string, refresh: () => Promise<R>, worthLogging: (r: R) => boolean, intervalMs: number, log: Logger): () => Promise<void> {
  if (intervalMs <= 0) return async () => {};
  let running: Promise<void> | null = null;
  const run = () => {
    if (running) return;
    running = refresh()
      .then((r) => void (worthLogging(r) && log.debug(r as Record<string, unknown>, `${name} refreshed`)))
      .catch((err) => log.warn({ err }, `${name} refresh failed`))
      .finally(() => (running = null));
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
