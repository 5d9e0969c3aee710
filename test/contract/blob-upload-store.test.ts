/**
 * The tus data store kept in the blob store: bodies cut into chunk blobs while they arrive, the bytes of a cut
 * request kept, the offset read back by any instance, expiry removing everything of an abandoned upload.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Upload } from '@tus/utils';
import { FsBlobStore } from '../../src/adapters/blob/fs-blob-store.js';
import { BlobUploadStore } from '../../src/adapters/upload/blob-upload-store.js';

const dir = mkdtempSync(join(tmpdir(), 'reel-blob-uploads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const blobs = new FsBlobStore(join(dir, 'blobs'));
let n = 0;
const make = (chunkBytes = 100_000) => new BlobUploadStore(blobs, { spoolDir: join(dir, `spool${n++}`), expiryMs: 60_000, chunkBytes });
const bytes = (size: number) => Buffer.from(Array.from({ length: size }, (_, i) => (i * 7) % 251));
const collect = async (r: Readable) => {
  const parts: Buffer[] = [];
  for await (const x of r) parts.push(Buffer.from(x));
  return Buffer.concat(parts);
};

describe('tus store in the blob store', () => {
  it('a body larger than a chunk is stored as several chunks; another instance sees the offset and the bytes', async () => {
    const store = make();
    const data = bytes(250_000);
    await store.create(new Upload({ id: 'big1', size: data.length, offset: 0, metadata: { title: 'x' } }));
    const end = await store.write(Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]), 'big1', 0);
    expect(end).toBe(250_000);
    expect((await blobs.list('uploads/big1/chunks/')).length).toBe(3);
    const other = make();
    const u = await other.getUpload('big1');
    expect(u).toMatchObject({ offset: 250_000, size: 250_000, metadata: { title: 'x' } });
    expect((await collect(await other.read('big1'))).equals(data)).toBe(true);
    await other.assemble(['big1'], 'sources/big1');
    expect((await collect(await blobs.get('sources/big1'))).equals(data)).toBe(true);
    expect(readdirSync(join(dir, `spool${n - 2}`))).toEqual([]);
  });

  it('keeps what arrived before a connection was cut, and the next request continues from there', async () => {
    const store = make();
    const data = bytes(180_000);
    await store.create(new Upload({ id: 'cut1', size: data.length, offset: 0 }));
    const cut = new Readable({ read() {} });
    cut.push(data.subarray(0, 120_000));
    setTimeout(() => cut.destroy(new Error('connection reset')), 20);
    await expect(store.write(cut, 'cut1', 0)).rejects.toThrow('connection reset');
    expect((await store.getUpload('cut1')).offset).toBe(120_000);
    expect(await store.write(Readable.from([data.subarray(120_000)]), 'cut1', 120_000)).toBe(180_000);
    expect((await collect(await store.read('cut1'))).equals(data)).toBe(true);
  });

  it('defers the length, terminates, and expires abandoned uploads only', async () => {
    const store = make();
    await store.create(new Upload({ id: 'later', offset: 0 }));
    expect((await store.getUpload('later')).size).toBeUndefined();
    await store.declareUploadLength('later', 5);
    expect((await store.getUpload('later')).size).toBe(5);
    await store.remove('later');
    await expect(store.getUpload('later')).rejects.toMatchObject({ status_code: 404 });
    await store.create(new Upload({ id: 'old', size: 10, offset: 0 }));
    await store.write(Readable.from([Buffer.alloc(4)]), 'old', 0);
    expect(await store.deleteExpired(Date.now())).toBe(0);
    expect(await store.deleteExpired(Date.now() + 120_000)).toBeGreaterThanOrEqual(1);
    expect(await blobs.list('uploads/old/')).toEqual([]);
  });

  it('a store failing for a while is an error, not a missing upload (the client retries instead of starting over)', async () => {
    const store = make();
    await store.create(new Upload({ id: 'flaky', size: 3, offset: 0 }));
    const failing = new BlobUploadStore({ ...blobs, get: async () => Promise.reject(new Error('503 Slow Down')), list: (p: string) => blobs.list(p) } as never, { spoolDir: join(dir, 'spool-x'), expiryMs: 60_000 });
    await expect(failing.getUpload('flaky')).rejects.toThrow('503 Slow Down');
    expect((await store.getUpload('flaky')).size).toBe(3);
  });

  it('refuses ids that could leave its folder', async () => {
    await expect(make().getUpload('../sources/x')).rejects.toMatchObject({ status_code: 404 });
  });
});
