/**
 * Request authentication: a session cookie (browsers) or `Authorization: Bearer <token>` (scripts, apps).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccountsService, CurrentUser } from '../accounts/accounts-service.js';
import { unauthorized } from '../core/errors.js';

export const SESSION_COOKIE = 'reel_session';

declare module 'fastify' {
  interface FastifyRequest {
    user: CurrentUser | null;
  }
}

export function bearerOrCookie(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  return req.cookies?.[SESSION_COOKIE];
}

export function registerAuth(app: FastifyInstance, accounts: AccountsService): void {
  app.decorateRequest('user', null);
  app.addHook('onRequest', async (req) => {
    req.user = await accounts.authenticate(bearerOrCookie(req));
  });
}

export function requireUser(req: FastifyRequest): CurrentUser {
  if (!req.user) throw unauthorized();
  return req.user;
}
