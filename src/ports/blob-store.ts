/**
 * Blob store port: where sources, renditions and thumbnails live. Keys are slash-separated relative paths.
 * Adapters: filesystem (embedded default); S3 comes with the scale-out issue. One contract suite tests all.
 */
import type { Readable } from 'node:stream';

export interface BlobStat {
  size: number;
  modifiedMs: number;
}

export interface ByteRange {
  start: number;
  /** inclusive */
  end: number;
}

export interface LocalFile {
  path: string;
  release(): Promise<void>;
}

export interface BlobStore {
  readonly kind: string;
  put(key: string, body: Buffer | string | Readable): Promise<void>;
  /**
   * Store a local file under key. move=true: the local file may be consumed (renamed away).
   * link=true: the local file stays but will never change again, so the adapter may share its bytes (hard link).
   */
  putFile(key: string, localPath: string, opts?: { move?: boolean; link?: boolean }): Promise<void>;
  /** Stream the blob or a byte range of it; rejects with BlobNotFoundError */
  get(key: string, range?: ByteRange): Promise<Readable>;
  stat(key: string): Promise<BlobStat | null>;
  delete(key: string): Promise<void>;
  /** Delete every blob whose key starts with prefix; returns how many */
  deletePrefix(prefix: string): Promise<number>;
  list(prefix: string): Promise<string[]>;
  /** A path on local disk holding the blob's bytes, for tools like ffmpeg; release() when done */
  openLocal(key: string): Promise<LocalFile>;
  /**
   * Optional: a short-lived URL that serves the blob with HTTP range requests. When a store has it, workers
   * hand it to ffmpeg, which then reads only the byte ranges of the chunk it encodes.
   */
  urlFor?(key: string, ttlSec?: number): Promise<string>;
}

export class BlobNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`blob not found: ${key}`);
    this.name = 'BlobNotFoundError';
  }
}

const SAFE_KEY = /^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._\-/]+$/;

/** Rejects keys that could escape the store (.., absolute paths, odd characters). */
export function assertSafeKey(key: string): void {
  if (!SAFE_KEY.test(key) || key.startsWith('/') || key.includes('//') || key.length > 512) {
    throw new Error(`unsafe blob key: ${JSON.stringify(key)}`);
  }
}
