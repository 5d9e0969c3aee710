/** HTTP routes for accounts: register, login, logout, me, API tokens. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AccountsService, CurrentUser } from './accounts-service.js';
import { ErrorBody, UserBody } from '../http/schemas.js';
import { requireUser, SESSION_COOKIE } from '../http/auth.js';
import { AppError } from '../core/errors.js';
import type { RateLimiter } from '../ports/rate-limiter.js';

const Credentials = z.object({ email: z.string().trim().email().max(254), password: z.string().min(8).max(256) });
const Register = Credentials.extend({
  handle: z
    .string()
    .trim()
    .regex(/^[a-zA-Z0-9_][a-zA-Z0-9_.-]{2,29}$/, '3-30 letters, digits, _ . - (starting with a letter, digit or _)'),
  displayName: z.string().trim().min(1).max(60).optional(),
});

const userBody = (u: CurrentUser) => ({ id: u.id, email: u.email, channel: { id: u.channelId, handle: u.channelHandle, name: u.channelName } });

export interface AccountsRouteOptions {
  cookieSecure: boolean;
  limiter: RateLimiter;
  /** fixed, or read per attempt (the admin console's site settings) */
  loginAttemptsPerMinute: number | (() => Promise<number>);
}

export function accountsRoutes(accounts: AccountsService, opts: AccountsRouteOptions): FastifyPluginAsyncZod {
  const cookie = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: opts.cookieSecure, maxAge: 30 * 24 * 3600 };
  /** password guessing: a budget per client address and one per account */
  const throttleSignIn = async (ip: string, email: string, reply: { header(k: string, v: string): unknown }) => {
    const n = typeof opts.loginAttemptsPerMinute === 'function' ? await opts.loginAttemptsPerMinute() : opts.loginAttemptsPerMinute;
    const [byIp, byEmail] = await Promise.all([opts.limiter.hit(`login:ip:${ip}`, n, 60), opts.limiter.hit(`login:email:${email.toLowerCase()}`, n, 60)]);
    const refused = [byIp, byEmail].find((d) => !d.allowed);
    if (!refused) return;
    reply.header('retry-after', String(refused.retryAfterSec));
    throw new AppError('rate_limited', `Too many sign-in attempts; try again in ${refused.retryAfterSec} s`, 429);
  };
  return async (app) => {
    app.post(
      '/api/auth/register',
      { schema: { tags: ['accounts'], summary: 'Create an account and its channel; signs in', body: Register, response: { 201: UserBody, 400: ErrorBody, 409: ErrorBody } } },
      async (req, reply) => {
        await accounts.register(req.body);
        const { token, user } = await accounts.login(req.body.email, req.body.password);
        reply.setCookie(SESSION_COOKIE, token, cookie);
        return reply.status(201).send(userBody(user));
      },
    );
    app.post(
      '/api/auth/login',
      { schema: { tags: ['accounts'], summary: 'Sign in; sets the session cookie. Attempts are limited per client address and per email (429 with Retry-After).', body: Credentials, response: { 200: UserBody, 401: ErrorBody, 429: ErrorBody } } },
      async (req, reply) => {
        await throttleSignIn(req.ip, req.body.email, reply);
        const { token, user } = await accounts.login(req.body.email, req.body.password);
        reply.setCookie(SESSION_COOKIE, token, cookie);
        return userBody(user);
      },
    );
    app.post('/api/auth/logout', { schema: { tags: ['accounts'], summary: 'Sign out this session', response: { 204: z.null() } } }, async (req, reply) => {
      const token = req.cookies[SESSION_COOKIE];
      if (token) await accounts.revoke(token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    });
    app.get('/api/me', { schema: { tags: ['accounts'], summary: 'The signed-in user', response: { 200: UserBody, 401: ErrorBody } } }, async (req) => userBody(requireUser(req)));
    app.get(
      '/api/channels/by-handle/:handle',
      {
        schema: {
          tags: ['accounts'],
          summary: 'A channel by its handle (case-insensitive, with or without @): name, subscriber and public video counts; its videos are at /api/channels/{id}/videos',
          params: z.object({ handle: z.string().regex(/^@?[A-Za-z0-9_.-]{1,64}$/, 'a channel handle: letters, digits, _ . -') }),
          response: {
            200: z.object({ id: z.string(), handle: z.string(), name: z.string(), createdAt: z.string(), subscriberCount: z.number(), videoCount: z.number() }),
            400: ErrorBody,
            404: ErrorBody,
          },
        },
      },
      async (req) => accounts.channelByHandle(req.params.handle),
    );
    app.post(
      '/api/tokens',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Create an API token for scripts (use as Authorization: Bearer <token>)',
          body: z.object({ name: z.string().trim().min(1).max(60) }),
          response: { 201: z.object({ token: z.string(), name: z.string() }), 401: ErrorBody },
        },
      },
      async (req, reply) => {
        const user = requireUser(req);
        return reply.status(201).send({ token: await accounts.createApiToken(user.id, req.body.name), name: req.body.name });
      },
    );
  };
}
