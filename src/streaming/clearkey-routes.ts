/**
 * The ClearKey license endpoint of encrypted videos' DASH playback (W3C EME ClearKey license exchange):
 *
 *     POST /media/<id>/[t/<token>/]license   {"kids": ["<base64url KID>"], "type": "temporary"}
 *     → {"keys": [{"kty": "oct", "k": "<base64url key>", "kid": "<base64url KID>"}], "type": "temporary"}
 *
 * Under exactly the authorization of the video's segments and key.bin (PlaybackService.authorize): a valid
 * signed token in the path, or a public video, or the owner's session. The key is derived from the one in the
 * database at request time (core/cenc.ts); nothing of it is in the blob store. Never cached.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { splitTokenPath } from '../core/playback-token.js';
import { LICENSE_FILE } from '../core/cenc.js';
import { AppError } from '../core/errors.js';
import type { PlaybackService } from './playback-service.js';
import { UUID } from '../core/ids.js';


const cors = (reply: FastifyReply) =>
  reply.header('Access-Control-Allow-Origin', '*').header('Access-Control-Allow-Methods', 'POST, OPTIONS').header('Access-Control-Allow-Headers', 'Content-Type');

export function registerClearKeyRoutes(app: FastifyInstance, playback: PlaybackService): void {
  void app.register(async (scope) => {
    // CDMs' messages reach us as JSON, text or bytes depending on the player: take them all (this scope only)
    scope.addContentTypeParser(['text/plain', 'application/octet-stream'], { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => done(null, body));
    scope.route<{ Params: { id: string; '*': string } }>({
      method: 'POST',
      url: '/media/:id/*',
      schema: { hide: true },
      bodyLimit: 16 * 1024,
      handler: async (req, reply) => {
        cors(reply).header('Cache-Control', 'private, no-store').header('X-Accel-Expires', '0');
        const { id } = req.params;
        const { token, file } = splitTokenPath(req.params['*']);
        const notFound = () => reply.status(404).send({ error: { code: 'not_found', message: 'No such media file' } });
        if (!UUID.test(id) || file !== LICENSE_FILE) return notFound();
        const access = await playback.authorize(id, token, req.user);
        if (!access.ok) return reply.status(access.status).send({ error: { code: access.code, message: access.message } });
        try {
          const license = await playback.license(id, req.body);
          if (!license) return notFound();
          return reply.header('Content-Type', 'application/json').send(license);
        } catch (err) {
          if (err instanceof AppError) return reply.status(err.statusCode).send({ error: { code: err.code, message: err.message } });
          throw err;
        }
      },
    });
    // CORS preflight of a cross-origin player's JSON POST
    scope.options('/media/:id/*', { schema: { hide: true } }, async (_req, reply) => cors(reply).header('Access-Control-Max-Age', '600').status(204).send());
  });
}
