/**
 * Per-video AES-128 keys (table video_keys, migration 0004) and the encryption of segments as the encoders
 * publish them. Keys live in the database only; the blob store holds ciphertext. The origin serves a key at
 * /media/<id>/[t/<token>/]key.bin under the same authorization as the segments; DASH players get the CENC key
 * (derived from it, core/cenc.ts) from the ClearKey license endpoint /media/<id>/[t/<token>/]license.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../adapters/db/schema.js';
import { AppError } from '../core/errors.js';
import { decryptSegment, encryptSegment, segmentIv } from '../core/hls-encryption.js';
import { cencInit, cencIvSeed, cencKeys, cencSegment, cencTrack } from '../core/cenc.js';

/** An encrypted video's DASH packaging: ClearKey CENC copies of its H.264 and AAC files (core/cenc.ts). */
export interface CencSealer {
  kid: Buffer;
  init(init: Buffer): Buffer;
  /** `clear`: a media segment; `init`: its rendition's (clear) init segment */
  segment(clear: Buffer, init: Buffer): Buffer;
}

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

  /**
   * The CENC key and KID of an encrypted video (derived from its stored key, so nothing else is stored),
   * or null for a clear video.
   */
  async cencKeys(videoId: string): Promise<{ key: Buffer; kid: Buffer } | null> {
    const key = await this.key(videoId);
    return key ? cencKeys(key) : null;
  }

  /** A sealer for the DASH (CENC) copies of an encrypted video's files; null for a clear video. */
  async cenc(videoId: string): Promise<CencSealer | null> {
    const keys = await this.cencKeys(videoId);
    if (!keys) return null;
    return {
      kid: keys.kid,
      init: (init) => cencInit(init, keys.kid),
      segment: (clear, init) => cencSegment(clear, cencTrack(init), keys.key, cencIvSeed()),
    };
  }

  async open(videoId: string, path: string, bytes: Buffer): Promise<Buffer> {
    const key = await this.key(videoId);
    return key ? decryptSegment(key, segmentIv(path), bytes) : bytes;
  }
}
