/** HTTP routes for a video's thumbnail: upload one, pick a frame, go back to the generated one (owner only). */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, VideoBody, VideoId } from '../http/schemas.js';
import { requireUser } from '../http/auth.js';
import { AppError } from '../core/errors.js';
import { MAX_THUMBNAIL_BYTES, type ThumbnailsService } from './thumbnails-service.js';

export function thumbnailsRoutes(thumbnails: ThumbnailsService): FastifyPluginAsyncZod {
  return async (app) => {
    // the image is the request body (scoped to this plugin); a little over the limit still gets our own 413
    const limit = 3 * MAX_THUMBNAIL_BYTES;
    app.addContentTypeParser(/^image\//, { parseAs: 'buffer', bodyLimit: limit }, (_req, body, done) => done(null, body));
    app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: limit }, (_req, body, done) => done(null, body));

    app.put(
      '/api/videos/:id/thumbnail',
      {
        bodyLimit: limit,
        schema: {
          tags: ['videos'],
          summary: 'Upload a custom thumbnail (owner): the JPEG or PNG file as the body (Content-Type image/jpeg or image/png), at most 2 MiB, at least 160×90; stored as a JPEG of at most 1280×720',
          params: VideoId,
          consumes: ['image/jpeg', 'image/png'],
          body: z.any().describe('the image file'),
          response: { 200: VideoBody, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 415: ErrorBody },
        },
      },
      async (req) => {
        const user = requireUser(req);
        if (req.body === undefined || req.body === null || req.body === '') throw new AppError('empty_image', 'Send the image file as the request body', 400);
        if (!Buffer.isBuffer(req.body)) throw new AppError('unsupported_image', 'Send the JPEG or PNG file as the body with Content-Type image/jpeg or image/png', 415);
        return thumbnails.upload(user, req.params.id, req.body);
      },
    );

    app.post(
      '/api/videos/:id/thumbnail/frame',
      {
        schema: {
          tags: ['videos'],
          summary: 'Use the frame at `atSec` of the published video as its thumbnail (owner)',
          params: VideoId,
          body: z.object({ atSec: z.number().min(0) }),
          response: { 200: VideoBody, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (req) => thumbnails.fromFrame(requireUser(req), req.params.id, req.body.atSec),
    );

    app.delete(
      '/api/videos/:id/thumbnail',
      {
        schema: {
          tags: ['videos'],
          summary: 'Drop the custom thumbnail and go back to the generated one (owner)',
          params: VideoId,
          response: { 200: VideoBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (req) => thumbnails.reset(requireUser(req), req.params.id),
    );
  };
}
