/**
 * Filesystem blob store (embedded default): one file per key under a root folder.
 * Writes go to a temporary name and are renamed into place, so readers never see half a file.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertSafeKey, BlobNotFoundError, type BlobStat, type BlobStore, type ByteRange, type LocalFile } from '../../ports/blob-store.js';

export class FsBlobStore implements BlobStore {
  readonly kind = 'fs';
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    assertSafeKey(key);
    return join(this.root, ...key.split('/'));
  }

  private async tmpFor(path: string): Promise<string> {
    await mkdir(dirname(path), { recursive: true });
    return `${path}.tmp-${randomUUID()}`;
  }

  async put(key: string, body: Buffer | string | Readable): Promise<void> {
    const path = this.pathOf(key);
    const tmp = await this.tmpFor(path);
    try {
      if (body instanceof Readable) await pipeline(body, createWriteStream(tmp));
      else await writeFile(tmp, body);
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async putFile(key: string, localPath: string, opts: { move?: boolean; link?: boolean } = {}): Promise<void> {
    const path = this.pathOf(key);
    const tmp = await this.tmpFor(path);
    try {
      if (opts.link) {
        try {
          await link(localPath, tmp);
        } catch {
          await copyFile(localPath, tmp);
        }
      } else if (opts.move) {
        try {
          await rename(localPath, tmp);
        } catch (err: any) {
          if (err.code !== 'EXDEV') throw err;
          await copyFile(localPath, tmp);
          await unlink(localPath);
        }
      } else await copyFile(localPath, tmp);
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const path = this.pathOf(key);
    const s = await this.stat(key);
    if (!s) throw new BlobNotFoundError(key);
    return createReadStream(path, range ? { start: range.start, end: range.end } : {});
  }

  async stat(key: string): Promise<BlobStat | null> {
    try {
      const s = await stat(this.pathOf(key));
      return s.isFile() ? { size: s.size, modifiedMs: s.mtimeMs } : null;
    } catch (err: any) {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<number> {
    const keys = await this.list(prefix);
    await Promise.all(keys.map((k) => this.delete(k)));
    await this.pruneEmptyDirs(prefix);
    return keys.length;
  }

  private async pruneEmptyDirs(prefix: string): Promise<void> {
    const dir = prefix.endsWith('/') ? prefix.slice(0, -1) : dirname(prefix);
    if (!dir || dir === '.') return;
    try {
      const path = this.pathOf(dir);
      const left = await this.list(dir + '/');
      if (left.length === 0) await rm(path, { recursive: true, force: true });
    } catch {
      /* nothing to prune */
    }
  }

  async list(prefix: string): Promise<string[]> {
    const slash = prefix.lastIndexOf('/');
    const base = slash >= 0 ? prefix.slice(0, slash) : '';
    if (base) assertSafeKey(base);
    const dir = base ? join(this.root, ...base.split('/')) : this.root;
    let entries: string[];
    try {
      entries = (await readdir(dir, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile() && !e.name.includes('.tmp-'))
        .map((e) => relative(this.root, join(e.parentPath ?? (e as any).path, e.name)).split(sep).join('/'));
    } catch (err: any) {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return [];
      throw err;
    }
    return entries.filter((k) => k.startsWith(prefix)).sort();
  }

  async openLocal(key: string): Promise<LocalFile> {
    const path = this.pathOf(key);
    if (!(await this.stat(key))) throw new BlobNotFoundError(key);
    return { path, release: async () => {} };
  }
}
