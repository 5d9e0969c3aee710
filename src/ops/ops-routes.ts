/** Operations endpoints: Prometheus metrics and player reports (playback starts, rebuffering, switches). */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Metrics } from './metrics.js';
import { ErrorBody } from '../http/schemas.js';

export function opsRoutes(metrics: Metrics): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
      const { contentType, body } = await metrics.render();
      return reply.type(contentType).send(body);
    });
    app.post(
      '/api/playback-events',
      {
        schema: {
          tags: ['ops'],
          summary: 'Player quality reports: a playback start, a rebuffer, a rendition switch or a fatal error (anonymous, counted in /metrics)',
          body: z.object({ videoId: z.string().uuid(), event: z.enum(['start', 'rebuffer', 'switch', 'error']), rendition: z.string().max(40).optional() }),
          response: { 204: z.null(), 400: ErrorBody },
        },
      },
      async (req, reply) => {
        metrics.playbackEvents.inc({ event: req.body.event });
        return reply.status(204).send(null);
      },
    );
  };
}
