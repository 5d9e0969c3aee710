/** The studio's live processing progress as server-sent events (see progress-events.ts). */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody } from '../http/schemas.js';
import { requireUser } from '../http/auth.js';
import { AppError } from '../core/errors.js';
import type { VideosService } from './videos-service.js';
import type { ProgressEvents } from './progress-events.js';

const Snapshot = z.object({
  id: z.string(),
  title: z.string(),
  status: z.string(),
  playable: z.boolean(),
  progress: z.number(),
  durationSec: z.number().nullable(),
  rungs: z.record(z.string(), z.number()),
  tasks: z.object({ done: z.number(), total: z.number(), failed: z.number() }),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

export function progressRoutes(videos: VideosService, events: ProgressEvents): FastifyPluginAsyncZod {
  return async (app) => {
    // an open studio tab must not hold up shutdown
    app.addHook('preClose', (done) => {
      events.closeAll();
      done();
    });
    app.get(
      '/api/me/videos/events',
      {
        schema: {
          tags: ['videos'],
          summary:
            'Server-sent events (with `Accept: text/event-stream`, as EventSource sends) of my videos’ processing: `progress` (status, playable, progress, seconds per rung, tasks) whenever it changes, ' +
            'the last one when a video is ready or failed; `added` and `removed` for new and deleted videos; `hello` first. `videoId` limits it to one video. Owner only.',
          querystring: z.object({ videoId: z.string().uuid().optional() }),
          response: { 200: z.object({ items: z.array(Snapshot) }).describe('without `Accept: text/event-stream`: the snapshots now, as JSON'), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 429: ErrorBody },
        },
      },
      async (req, reply) => {
        const user = requireUser(req);
        const videoId = req.query.videoId ?? null;
        if (videoId) await videos.owned(user, videoId);
        // content negotiation: EventSource asks for the stream; anything else gets the snapshots of now
        if (!String(req.headers.accept ?? '').includes('text/event-stream')) return { items: await events.current(user, videoId) };
        if (events.openFor(user.id) >= events.maxPerUser) throw new AppError('too_many_streams', `At most ${events.maxPerUser} progress streams per account; close a studio tab`, 429);
        reply.hijack();
        events.serve(user, req.raw, reply.raw, videoId);
      },
    );
  };
}
