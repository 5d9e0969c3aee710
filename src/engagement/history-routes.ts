/** HTTP routes for the signed-in account's watch history. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, VideoBody } from '../http/schemas.js';
import { requireUser } from '../http/auth.js';
import type { HistoryService } from './history-service.js';

export function historyRoutes(history: HistoryService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/me/history',
      {
        schema: {
          tags: ['engagement'],
          summary: 'Videos I watched, most recent first, with resume position; pass `next` back as `before` for the next page',
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).default(24), before: z.coerce.number().int().positive().optional() }),
          response: {
            200: z.object({ items: z.array(z.object({ video: VideoBody, positionSec: z.number(), watchedSec: z.number(), watchedAt: z.string() })), next: z.string().nullable() }),
            400: ErrorBody,
            401: ErrorBody,
          },
        },
      },
      async (req) => history.list(requireUser(req), req.query.limit, req.query.before),
    );

    app.delete(
      '/api/me/history',
      {
        schema: {
          tags: ['engagement'],
          summary: 'Clear my watch history (and resume positions), or only one video with ?videoId=',
          querystring: z.object({ videoId: z.string().uuid().optional() }),
          response: { 204: z.null(), 400: ErrorBody, 401: ErrorBody },
        },
      },
      async (req, reply) => {
        await history.clear(requireUser(req), req.query.videoId);
        return reply.status(204).send(null);
      },
    );
  };
}
