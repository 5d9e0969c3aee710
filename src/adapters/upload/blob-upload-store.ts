/**
 * A tus data store kept in the blob store (S3 in a scale-out deployment), so an upload is not pinned to the API
 * process that received its first bytes: any process can answer HEAD and take the next PATCH.
 *
 * Layout under `uploads/<id>/`: `info.json` (length, metadata, creation date) and one blob per run of received
 * bytes, `chunks/<offset>-<size>` (both numbers zero-padded, so listing order is byte order). The offset is
 * where the contiguous chain of chunks from 0 ends, so a HEAD needs one list call and no per-chunk stat. A PATCH
 * body is cut into chunks of at most `chunkBytes` while it arrives; each full chunk is stored while the next one
 * is received, and whatever arrived before a cut connection is stored too, so the client resumes after it.
 * On finish, `assemble` streams the chunks in order into the video's source blob.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { DataStore, ERRORS, Upload } from '@tus/utils';
import { BlobNotFoundError, type BlobStore } from '../../ports/blob-store.js';
import { chunkChain, chunkKeyName, contiguousEnd, parseChunkKey, type StoredChunk } from '../../core/upload-chunks.js';

export interface BlobUploadStoreOptions {
  /** where chunks are spooled while they arrive (one chunk per request at a time, deleted once stored) */
  spoolDir: string;
  expiryMs: number;
  /** the largest chunk blob; a PATCH body larger than this is stored as several */
  chunkBytes?: number;
  prefix?: string;
}

interface Info {
  size?: number;
  metadata?: Record<string, string | null>;
  creation_date: string;
}

export class BlobUploadStore extends DataStore {
  private readonly prefix: string;
  private readonly chunkBytes: number;

  constructor(private readonly blobs: BlobStore, private readonly opts: BlobUploadStoreOptions) {
    super();
    this.extensions = ['creation', 'creation-with-upload', 'creation-defer-length', 'termination', 'expiration'];
    this.prefix = opts.prefix ?? 'uploads/';
    this.chunkBytes = opts.chunkBytes ?? 64 * 2 ** 20;
  }

