/** HTTP routes for caption tracks (list, add/replace per language, remove). */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, VideoId } from '../http/schemas.js';
import { requireUser } from '../http/auth.js';
import { LANG_RE, MAX_CAPTION_BYTES } from '../core/captions.js';
import type { CaptionsService } from './captions-service.js';

const Track = z.object({ lang: z.string(), label: z.string(), cues: z.number(), file: z.string(), updatedAt: z.string() });
const TrackParams = VideoId.extend({ lang: z.string().regex(LANG_RE, 'a BCP 47 language tag such as en, pt-BR or zh-Hant') });

export function captionsRoutes(captions: CaptionsService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/videos/:id/captions',
      { schema: { tags: ['captions'], summary: "A video's caption tracks (files are under the playback descriptor's baseUrl)", params: VideoId, response: { 200: z.object({ items: z.array(Track) }), 400: ErrorBody, 404: ErrorBody } } },
      async (req) => ({ items: await captions.list(req.params.id, req.user) }),
    );
    app.put(
      '/api/videos/:id/captions/:lang',
      {
        bodyLimit: MAX_CAPTION_BYTES + 64 * 1024,
        schema: {
          tags: ['captions'],
          summary: 'Add or replace the caption track of a language (owner): WebVTT or SRT text, stored as WebVTT, served to players and indexed by search',
          params: TrackParams,
          body: z.object({ label: z.string().trim().max(60).optional(), content: z.string().min(1) }),
          response: { 200: Track, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 413: ErrorBody },
        },
      },
      async (req) => captions.put(requireUser(req), req.params.id, req.params.lang, req.body.label, req.body.content),
    );
    app.delete(
      '/api/videos/:id/captions/:lang',
      { schema: { tags: ['captions'], summary: 'Remove a caption track (owner)', params: TrackParams, response: { 204: z.null(), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody } } },
      async (req, reply) => {
        await captions.remove(requireUser(req), req.params.id, req.params.lang);
        return reply.status(204).send(null);
      },
    );
  };
}
