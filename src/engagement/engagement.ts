/**
 * The engagement area as one unit for the wiring: its services, built from the database and the videos
 * service, and one Fastify plugin with all its routes (which also flushes waiting views when the app closes).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../adapters/db/schema.js';
import type { DbDialect } from '../adapters/db/connect.js';
import type { VideosService } from '../catalog/videos-service.js';
import { ViewStore } from './view-store.js';
import { ViewsService, type ViewsOptions } from './views-service.js';
import { RatingsService } from './ratings-service.js';
import { HistoryService } from './history-service.js';
import { viewsRoutes } from './views-routes.js';
import { ratingsRoutes } from './ratings-routes.js';
import { historyRoutes } from './history-routes.js';
import { CommentsService, type CommentsOptions } from './comments-service.js';
import { commentsRoutes } from './comments-routes.js';
import { SubscriptionsService } from './subscriptions-service.js';
import { InboxService, NotificationsService } from './notifications-service.js';
import { subscriptionsRoutes } from './subscriptions-routes.js';
import { PlaylistsService } from './playlists-service.js';
import { playlistsRoutes } from './playlists-routes.js';

export interface Engagement {
  views: ViewsService;
  ratings: RatingsService;
  history: HistoryService;
  comments: CommentsService;
  subscriptions: SubscriptionsService;
  notifications: NotificationsService;
  inbox: InboxService;
  playlists: PlaylistsService;
}

export function createEngagement(db: Db, dialect: DbDialect, videos: VideosService, opts: { views?: Partial<ViewsOptions>; comments?: Partial<CommentsOptions> } = {}): Engagement {
  return {
    // PostgreSQL overlaps two batch transactions (Node prepares one while the database writes the other; more
    // make the database spend more CPU per view on contention, bench/views.ts); SQLite has one writer anyway
    views: new ViewsService(new ViewStore(db, dialect), videos, { parallel: dialect === 'postgres' ? 2 : 1, ...opts.views }),
    ratings: new RatingsService(db, videos),
    history: new HistoryService(db, videos),
    comments: new CommentsService(db, videos, opts.comments),
    subscriptions: new SubscriptionsService(db, videos),
    notifications: new NotificationsService(db),
    inbox: new InboxService(db, videos),
    playlists: new PlaylistsService(db, videos),
  };
}

export function engagementRoutes(e: Engagement): FastifyPluginAsyncZod {
  return async (app) => {
    // runs before the platform closes the database: acknowledged-but-unwritten views cannot exist, this only
    // writes reports still waiting for their batch
    app.addHook('onClose', async () => e.views.close());
    await app.register(viewsRoutes(e.views, e.ratings, e.history));
    await app.register(ratingsRoutes(e.ratings));
    await app.register(historyRoutes(e.history));
    await app.register(commentsRoutes(e.comments));
    await app.register(subscriptionsRoutes(e.subscriptions, e.inbox));
    await app.register(playlistsRoutes(e.playlists));
  };
}
