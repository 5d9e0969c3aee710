/** Likes and dislikes: one per account per video, changeable or removable; counts per video. */
import type { Db } from '../adapters/db/schema.js';
import type { CurrentUser } from '../accounts/accounts-service.js';
import type { VideosService } from '../catalog/videos-service.js';

export type Rating = 'like' | 'dislike';

export class RatingsService {
  constructor(
    private readonly db: Db,
    private readonly videos: VideosService,
    private readonly now: () => number = Date.now,
  ) {}

  /** Sets (or with null removes) the account's rating of a video it can see. */
  async rate(user: CurrentUser, videoId: string, rating: Rating | null): Promise<{ likes: number; dislikes: number; myRating: Rating | null }> {
    await this.videos.getVisible(videoId, user);
    if (rating === null) {
      await this.db.deleteFrom('video_ratings').where('user_id', '=', user.id).where('video_id', '=', videoId).execute();
    } else {
      const value = rating === 'like' ? 1 : -1;
      await this.db
        .insertInto('video_ratings')
        .values({ user_id: user.id, video_id: videoId, value, created_at: this.now() })
        .onConflict((oc) => oc.columns(['user_id', 'video_id']).doUpdateSet({ value, created_at: this.now() }))
        .execute();
    }
    return { ...(await this.counts(videoId)), myRating: rating };
  }

  async counts(videoId: string): Promise<{ likes: number; dislikes: number }> {
    const rows = await this.db
      .selectFrom('video_ratings')
      .select(['value', (eb) => eb.fn.countAll<number>().as('n')])
      .where('video_id', '=', videoId)
      .groupBy('value')
      .execute();
    const n = (v: number) => Number(rows.find((r) => Number(r.value) === v)?.n ?? 0);
    return { likes: n(1), dislikes: n(-1) };
  }

  async mine(userId: string, videoId: string): Promise<Rating | null> {
    const r = await this.db.selectFrom('video_ratings').select('value').where('user_id', '=', userId).where('video_id', '=', videoId).executeTakeFirst();
    return r ? (Number(r.value) > 0 ? 'like' : 'dislike') : null;
  }
}
