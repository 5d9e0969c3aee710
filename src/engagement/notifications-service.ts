/**
 * Notifications: a subscribed channel published a video. The processing pipeline calls `videoPublished`
 * (through the VideoPublishedNotifier port in StepDeps); one row per subscriber is written with a single
 * INSERT … SELECT keyed by (user, "video:<id>"), so a re-run of the publish step notifies nobody twice.
 */
import { sql } from 'kysely';
import type { Db } from '../adapters/db/schema.js';
import type { CurrentUser } from '../accounts/accounts-service.js';
import type { VideosService, VideoView } from '../catalog/videos-service.js';

export interface NotificationView {
  id: string;
  kind: 'new_video';
  video: VideoView;
  createdAt: string;
  read: boolean;
}

export class NotificationsService {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** Fan out "new video" to the channel's subscribers when the video is public (unlisted and private stay quiet). */
  async videoPublished(videoId: string): Promise<number> {
    const v = await this.db.selectFrom('videos').select(['id', 'channel_id', 'visibility', 'status']).where('id', '=', videoId).executeTakeFirst();
    if (!v || v.visibility !== 'public') return 0;
    const res = await this.db
      .insertInto('notifications')
      .columns(['user_id', 'id', 'kind', 'video_id', 'channel_id', 'created_at'])
      .expression((eb) =>
        eb
          .selectFrom('subscriptions')
          .select([
            'subscriptions.user_id',
            sql<string>`cast(${`video:${v.id}`} as text)`.as('id'),
            sql<string>`cast(${'new_video'} as text)`.as('kind'),
            sql<string>`cast(${v.id} as text)`.as('video_id'),
            sql<string>`cast(${v.channel_id} as text)`.as('channel_id'),
            sql<number>`cast(${this.now()} as bigint)`.as('created_at'),
          ])
          .where('subscriptions.channel_id', '=', v.channel_id),
      )
      .onConflict((oc) => oc.columns(['user_id', 'id']).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0);
  }
}

export class InboxService {
  constructor(
    private readonly db: Db,
    private readonly videos: VideosService,
    private readonly now: () => number = Date.now,
  ) {}

  /** Newest first; notifications about videos I can no longer see are left out. `before` is a createdAt cursor (ms). */
  async list(user: CurrentUser, limit: number, opts: { before?: number; unreadOnly?: boolean } = {}): Promise<{ items: NotificationView[]; unread: number; next: string | null }> {
    let q = this.db.selectFrom('notifications').selectAll().where('user_id', '=', user.id);
    if (opts.before !== undefined) q = q.where('created_at', '<', opts.before);
    if (opts.unreadOnly) q = q.where('read_at', 'is', null);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    const items: NotificationView[] = [];
    for (const r of rows) {
      const video = r.video_id ? await this.videos.getVisible(r.video_id, user).catch(() => null) : null;
      if (video) items.push({ id: r.id, kind: r.kind, video, createdAt: new Date(Number(r.created_at)).toISOString(), read: r.read_at !== null });
    }
    const last = rows[rows.length - 1];
    return { items, unread: await this.unread(user), next: rows.length === limit && last ? String(last.created_at) : null };
  }

  async unread(user: CurrentUser): Promise<number> {
    const r = await this.db.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', user.id).where('read_at', 'is', null).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Marks the given notifications (or all) read; returns the unread count left. */
  async markRead(user: CurrentUser, ids?: string[]): Promise<number> {
    let q = this.db.updateTable('notifications').set({ read_at: this.now() }).where('user_id', '=', user.id).where('read_at', 'is', null);
    if (ids) {
      if (ids.length === 0) return this.unread(user);
      q = q.where('id', 'in', ids);
    }
    await q.execute();
    return this.unread(user);
  }
}
