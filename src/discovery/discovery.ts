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
  trendingVideos(limit: number): Promise<Array<{ video: VideoView; score: number }>>;
}

export interface DiscoveryOptions {
  /** latency budget of recommendation candidate generation */
  budgetMs: number;
  /** how long trending and popular lists are reused */
  cacheMs: number;
}

export function createDiscovery(database: DatabaseHandle, videos: VideosService, index: SearchIndex, indexer: SearchIndexer, log: Logger, o: DiscoveryOptions): Discovery {
  const queries = new CandidateQueries(database.db);
  const trending = new TrendingService(queries, { ttlMs: o.cacheMs });
  log.debug({ index: index.kind }, 'discovery ready');
  return {
    index,
    indexer,
    search: new SearchService(index, queries, videos),
    trending,
    recommendations: new RecommendationsService(queries, index, trending, videos, { budgetMs: o.budgetMs }),
    async trendingVideos(limit) {
      const top = (await trending.trending()).slice(0, limit * 2);
      const byId = new Map((await videos.listByIds(top.map((t) => t.videoId))).filter((v) => v.status === 'ready' && v.visibility === 'public').map((v) => [v.id, v]));
      return top.flatMap((t) => (byId.has(t.videoId) ? [{ video: byId.get(t.videoId)!, score: t.score }] : [])).slice(0, limit);
    },
  };
}
