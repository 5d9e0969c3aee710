/**
 * Erasure: deleting a video removes its files (the videos service, which also tells search and the edges) and
 * everything people did around it; erasing an account deletes its videos that way, turns its comments into
 * "[deleted]" placeholders (threads stay readable), removes its votes, ratings, history, subscriptions,
 * playlists and notifications, anonymises its view records (counts stay right), then deletes the account.
 * Every erasure is written to the append-only audit log.
 */
import { sql } from 'kysely';
import type { AccountsService, CurrentUser } from '../accounts/accounts-service.js';
import type { Db } from '../adapters/db/schema.js';
import type { VideosService } from '../catalog/videos-service.js';
import { randomBytes } from 'node:crypto';
import type { AuditLog } from './audit-log.js';

export class ErasureService {
  constructor(
    private readonly db: Db,
    private readonly videos: VideosService,
    private readonly accounts: AccountsService,
    private readonly audit: AuditLog,
    /** drop an unfinished upload's bytes */
    private readonly removeUpload: (uploadId: string) => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {}

  async deleteVideo(user: CurrentUser, videoId: string): Promise<void> {
    const row = await this.videos.owned(user, videoId);
    const { uploadId } = await this.videos.delete(user, videoId);
    if (uploadId) await this.removeUpload(uploadId).catch(() => {});
    await this.forgetVideo(videoId);
    await this.audit.record(user, 'video.delete', { type: 'video', id: videoId }, { title: row.title, status: row.status });
  }

  /** Rows about a video that is gone: views, ratings, history, comments and their votes, playlist entries, notifications. */
  private async forgetVideo(videoId: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('comment_votes').where('comment_id', 'in', tx.selectFrom('comments').select('id').where('video_id', '=', videoId)).execute();
      for (const table of ['comments', 'view_events', 'video_view_counts', 'video_view_hourly', 'watch_history', 'video_ratings', 'playlist_items', 'notifications'] as const) {
        await tx.deleteFrom(table).where('video_id', '=', videoId).execute();
      }
    });
  }

  async eraseAccount(user: CurrentUser, password: string): Promise<{ videos: number; comments: number }> {
    await this.accounts.verifyPassword(user.id, password);
    const videoIds = (await this.db.selectFrom('videos').select('id').where('channel_id', '=', user.channelId).execute()).map((r) => r.id);
    for (const id of videoIds) await this.deleteVideo(user, id);
    const t = this.now();
    const comments = await this.db.transaction().execute(async (tx) => {
      const n = await tx.updateTable('comments').set({ body: '', deleted_at: t }).where('user_id', '=', user.id).where('deleted_at', 'is', null).executeTakeFirst();
      // votes go, and the scores they moved with them
      const voted = (await tx.selectFrom('comment_votes').select('comment_id').where('user_id', '=', user.id).execute()).map((r) => r.comment_id);
      await tx.deleteFrom('comment_votes').where('user_id', '=', user.id).execute();
      for (const id of voted) {
        await tx
          .updateTable('comments')
          .set({ score: sql`coalesce((select sum(v.value) from comment_votes v where v.comment_id = ${id}), 0)` })
          .where('id', '=', id)
          .execute();
      }
      await tx.deleteFrom('video_ratings').where('user_id', '=', user.id).execute();
      await tx.deleteFrom('watch_history').where('user_id', '=', user.id).execute();
      await tx.deleteFrom('subscriptions').where((eb) => eb.or([eb('user_id', '=', user.id), eb('channel_id', '=', user.channelId)])).execute();
      await tx.deleteFrom('notifications').where((eb) => eb.or([eb('user_id', '=', user.id), eb('channel_id', '=', user.channelId)])).execute();
      await tx.deleteFrom('playlist_items').where('playlist_id', 'in', tx.selectFrom('playlists').select('id').where('user_id', '=', user.id)).execute();
      await tx.deleteFrom('playlists').where('user_id', '=', user.id).execute();
      // views stay counted, but nothing ties them to the person any more
      const anon = `e:${randomBytes(8).toString('hex')}`;
      await tx.updateTable('view_events').set({ user_id: null, viewer_key: anon }).where('user_id', '=', user.id).execute();
      await tx.deleteFrom('users').where('id', '=', user.id).execute(); // sessions, tokens, channel, grants cascade
      return Number(n.numUpdatedRows);
    });
    await this.audit.record(user, 'account.erase', { type: 'user', id: user.id }, { videos: videoIds.length, comments });
    return { videos: videoIds.length, comments };
  }
}
