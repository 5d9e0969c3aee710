/**
 * Accounts: registration (a user gets a channel), login sessions, API tokens, resolving a token to a user.
 */
import { randomUUID } from 'node:crypto';
import { AppError, notFound } from '../core/errors.js';
import { hashPassword, newToken, tokenHash, verifyPassword } from '../core/passwords.js';
import type { Db } from '../adapters/db/schema.js';

/** A channel as anyone may see it (its page): no owner email. */
export interface ChannelView {
  id: string;
  handle: string;
  name: string;
  createdAt: string;
  subscriberCount: number;
  /** public, ready videos */
  videoCount: number;
}

export interface CurrentUser {
  id: string;
  email: string;
  channelId: string;
  channelHandle: string;
  channelName: string;
}

const SESSION_TTL_MS = 30 * 24 * 3600_000;

export class AccountsService {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async register(input: { email: string; password: string; handle: string; displayName?: string }): Promise<CurrentUser> {
    const email = input.email.trim().toLowerCase();
    const handle = input.handle.trim().toLowerCase();
    const taken = await this.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirst();
    if (taken) throw new AppError('email_taken', 'An account with this email already exists', 409);
    const handleTaken = await this.db.selectFrom('channels').select('id').where('handle', '=', handle).executeTakeFirst();
    if (handleTaken) throw new AppError('handle_taken', `The channel handle @${handle} is taken`, 409);
    const user = { id: randomUUID(), email, password_hash: await hashPassword(input.password), created_at: this.now() };
    const channel = { id: randomUUID(), user_id: user.id, handle, name: input.displayName?.trim() || handle, priority: 0, created_at: this.now() };
    try {
      await this.db.transaction().execute(async (tx) => {
        await tx.insertInto('users').values(user).execute();
        await tx.insertInto('channels').values(channel).execute();
      });
    } catch (err) {
      // a concurrent registration won the unique constraint
      throw new AppError('account_conflict', 'This email or handle was just taken; choose another', 409);
    }
    return { id: user.id, email, channelId: channel.id, channelHandle: handle, channelName: channel.name };
  }

  /** Returns a session token, or throws 401 with one message whether the email or the password was wrong. */
  async login(emailRaw: string, password: string): Promise<{ token: string; user: CurrentUser }> {
    const email = emailRaw.trim().toLowerCase();
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    const ok = row ? await verifyPassword(password, row.password_hash) : await verifyPassword(password, DUMMY_HASH);
    if (!row || !ok) throw new AppError('bad_credentials', 'Wrong email or password', 401);
    // suspended by a site admin (src/admin); told only once the password was right
    if (row.suspended_at) throw new AppError('account_suspended', `This account is suspended${row.suspended_reason ? `: ${row.suspended_reason}` : ''}`, 403);
    const token = newToken('rs');
    await this.db
      .insertInto('sessions')
      .values({ token_hash: tokenHash(token), user_id: row.id, kind: 'session', name: 'browser', created_at: this.now(), expires_at: this.now() + SESSION_TTL_MS })
      .execute();
    return { token, user: (await this.userById(row.id))! };
  }

  async createApiToken(userId: string, name: string): Promise<string> {
    const token = newToken('reel');
    await this.db
      .insertInto('sessions')
      .values({ token_hash: tokenHash(token), user_id: userId, kind: 'api', name, created_at: this.now(), expires_at: null })
      .execute();
    return token;
  }

  async revoke(token: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('token_hash', '=', tokenHash(token)).execute();
  }

  async authenticate(token: string | undefined): Promise<CurrentUser | null> {
    if (!token || token.length > 200) return null;
    const s = await this.db.selectFrom('sessions').select(['user_id', 'expires_at']).where('token_hash', '=', tokenHash(token)).executeTakeFirst();
    if (!s || (s.expires_at !== null && s.expires_at < this.now())) return null;
    return this.userById(s.user_id);
  }

  /** Confirms a signed-in user's password before something irreversible (401 when wrong). */
  async verifyPassword(userId: string, password: string): Promise<void> {
    const row = await this.db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirst();
    if (!row || !(await verifyPassword(password, row.password_hash))) throw new AppError('bad_credentials', 'Wrong password', 401);
  }

  /** The channel with this handle (case-insensitive, a leading @ allowed); 404 when there is none. */
  async channelByHandle(handleRaw: string): Promise<ChannelView> {
    const handle = handleRaw.trim().replace(/^@/, '').toLowerCase();
    const row = await this.db
      .selectFrom('channels')
      .select(['channels.id', 'channels.handle', 'channels.name', 'channels.created_at'])
      .select((eb) => eb.selectFrom('subscriptions').select((e) => e.fn.countAll<number | string>().as('n')).whereRef('subscriptions.channel_id', '=', 'channels.id').as('subscribers'))
      .select((eb) =>
        eb.selectFrom('videos').select((e) => e.fn.countAll<number | string>().as('n')).whereRef('videos.channel_id', '=', 'channels.id').where('videos.status', '=', 'ready').where('videos.visibility', '=', 'public').as('videos'),
      )
      .where('channels.handle', '=', handle)
      .executeTakeFirst();
    if (!row) throw notFound('Channel');
    return { id: row.id, handle: row.handle, name: row.name, createdAt: new Date(row.created_at).toISOString(), subscriberCount: Number(row.subscribers ?? 0), videoCount: Number(row.videos ?? 0) };
  }

  async userById(id: string): Promise<CurrentUser | null> {
    const row = await this.db
      .selectFrom('users')
      .innerJoin('channels', 'channels.user_id', 'users.id')
      .select(['users.id as id', 'users.email as email', 'channels.id as channelId', 'channels.handle as channelHandle', 'channels.name as channelName'])
      .where('users.id', '=', id)
      .executeTakeFirst();
    return row ?? null;
  }
}

// verified against when the email is unknown, so response time does not reveal which accounts exist
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
