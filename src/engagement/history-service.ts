/**
 * Watch history and resume positions per account. Positions are written by the view heartbeats (ViewStore, in
 * the same batches as views); this service reads and clears them.
 */
import type { Db } from '../adapters/db/schema.js';
import type { CurrentUser } from '../accounts/accounts-service.js';
import type { VideosService, VideoView } from '../catalog/videos-service.js';

export interface HistoryEntry {
  video: VideoView;
  positionSec: number;
  watchedSec: number;
  watchedAt: string;
}

export class HistoryService {
  constructor(
    private readonly db: Db,
    private readonly videos: VideosService,
  ) {}

  /** Most recently watched first; videos the account can no longer see are left out. `before` is a watchedAt cursor (ms). */
  async list(user: CurrentUser, limit: number, before?: number): Promise<{ items: HistoryEntry[]; next: string | null }> {
    let q = this.db.selectFrom('watch_history').selectAll().where('user_id', '=', user.id);
    if (before !== undefined) q = q.where('updated_at', '<', before);
    const rows = await q.orderBy('updated_at', 'desc').orderBy('video_id').limit(limit).execute();
    const items: HistoryEntry[] = [];
    for (const r of rows) {
      const video = await this.videos.getVisible(r.video_id, user).catch(() => null);
      if (video) items.push({ video, positionSec: r.position_sec, watchedSec: r.watched_sec, watchedAt: new Date(Number(r.updated_at)).toISOString() });
    }
    const last = rows[rows.length - 1];
    return { items, next: rows.length === limit && last ? String(last.updated_at) : null };
  }

  async resumePosition(userId: string, videoId: string): Promise<number | null> {
    const r = await this.db.selectFrom('watch_history').select('position_sec').where('user_id', '=', userId).where('video_id', '=', videoId).executeTakeFirst();
    return r ? r.position_sec : null;
  }

  /** Clears the whole history, or one video's entry. */
  async clear(user: CurrentUser, videoId?: string): Promise<number> {
    let q = this.db.deleteFrom('watch_history').where('user_id', '=', user.id);
    if (videoId) q = q.where('video_id', '=', videoId);
    const res = await q.executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