  private dir(id: string) {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) throw ERRORS.FILE_NOT_FOUND;
    return `${this.prefix}${id}/`;
  }

  private async info(id: string): Promise<Info> {
    const key = `${this.dir(id)}info.json`;
    try {
      const parts: Buffer[] = [];
      for await (const c of await this.blobs.get(key)) parts.push(Buffer.from(c as Buffer));
      return JSON.parse(Buffer.concat(parts).toString('utf8')) as Info;
    } catch (err) {
      // only a missing upload is a 404: a store that fails for a while must not make clients start over
      if (err instanceof BlobNotFoundError) throw ERRORS.FILE_NOT_FOUND;
      throw err;
    }
  }

  private async chunks(id: string): Promise<StoredChunk[]> {
    const dir = `${this.dir(id)}chunks/`;
    return (await this.blobs.list(dir)).map((k) => parseChunkKey(k.slice(dir.length))).filter((c): c is StoredChunk => c !== null);
  }

  async create(upload: Upload): Promise<Upload> {
    upload.creation_date = new Date().toISOString();
    const info: Info = { size: upload.size, metadata: upload.metadata, creation_date: upload.creation_date };
    await this.blobs.put(`${this.dir(upload.id)}info.json`, JSON.stringify(info));
    return upload;
  }

  async getUpload(id: string): Promise<Upload> {
    const [info, chunks] = await Promise.all([this.info(id), this.chunks(id)]);
    return new Upload({ id, size: info.size, offset: contiguousEnd(chunks), metadata: info.metadata, creation_date: info.creation_date, storage: { type: 'blob', path: this.dir(id) } });
  }

  async declareUploadLength(id: string, length: number): Promise<void> {
    const info = await this.info(id);
    await this.blobs.put(`${this.dir(id)}info.json`, JSON.stringify({ ...info, size: length }));
  }

  async write(body: Readable, id: string, offset: number): Promise<number> {
    const dir = `${this.dir(id)}chunks/`;
    await mkdir(this.opts.spoolDir, { recursive: true });
    let stored: Promise<void> = Promise.resolve();
    let at = offset;
    let file: { path: string; out: WriteStream; start: number; size: number } | null = null;
    const open = () => {
      const path = join(this.opts.spoolDir, `${id}-${randomBytes(6).toString('hex')}`);
      file = { path, out: createWriteStream(path).on('error', () => {}), start: at, size: 0 };
      return file;
    };
    // a full (or the last) spool file becomes a chunk blob while the next one fills; chunks land in order
    const seal = async (f: NonNullable<typeof file>) => {
      await new Promise<void>((ok, fail) => f.out.end((err?: Error | null) => (err ? fail(err) : ok())));
      const previous = stored;
      stored = (async () => {
        await previous;
        if (f.size > 0) await this.blobs.putFile(`${dir}${chunkKeyName(f.start, f.size)}`, f.path, { move: true });
        await rm(f.path, { force: true });
      })();
      stored.catch(() => {});
    };
    let failure: unknown = null;
    try {
      for await (const data of body) {
        let buf = data as Buffer;
        while (buf.length) {
          const f = file ?? open();
          const take = Math.min(buf.length, this.chunkBytes - f.size);
          const part = buf.subarray(0, take);
          if (!f.out.write(part)) await new Promise<void>((ok) => f.out.once('drain', () => ok()));
          f.size += take;
          at += take;
          buf = buf.subarray(take);
          if (f.size === this.chunkBytes) {
            file = null;
            await seal(f);
          }
        }
      }
    } catch (err) {
      failure = err; // a cut connection: what arrived is still stored, so the client resumes after it
    }
    if (file) await seal(file);
    await stored;
    if (failure) throw failure;
    return at;
  }

  /** the upload's bytes, in order (for an upload whose chunks form one chain from 0) */
  async read(id: string): Promise<Readable> {
    const chain = await this.chain(id);
    const blobs = this.blobs;
    return Readable.from((async function* () {
      for (const key of chain) yield* await blobs.get(key);
    })());
  }

  private async chain(id: string): Promise<string[]> {
    return chunkChain(await this.chunks(id)).map((c) => `${this.dir(id)}chunks/${c.name}`);
  }

  /** Store the bytes of these finished uploads, in order, as one blob (the video's source). */
  async assemble(ids: string[], key: string): Promise<void> {
    const reads = ids.map((id) => () => this.read(id));
    await this.blobs.put(key, Readable.from((async function* () {
      for (const r of reads) yield* await r();
    })()));
  }

  async remove(id: string): Promise<void> {
    await this.info(id);
    await this.blobs.deletePrefix(this.dir(id));
  }

  getExpiration(): number {
    return this.opts.expiryMs;
  }

  /** Unfinished uploads older than the expiry lose their bytes (finished ones were removed when they finished). */
  async deleteExpired(now = Date.now()): Promise<number> {
    if (!this.opts.expiryMs) return 0;
    const ids = new Set((await this.blobs.list(this.prefix)).map((k) => k.slice(this.prefix.length).split('/')[0]).filter(Boolean));
    let removed = 0;
    for (const id of ids) {
      const info = await this.info(id).catch(() => null);
      // a folder with chunks but no info (its creation never finished) expires by the time of its newest chunk
      const born = info ? Date.parse(info.creation_date) : await this.newestChunkTime(id);
      if (born !== null && now - born > this.opts.expiryMs) {
        await this.blobs.deletePrefix(this.dir(id));
        removed++;
      }
    }
    return removed;
  }

  private async newestChunkTime(id: string): Promise<number | null> {
    let newest: number | null = null;
    for (const c of await this.chunks(id)) {
      const s = await this.blobs.stat(`${this.dir(id)}chunks/${c.name}`);
      if (s) newest = Math.max(newest ?? 0, s.modifiedMs);
    }
    return newest;
  }
}
