/**
 * A read-through view over two blob stores: reads look in `first`, then in `second`; writes and deletes go to
 * `first` only. Tiering uses it (hot, then cold) so a re-encode finds a kept source or rendition wherever it is,
 * and so a file served from the cold store survives being promoted (cold, then hot) while it streams.
 */
import { BlobNotFoundError, type BlobStat, type BlobStore, type ByteRange, type LocalFile } from '../ports/blob-store.js';
import type { Readable } from 'node:stream';

export class ReadThroughBlobStore implements BlobStore {
  readonly kind: string;
  readonly urlFor?: (key: string, ttlSec?: number) => Promise<string>;

  constructor(
    private readonly first: BlobStore,
    private readonly second: BlobStore,
  ) {
    this.kind = `${first.kind}+${second.kind}`;
    // only when both can: ffmpeg then reads whichever holds the key by URL
    if (first.urlFor && second.urlFor) {
      this.urlFor = async (key, ttlSec) => {
        const s = (await this.first.stat(key)) ? this.first : this.second;
        return s.urlFor!(key, ttlSec);
      };
    }
  }

  put(key: string, body: Buffer | string | Readable): Promise<void> {
    return this.first.put(key, body);
  }

  putFile(key: string, localPath: string, opts?: { move?: boolean; link?: boolean }): Promise<void> {
    return this.first.putFile(key, localPath, opts);
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    try {
      return await this.first.get(key, range);
    } catch (err) {
      if (!(err instanceof BlobNotFoundError)) throw err;
      return this.second.get(key, range);
    }
  }

  async stat(key: string): Promise<BlobStat | null> {
    return (await this.first.stat(key)) ?? this.second.stat(key);
  }

  delete(key: string): Promise<void> {
    return this.first.delete(key);
  }

  deletePrefix(prefix: string): Promise<number> {
    return this.first.deletePrefix(prefix);
  }

  async list(prefix: string): Promise<string[]> {
    const [a, b] = await Promise.all([this.first.list(prefix), this.second.list(prefix)]);
    return [...new Set([...a, ...b])].sort();
  }

  async openLocal(key: string): Promise<LocalFile> {
    if (await this.first.stat(key)) return this.first.openLocal(key);
    if (await this.second.stat(key)) return this.second.openLocal(key);
    throw new BlobNotFoundError(key);
  }
}
