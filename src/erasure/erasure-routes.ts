/** HTTP routes for deleting a video, erasing an account, and reading one's own audit trail. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, VideoId } from '../http/schemas.js';
import { requireUser, SESSION_COOKIE } from '../http/auth.js';
import type { ErasureService } from './erasure-service.js';
import type { AuditLog } from './audit-log.js';

const AuditBody = z.object({
  at: z.string(),
  actor: z.object({ id: z.string(), handle: z.string() }).nullable(),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string() }),
  detail: z.record(z.string(), z.unknown()),
});

export function erasureRoutes(erasure: ErasureService, audit: AuditLog): FastifyPluginAsyncZod {
  return async (app) => {
    app.delete(
      '/api/videos/:id',
      {
        schema: {
          tags: ['videos'],
          summary: 'Delete a video (owner): its files, comments, views, ratings, playlist entries and search entry; edges are purged; audited',
          params: VideoId,
          response: { 204: z.null(), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (req, reply) => {
        await erasure.deleteVideo(requireUser(req), req.params.id);
        return reply.status(204).send(null);
      },
    );
    app.delete(
      '/api/me',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Erase my account (password required): every video and its files, my comments become "[deleted]", my votes, ratings, history, subscriptions, playlists and notifications go, my views are anonymised; audited',
          body: z.object({ password: z.string().min(1).max(256) }),
          response: { 200: z.object({ videos: z.number(), comments: z.number() }), 401: ErrorBody },
        },
      },
      async (req, reply) => {
        const result = await erasure.eraseAccount(requireUser(req), req.body.password);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return result;
      },
    );
    app.get(
      '/api/me/audit',
      { schema: { tags: ['accounts'], summary: 'What I did that the audit log records, newest first', response: { 200: z.object({ items: z.array(AuditBody) }), 401: ErrorBody } } },
      async (req) => ({ items: await audit.list({ actorId: requireUser(req).id }) }),
    );
  };
}
