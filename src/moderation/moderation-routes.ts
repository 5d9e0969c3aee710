/** HTTP routes for flags (viewers), takedown/restore/dismiss and queues (admins), appeals (owners). */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, VideoId } from '../http/schemas.js';
import { requireUser } from '../http/auth.js';
import { FLAG_REASONS, type ModerationService } from './moderation-service.js';

const Reason = z.string().trim().min(3).max(500);
const Flagged = z.object({
  video: z.object({ id: z.string(), title: z.string(), status: z.string(), channelHandle: z.string() }),
  flags: z.number(),
  reasons: z.record(z.string(), z.number()),
  notes: z.array(z.string()),
  lastFlaggedAt: z.string(),
});
const AppealBody = z.object({ video: z.object({ id: z.string(), title: z.string(), channelHandle: z.string() }), reason: z.string(), appeal: z.string() });

export function moderationRoutes(m: ModerationService): FastifyPluginAsyncZod {
  return async (app) => {
    const done = { 204: z.null(), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
    app.post(
      '/api/videos/:id/flags',
      {
        schema: {
          tags: ['moderation'],
          summary: 'Flag a video for the site admins (one flag per account per video; flagging again updates it)',
          params: VideoId,
          body: z.object({ reason: z.enum(FLAG_REASONS), note: z.string().trim().max(1000).default('') }),
          response: done,
        },
      },
      async (req, reply) => {
        await m.flag(requireUser(req), req.params.id, req.body.reason, req.body.note);
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/api/videos/:id/appeal',
      { schema: { tags: ['moderation'], summary: 'Appeal the takedown of my video', params: VideoId, body: z.object({ message: z.string().trim().min(3).max(2000) }), response: done } },
      async (req, reply) => {
        await m.appeal(requireUser(req), req.params.id, req.body.message);
        return reply.status(204).send(null);
      },
    );
    app.get(
      '/api/admin/flags',
      { schema: { tags: ['admin'], summary: 'Videos with open flags, most flagged first (admins)', response: { 200: z.object({ items: z.array(Flagged) }), 401: ErrorBody, 403: ErrorBody } } },
      async (req) => ({ items: await m.flagged(requireUser(req)) }),
    );
    app.get(
      '/api/admin/appeals',
      { schema: { tags: ['admin'], summary: 'Taken-down videos whose owners appealed (admins)', response: { 200: z.object({ items: z.array(AppealBody) }), 401: ErrorBody, 403: ErrorBody } } },
      async (req) => ({ items: await m.appeals(requireUser(req)) }),
    );
    app.post(
      '/api/admin/videos/:id/takedown',
      {
        schema: {
          tags: ['admin'],
          summary: 'Take a video down: it leaves playback, search, recommendations, feeds and the edge caches at once; its owner sees the reason (admins)',
          params: VideoId,
          body: z.object({ reason: Reason }),
          response: done,
        },
      },
      async (req, reply) => {
        await m.takedown(requireUser(req), req.params.id, req.body.reason);
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/api/admin/videos/:id/restore',
      { schema: { tags: ['admin'], summary: 'Restore a taken-down video (admins)', params: VideoId, body: z.object({ note: z.string().trim().max(500).default('') }), response: done } },
      async (req, reply) => {
        await m.restore(requireUser(req), req.params.id, req.body.note);
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/api/admin/videos/:id/dismiss-flags',
      { schema: { tags: ['admin'], summary: "Close a video's open flags without acting (admins)", params: VideoId, response: done } },
      async (req, reply) => {
        await m.dismiss(requireUser(req), req.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
