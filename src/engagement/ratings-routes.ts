/** HTTP routes for likes/dislikes. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, VideoId } from '../http/schemas.js';
import { requireUser } from '../http/auth.js';
import type { RatingsService } from './ratings-service.js';

export function ratingsRoutes(ratings: RatingsService): FastifyPluginAsyncZod {
  return async (app) => {
    app.put(
      '/api/videos/:id/rating',
      {
        schema: {
          tags: ['engagement'],
          summary: 'Like, dislike, or (null) remove your rating; one per account per video',
          params: VideoId,
          body: z.object({ rating: z.enum(['like', 'dislike']).nullable() }),
          response: { 200: z.object({ likes: z.number(), dislikes: z.number(), myRating: z.enum(['like', 'dislike']).nullable() }), 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (req) => ratings.rate(requireUser(req), req.params.id, req.body.rating),
    );
  };
}
