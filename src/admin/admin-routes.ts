/**
 * HTTP routes of the admin console (site admins only: 401 signed out, 403 for everyone else). Flags, takedown,
 * restore and appeals are src/moderation's routes under the same /api/admin prefix.
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody } from '../http/schemas.js';
import { requireUser } from '../http/auth.js';
import { TASK_STATES, VIDEO_STATES, type AdminService } from './admin-service.js';
import { SettingsPatchSchema, SettingsSchema, SETTING_KEYS } from './site-settings.js';
import type { TaskState } from '../adapters/db/schema.js';

const Id = z.object({ id: z.string().uuid() });
const Limit = z.coerce.number().int().min(1).max(200).default(50);
const Cursor = z.string().max(400).optional();
const Search = z.string().trim().min(1).max(100).optional();
const Iso = z.string();
const Errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };
const Done = { 204: z.null(), ...Errors, 404: ErrorBody, 409: ErrorBody };
const page = <T extends z.ZodTypeAny>(item: T) => z.object({ items: z.array(item), next: z.string().nullable() });
const TaskStateList = new RegExp(`^(${TASK_STATES.join('|')})(,(${TASK_STATES.join('|')}))*$`);

const UserItem = z.object({
  id: z.string(),
  email: z.string(),
  channel: z.object({ id: z.string(), handle: z.string(), name: z.string() }),
  createdAt: Iso,
  admin: z.boolean(),
  suspended: z.object({ at: Iso, reason: z.string() }).nullable(),
  videoCount: z.number(),
  uploadedBytes: z.number(),
});
const ChannelItem = z.object({
  id: z.string(),
  handle: z.string(),
  name: z.string(),
  owner: z.object({ id: z.string(), email: z.string(), suspended: z.boolean() }),
  createdAt: Iso,
  priority: z.number(),
  videoCount: z.number(),
  subscriberCount: z.number(),
});
const VideoItem = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(VIDEO_STATES as [string, ...string[]]),
  visibility: z.string(),
  channel: z.object({ id: z.string(), handle: z.string() }),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  durationSec: z.number().nullable(),
  uploadBytes: z.number().nullable(),
  openFlags: z.number(),
  createdAt: Iso,
  updatedAt: Iso,
});
const TaskItem = z.object({
  id: z.string(),
  video: z.object({ id: z.string(), title: z.string(), status: z.string(), channelHandle: z.string() }),
  key: z.string(),
  kind: z.string(),
  state: z.string(),
  priority: z.number(),
  attempts: z.number(),
  maxAttempts: z.number(),
  error: z.string().nullable(),
  createdAt: Iso,
  finishedAt: Iso.nullable(),
});
const SettingsBody = z.object({
  settings: SettingsSchema,
  defaults: SettingsSchema,
  overridden: z.array(z.enum(SETTING_KEYS as [string, ...string[]])),
  updatedAt: Iso.nullable(),
  updatedBy: z.string().nullable(),
});

export function adminRoutes(admin: AdminService): FastifyPluginAsyncZod {
  return async (app) => {
    // who may call is checked before the input: a non-admin gets 403 whatever the request carries
    app.addHook('preValidation', async (req) => {
      if (req.routeOptions.url !== '/api/admin/access') admin.requireAdmin(requireUser(req));
    });
    app.get(
      '/api/admin/access',
      { schema: { tags: ['admin'], summary: 'Whether the signed-in account is a site admin (ADMIN_EMAILS): the web app shows the console link', response: { 200: z.object({ admin: z.boolean() }), 401: ErrorBody } } },
      async (req) => ({ admin: admin.isAdmin(requireUser(req)) }),
    );

    app.get(
      '/api/admin/users',
      {
        schema: {
          tags: ['admin'],
          summary: 'Accounts, newest first; q searches email, handle and channel name; suspended=true|false filters (admins)',
          querystring: z.object({ q: Search, suspended: z.enum(['true', 'false']).optional(), cursor: Cursor, limit: Limit }),
          response: { 200: page(UserItem), ...Errors },
        },
      },
      async (req) => admin.users(requireUser(req), { ...req.query, suspended: req.query.suspended === undefined ? undefined : req.query.suspended === 'true' }),
    );
    app.post(
      '/api/admin/users/:id/suspend',
      {
        schema: {
          tags: ['admin'],
          summary: 'Suspend an account: signed out everywhere, cannot sign in or upload until unsuspended; its videos stay (admins)',
          params: Id,
          body: z.object({ reason: z.string().trim().min(3).max(500) }),
          response: Done,
        },
      },
      async (req, reply) => {
        await admin.suspend(requireUser(req), req.params.id, req.body.reason);
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/api/admin/users/:id/unsuspend',
      { schema: { tags: ['admin'], summary: 'Lift a suspension (admins)', params: Id, response: Done } },
      async (req, reply) => {
        await admin.unsuspend(requireUser(req), req.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/admin/channels',
      {
        schema: {
          tags: ['admin'],
          summary: 'Channels by handle; q searches handle, name and owner email (admins)',
          querystring: z.object({ q: Search, cursor: Cursor, limit: Limit }),
          response: { 200: page(ChannelItem), ...Errors },
        },
      },
      async (req) => admin.channels(requireUser(req), req.query),
    );
    app.patch(
      '/api/admin/channels/:id',
      {
        schema: {
          tags: ['admin'],
          summary: "A channel's processing priority: added to its new tasks' priorities, lower runs first (admins)",
          params: Id,
          body: z.object({ priority: z.number().int().min(-1000).max(1000) }).strict(),
          response: Done,
        },
      },
      async (req, reply) => {
        await admin.setChannelPriority(requireUser(req), req.params.id, req.body.priority);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/admin/videos',
      {
        schema: {
          tags: ['admin'],
          summary: 'Videos of every channel and visibility, newest first, by status; q searches title, handle or an id (admins)',
          querystring: z.object({ status: z.enum(VIDEO_STATES as [string, ...string[]]).optional(), q: Search, cursor: Cursor, limit: Limit }),
          response: { 200: page(VideoItem), ...Errors },
        },
      },
      async (req) => admin.videoList(requireUser(req), { ...req.query, status: req.query.status as (typeof VIDEO_STATES)[number] | undefined }),
    );

    app.get(
      '/api/admin/queue',
      {
        schema: {
          tags: ['admin'],
          summary: 'The task queue: tasks per state, unfinished/failed/dead-lettered tasks per priority, videos per status (admins)',
          response: {
            200: z.object({
              byState: z.record(z.string(), z.number()),
              byPriority: z.array(z.object({ priority: z.number(), state: z.string(), count: z.number() })),
              videos: z.record(z.string(), z.number()),
            }),
            ...Errors,
          },
        },
      },
      async (req) => admin.queueSummary(requireUser(req)),
    );
    app.get(
      '/api/admin/tasks',
      {
        schema: {
          tags: ['admin'],
          summary: 'Tasks in the given states (comma-separated; default failed,dead) with their error, most recent first (admins)',
          querystring: z.object({ state: z.string().regex(TaskStateList, `comma-separated states: ${TASK_STATES.join(', ')}`).default('failed,dead'), cursor: Cursor, limit: Limit }),
          response: { 200: page(TaskItem), ...Errors },
        },
      },
      async (req) => admin.tasks(requireUser(req), { states: [...new Set(req.query.state.split(','))] as TaskState[], cursor: req.query.cursor, limit: req.query.limit }),
    );
    app.post(
      '/api/admin/tasks/:id/rerun',
      {
        schema: {
          tags: ['admin'],
          summary: 'Re-run a failed or dead-lettered task from scratch; a video that failed because of it returns to processing (admins)',
          params: Id,
          response: { 202: z.object({ ok: z.boolean() }), ...Errors, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (req, reply) => {
        await admin.rerun(requireUser(req), req.params.id);
        return reply.status(202).send({ ok: true });
      },
    );

    app.get(
      '/api/admin/settings',
      { schema: { tags: ['admin'], summary: 'Site settings in effect, their defaults (from the configuration) and which are overridden (admins)', response: { 200: SettingsBody, ...Errors } } },
      async (req) => admin.settingsView(requireUser(req)),
    );
    app.patch(
      '/api/admin/settings',
      {
        schema: {
          tags: ['admin'],
          summary: 'Change site settings; null resets one to its default. New requests use them at once (other API processes within 5 s) (admins)',
          body: SettingsPatchSchema,
          response: { 200: SettingsBody, ...Errors },
        },
      },
      async (req) => admin.updateSettings(requireUser(req), req.body),
    );
  };
}
