/**
 * Per-video AES-128 keys (table video_keys, migration 0004) and the encryption of segments as the encoders
 * publish them. Keys live in the database only; the blob store holds ciphertext. The origin serves a key at
 * /media/<id>/[t/<token>/]key.bin under the same authorization as the segments.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../adapters/db/schema.js';
import { AppError } from '../core/errors.js';
import { decryptSegment, encryptSegment, segmentIv } from '../core/hls-encryption.js';

export interface VideoKeysTable {
  video_id: string;
  method: 'aes-128';
  key_hex: string;
  created_at: number;
}

declare module '../adapters/db/schema.js' {
  interface Database {
    video_keys: VideoKeysTable;
  }
}

export class SegmentCipher {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** Turn encryption on for a video before any of its media exists (idempotent). */
  async enable(videoId: string, status: string): Promise<void> {
    if (await this.key(videoId)) return;
    if (status !== 'uploading') throw new AppError('too_late', 'Encryption can only be turned on before the upload completes', 409);
    await this.db.insertInto('video_keys').values({ video_id: videoId, method: 'aes-128', key_hex: randomBytes(16).toString('hex'), created_at: this.now() }).execute();
  }

  async key(videoId: string): Promise<Buffer | null> {
    const row = await this.db.selectFrom('video_keys').select('key_hex').where('video_id', '=', videoId).executeTakeFirst();
    return row ? Buffer.from(row.key_hex, 'hex') : null;
  }

  async isEncrypted(videoId: string): Promise<boolean> {
    return (await this.key(videoId)) !== null;
  }

  /** `path`: the segment's path within the video, e.g. "720p/c00000_000.m4s". Clear videos pass through. */
  async seal(videoId: string, path: string, bytes: Buffer): Promise<Buffer> {
    const key = await this.key(videoId);
    return key ? encryptSegment(key, segmentIv(path), bytes) : bytes;
  }

  async open(videoId: string, path: string, bytes: Buffer): Promise<Buffer> {
    const key = await this.key(videoId);
    return key ? decryptSegment(key, segmentIv(path), bytes) : bytes;
  }
}
