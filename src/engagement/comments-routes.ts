/** HTTP routes for comments, replies, votes and moderation. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, VideoId } from '../http/schemas.js';
import { requireUser } from '../http/auth.js';
import { notFound } from '../core/errors.js';
import { COMMENT_MAX_CHARS } from '../core/comment-text.js';
import type { CommentsService } from './comments-service.js';

const State = z.enum(['pending', 'approved', 'removed']);

export const CommentBody = z.object({
  id: z.string(),
  videoId: z.string(),
  parentId: z.string().nullable(),
  author: z.object({ channelId: z.string(), handle: z.string(), name: z.string() }),
  byChannelOwner: z.boolean(),
  body: z.string().describe('plain text (never HTML): render it as text'),
  state: State,
  deleted: z.boolean(),
  score: z.number(),
  myVote: z.enum(['up', 'down']).nullable(),
  replyCount: z.number(),
  createdAt: z.string(),
  editedAt: z.string().nullable(),
});

// the raw text may carry spaces the clean-up removes; the limit proper is checked after clean-up
const Text = z.string().max(COMMENT_MAX_CHARS * 2);
const CommentId = z.object({ id: z.string().uuid() });

export function commentsRoutes(comments: CommentsService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/videos/:id/comments',
      {
        schema: {
          tags: ['comments'],
          summary:
            'Top-level comments (or the replies of parentId), sorted top, new or old; pass `next` back as `cursor`. Everyone sees approved comments and their own pending ones; the channel owner also sees pending ones and may filter by state.',
          params: VideoId,
          querystring: z.object({
            sort: z.enum(['top', 'new', 'old']).default('top'),
            limit: z.coerce.number().int().min(1).max(100).default(20),
            cursor: z.string().max(400).optional(),
            parentId: z.string().uuid().optional(),
            state: State.optional(),
          }),
          response: { 200: z.object({ items: z.array(CommentBody), next: z.string().nullable() }), 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (req) => comments.list(req.user, req.params.id, req.query),
    );

    app.post(
      '/api/videos/:id/comments',
      {
        schema: {
          tags: ['comments'],
          summary: `Comment (or reply with parentId). Plain text, 1-${COMMENT_MAX_CHARS} characters; comments with links wait for the channel owner's approval; at most a few a minute per account (429)`,
          params: VideoId,
          body: z.object({ body: Text, parentId: z.string().uuid().optional() }),
          response: { 201: CommentBody, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 429: ErrorBody },
        },
      },
      async (req, reply) => reply.status(201).send(await comments.create(requireUser(req), req.params.id, req.body)),
    );

    app.get('/api/comments/:id', { schema: { tags: ['comments'], summary: 'One comment', params: CommentId, response: { 200: CommentBody, 400: ErrorBody, 404: ErrorBody } } }, async (req) => {
      const c = await comments.one(req.params.id, req.user);
      if (!c) throw notFound('Comment');
      return c;
    });

    app.patch(
      '/api/comments/:id',
      { schema: { tags: ['comments'], summary: 'Edit my comment', params: CommentId, body: z.object({ body: Text }), response: { 200: CommentBody, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody } } },
      async (req) => comments.edit(requireUser(req), req.params.id, req.body.body),
    );

    app.delete(
      '/api/comments/:id',
      { schema: { tags: ['comments'], summary: 'Delete my comment (a placeholder stays when it has replies)', params: CommentId, response: { 204: z.null(), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody } } },
      async (req, reply) => {
        await comments.delete(requireUser(req), req.params.id);
        return reply.status(204).send(null);
      },
    );

    app.put(
      '/api/comments/:id/vote',
      {
        schema: {
          tags: ['comments'],
          summary: 'Vote a comment up or down, or (null) withdraw the vote',
          params: CommentId,
          body: z.object({ vote: z.enum(['up', 'down']).nullable() }),
          response: { 200: z.object({ score: z.number(), myVote: z.enum(['up', 'down']).nullable() }), 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (req) => comments.vote(requireUser(req), req.params.id, req.body.vote),
    );

    app.post(
      '/api/comments/:id/moderation',
      {
        schema: {
          tags: ['comments'],
          summary: "Channel owner: approve, hold (pending) or remove a comment on one of the channel's videos",
          params: CommentId,
          body: z.object({ state: State }),
          response: { 200: CommentBody, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (req) => comments.moderate(requireUser(req), req.params.id, req.body.state),
    );
  };
}
