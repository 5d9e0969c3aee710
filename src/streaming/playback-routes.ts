/** GET /api/videos/:id/playback: the playback descriptor (manifest URLs, signed for non-public videos). */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, VideoId } from '../http/schemas.js';
import { requireUser } from '../http/auth.js';
import type { PlaybackService } from './playback-service.js';

const Codecs = z.object({ h264: z.string().optional(), vp9: z.string().optional(), av1: z.string().optional() });

export const PlaybackBody = z.object({
  videoId: z.string(),
  status: z.string(),
  playable: z.boolean(),
  visibility: z.string(),
  durationSec: z.number().nullable(),
  encrypted: z.boolean().describe('AES-128 HLS encryption; the key is served under baseUrl with the same token'),
  clearKey: z
    .object({ licenseUrl: z.string(), defaultKid: z.string() })
    .nullable()
    .describe('an encrypted video\'s DASH manifest is ClearKey CENC: POST the W3C ClearKey license request to licenseUrl (same token)'),
  token: z.string().nullable().describe('signed playback token (null for public videos); already part of every URL here'),
  expiresAt: z.string().nullable().describe('when the token stops working; fetch a new descriptor before then'),
  baseUrl: z.string().describe('every file of the video is under this path'),
  hls: Codecs.describe('HLS master playlists per video codec'),
  dash: Codecs.describe('MPEG-DASH manifests per video codec (once the video is ready)'),
  thumbnailUrl: z.string().nullable(),
  storyboard: z.object({ vtt: z.string(), sprite: z.string() }).nullable().describe('WebVTT thumbnails track (seek previews) and its sprite'),
  captions: z.array(z.object({ lang: z.string(), label: z.string(), url: z.string() })),
  qualities: z.array(z.object({ name: z.string(), codec: z.string(), width: z.number(), height: z.number(), fps: z.number(), bandwidth: z.number(), codecs: z.string() })),
  resumePositionSec: z.number().nullable(),
});

export function playbackRoutes(playback: PlaybackService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/videos/:id/playback',
      {
        schema: {
          tags: ['streaming'],
          summary:
            'How to play a video: HLS and DASH manifest URLs per codec, thumbnail, storyboard, captions, qualities and resume position. ' +
            'For unlisted and private videos every URL carries a short-lived signed token in its path (/media/{id}/t/{token}/…).',
          params: VideoId,
          response: { 200: PlaybackBody, 404: ErrorBody },
        },
      },
      async (req, reply) => {
        const d = await playback.descriptor(req.params.id, req.user);
        return reply.header('Cache-Control', 'private, no-store').send(d);
      },
    );

    app.put(
      '/api/videos/:id/encryption',
      {
        schema: {
          tags: ['streaming'],
          summary: 'Encrypt this video with AES-128 HLS (owner only, before its upload completes). The key is kept in the database and served only to authorized players.',
          params: VideoId,
          response: { 200: z.object({ encrypted: z.boolean(), method: z.literal('aes-128') }), 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (req) => {
        await playback.enableEncryption(requireUser(req), req.params.id);
        return { encrypted: true, method: 'aes-128' as const };
      },
    );
  };
}
