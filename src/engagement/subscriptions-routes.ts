/** HTTP routes for subscriptions, the subscriptions feed and notifications. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, VideoBody } from '../http/schemas.js';
import { requireUser } from '../http/auth.js';
import type { SubscriptionsService } from './subscriptions-service.js';
import type { InboxService } from './notifications-service.js';

const ChannelId = z.object({ channelId: z.string().uuid() });
const SubscriptionBody = z.object({ subscribed: z.boolean(), subscribers: z.number() });
const Page = z.object({ limit: z.coerce.number().int().min(1).max(100).default(24), before: z.coerce.number().int().positive().optional() });

export function subscriptionsRoutes(subs: SubscriptionsService, inbox: InboxService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/channels/:channelId/subscription',
      { schema: { tags: ['subscriptions'], summary: "A channel's subscriber count and whether I subscribe", params: ChannelId, response: { 200: SubscriptionBody, 400: ErrorBody, 404: ErrorBody } } },
      async (req) => subs.status(req.user, req.params.channelId),
    );
    app.put(
      '/api/channels/:channelId/subscription',
      { schema: { tags: ['subscriptions'], summary: 'Subscribe to a channel (idempotent)', params: ChannelId, response: { 200: SubscriptionBody, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody } } },
      async (req) => subs.subscribe(requireUser(req), req.params.channelId),
    );
    app.delete(
      '/api/channels/:channelId/subscription',
      { schema: { tags: ['subscriptions'], summary: 'Unsubscribe (idempotent)', params: ChannelId, response: { 200: SubscriptionBody, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody } } },
      async (req) => subs.unsubscribe(requireUser(req), req.params.channelId),
    );
    app.get(
      '/api/me/subscriptions',
      {
        schema: {
          tags: ['subscriptions'],
          summary: 'Channels I subscribe to',
          response: { 200: z.object({ items: z.array(z.object({ id: z.string(), handle: z.string(), name: z.string() })) }), 401: ErrorBody },
        },
      },
      async (req) => ({ items: await subs.list(requireUser(req)) }),
    );
    app.get(
      '/api/me/feed',
      {
        schema: {
          tags: ['subscriptions'],
          summary: 'Subscriptions feed: ready public videos of my channels, newest first; pass `next` back as `before`',
          querystring: Page,
          response: { 200: z.object({ items: z.array(VideoBody), next: z.string().nullable() }), 400: ErrorBody, 401: ErrorBody },
        },
      },
      async (req) => subs.feed(requireUser(req), req.query.limit, req.query.before),
    );

    const NotificationBody = z.object({ id: z.string(), kind: z.enum(['new_video']), video: VideoBody, createdAt: z.string(), read: z.boolean() });
    app.get(
      '/api/me/notifications',
      {
        schema: {
          tags: ['notifications'],
          summary: 'My notifications (new videos from subscribed channels), newest first, with the unread count; pass `next` back as `before`',
          querystring: Page.extend({ unread: z.enum(['true', 'false']).optional() }),
          response: { 200: z.object({ items: z.array(NotificationBody), unread: z.number(), next: z.string().nullable() }), 400: ErrorBody, 401: ErrorBody },
        },
      },
      async (req) => inbox.list(requireUser(req), req.query.limit, { before: req.query.before, unreadOnly: req.query.unread === 'true' }),
    );
    app.get(
      '/api/me/notifications/unread-count',
      { schema: { tags: ['notifications'], summary: 'How many notifications are unread', response: { 200: z.object({ unread: z.number() }), 401: ErrorBody } } },
      async (req) => ({ unread: await inbox.unread(requireUser(req)) }),
    );
    app.post(
      '/api/me/notifications/read',
      {
        schema: {
          tags: ['notifications'],
          summary: 'Mark notifications read: the given ids, or all when ids is left out',
          body: z.object({ ids: z.array(z.string().min(1).max(100)).max(500).optional() }),
          response: { 200: z.object({ unread: z.number() }), 400: ErrorBody, 401: ErrorBody },
        },
      },
      async (req) => ({ unread: await inbox.markRead(requireUser(req), req.body.ids) }),
    );
  };
}
