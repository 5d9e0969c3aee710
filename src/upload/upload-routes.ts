/** HTTP routes around uploading: pre-signed upload URLs and the account's quota usage. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, VideoBody, VideoMeta } from '../http/schemas.js';
import type { Dedup } from './dedup.js';
import type { VideosService } from '../catalog/videos-service.js';
import { requireUser } from '../http/auth.js';
import type { UploadGrants } from './upload-grants.js';
import { GRANT_PARAM } from './upload-grants.js';
import type { UploadPolicy } from './upload-policy.js';
import { UPLOAD_PATH } from './tus-uploads.js';

export function uploadRoutes(grants: UploadGrants, policy: UploadPolicy, dedup: Dedup, videos: VideosService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/upload-checks',
      {
        schema: {
          tags: ['upload'],
          summary:
            'Before uploading: declare the file\'s SHA-256. If this account already uploaded the same bytes, a new video is made from the existing renditions at once (201, no bytes to send); otherwise upload as usual (200)',
          body: VideoMeta.extend({ sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits'), size: z.number().int().positive() }),
          response: { 200: z.object({ duplicate: z.literal(false) }), 201: z.object({ duplicate: z.literal(true), video: VideoBody }), 400: ErrorBody, 401: ErrorBody },
        },
      },
      async (req, reply) => {
        const user = requireUser(req);
        const { sha256, size, ...meta } = req.body;
        const twin = await dedup.findReady(user.channelId, sha256);
        if (!twin || twin.upload_size !== size) return reply.status(200).send({ duplicate: false as const });
        const video = await videos.create(user, meta);
        await dedup.reuse(twin.id, video.id);
        return reply.status(201).send({ duplicate: true as const, video: await videos.getVisible(video.id, user) });
      },
    );

    app.post(
      '/api/upload-grants',
      {
        schema: {
          tags: ['upload'],
          summary: 'A short-lived, single-use tus upload URL bound to this account, the file size and type; usable without a session (e.g. from a separate upload host)',
          body: z.object({ size: z.number().int().positive(), type: z.string().regex(/^(video|audio)\/[\w.+-]+$/, 'a video/* or audio/* media type') }),
          response: { 201: z.object({ url: z.string(), expiresAt: z.string() }), 400: ErrorBody, 401: ErrorBody, 413: ErrorBody, 429: ErrorBody },
        },
      },
      async (req, reply) => {
        const user = requireUser(req);
        await policy.admit(user, req.body.size);
        const g = await grants.issue(user.id, req.body.size, req.body.type);
        return reply.status(201).send({ url: `${UPLOAD_PATH}?${GRANT_PARAM}=${encodeURIComponent(g.token)}`, expiresAt: new Date(g.expiresAt).toISOString() });
      },
    );

    app.get(
      '/api/me/upload-usage',
      {
        schema: {
          tags: ['upload'],
          summary: 'Bytes uploaded today and in total, uploads in the last hour, and the limits (0 = none)',
          response: {
            200: z.object({
              bytesToday: z.number(),
              bytesTotal: z.number(),
              uploadsLastHour: z.number(),
              limits: z.object({ maxBytes: z.number(), dailyBytes: z.number(), totalBytes: z.number(), perHour: z.number() }),
            }),
            401: ErrorBody,
          },
        },
      },
      async (req) => ({ ...(await policy.usage(requireUser(req))), limits: await policy.currentLimits() }),
    );
  };
}
