/** Subscriptions to channels and the subscriptions feed (ready public videos of subscribed channels). */
import type { Db } from '../adapters/db/schema.js';
import type { CurrentUser } from '../accounts/accounts-service.js';
import type { VideosService, VideoView } from '../catalog/videos-service.js';
import { AppError, notFound } from '../core/errors.js';

export interface ChannelSummary {
  id: string;
  handle: string;
  name: string;
}

export class SubscriptionsService {
  constructor(
    private readonly db: Db,
    private readonly videos: VideosService,
    private readonly now: () => number = Date.now,
  ) {}

  async subscribe(user: CurrentUser, channelId: string): Promise<{ subscribed: boolean; subscribers: number }> {
    await this.channel(channelId);
    if (channelId === user.channelId) throw new AppError('own_channel', 'You cannot subscribe to your own channel', 400);
    await this.db
      .insertInto('subscriptions')
      .values({ user_id: user.id, channel_id: channelId, created_at: this.now() })
      .onConflict((oc) => oc.columns(['user_id', 'channel_id']).doNothing())
      .execute();
    return this.status(user, channelId);
  }

  async unsubscribe(user: CurrentUser, channelId: string): Promise<{ subscribed: boolean; subscribers: number }> {
    await this.channel(channelId);
    await this.db.deleteFrom('subscriptions').where('user_id', '=', user.id).where('channel_id', '=', channelId).execute();
    return this.status(user, channelId);
  }

  async status(user: CurrentUser | null, channelId: string): Promise<{ subscribed: boolean; subscribers: number }> {
    await this.channel(channelId);
    const n = await this.db.selectFrom('subscriptions').select((eb) => eb.fn.countAll<number>().as('n')).where('channel_id', '=', channelId).executeTakeFirst();
    const mine = user ? await this.db.selectFrom('subscriptions').select('channel_id').where('user_id', '=', user.id).where('channel_id', '=', channelId).executeTakeFirst() : undefined;
    return { subscribed: !!mine, subscribers: Number(n?.n ?? 0) };
  }

  async list(user: CurrentUser): Promise<ChannelSummary[]> {
    return this.db
      .selectFrom('subscriptions')
      .innerJoin('channels', 'channels.id', 'subscriptions.channel_id')
      .select(['channels.id', 'channels.handle', 'channels.name'])
      .where('subscriptions.user_id', '=', user.id)
      .orderBy('channels.handle')
      .execute();
  }

  /** Ready public videos of the channels I subscribe to, newest first; `before` is a publishedAt cursor (ms). */
  async feed(user: CurrentUser, limit: number, before?: number): Promise<{ items: VideoView[]; next: string | null }> {
    let q = this.db
      .selectFrom('videos')
      .innerJoin('subscriptions', 'subscriptions.channel_id', 'videos.channel_id')
      .select(['videos.id', 'videos.published_at'])
      .where('subscriptions.user_id', '=', user.id)
      .where('videos.status', '=', 'ready')
      .where('videos.visibility', '=', 'public');
    if (before !== undefined) q = q.where('videos.published_at', '<', before);
    const rows = await q.orderBy('videos.published_at', 'desc').orderBy('videos.id', 'desc').limit(limit).execute();
    const items: VideoView[] = [];
    for (const r of rows) {
      const v = await this.videos.getVisible(r.id, user).catch(() => null);
      if (v) items.push(v);
    }
    const last = rows[rows.length - 1];
    return { items, next: rows.length === limit && last?.published_at ? String(last.published_at) : null };
  }

  private async channel(id: string) {
    const c = await this.db.selectFrom('channels').select('id').where('id', '=', id).executeTakeFirst();
    if (!c) throw notFound('Channel');
    return c;
  }
}
