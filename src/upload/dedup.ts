/**
 * SHA-256 de-duplication: bytes this account already uploaded are never transcoded again. A new video made
 * from them gets a copy of the existing renditions, thumbnails and plan, and is ready at once.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../adapters/db/schema.js';
import type { BlobStore } from '../ports/blob-store.js';
import { videoPrefix } from '../catalog/videos-service.js';

export class Dedup {
  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** SHA-256 (hex) of a blob, streamed. */
  async hashBlob(key: string): Promise<string> {
    const h = createHash('sha256');
    for await (const c of await this.blobs.get(key)) h.update(c as Buffer);
    return h.digest('hex');
  }

  async recordHash(videoId: string, sha256: string): Promise<void> {
    await this.db.updateTable('videos').set({ source_sha256: sha256 }).where('id', '=', videoId).execute();
  }

  /** A ready video of the channel made from exactly these bytes. */
  async findReady(channelId: string, sha256: string, exceptId?: string) {
    let q = this.db.selectFrom('videos').selectAll().where('channel_id', '=', channelId).where('source_sha256', '=', sha256).where('status', '=', 'ready');
    if (exceptId) q = q.where('id', '!=', exceptId);
    // encrypted videos' segments are useless without their key (kept per video): never reused
    q = q.where(({ not, exists, selectFrom }) => not(exists(selectFrom('video_keys').select('video_keys.video_id').whereRef('video_keys.video_id', '=', 'videos.id'))));
    return q.orderBy('created_at', 'asc').executeTakeFirst();
  }

  /** Make `toId` a ready copy of `fromId`'s media (renditions, thumbnails, storyboard, plan). */
  async reuse(fromId: string, toId: string): Promise<void> {
    const from = await this.db.selectFrom('videos').selectAll().where('id', '=', fromId).executeTakeFirstOrThrow();
    const src = videoPrefix(fromId);
    const dst = videoPrefix(toId);
    await this.blobs.deletePrefix(dst);
    for (const key of await this.blobs.list(src)) await this.blobs.put(dst + key.slice(src.length), await this.blobs.get(key));
    const t = this.now();
    await this.db
      .updateTable('videos')
      .set({
        status: 'ready',
        media: from.media,
        renditions: from.renditions,
        duration_sec: from.duration_sec,
        width: from.width,
        height: from.height,
        thumbnail_key: from.thumbnail_key ? dst + from.thumbnail_key.slice(src.length) : null,
        source_sha256: from.source_sha256,
        progress: 1,
        playable_at: t,
        published_at: t,
        updated_at: t,
        error_code: null,
        error_message: null,
      })
      .where('id', '=', toId)
      .execute();
  }
}
