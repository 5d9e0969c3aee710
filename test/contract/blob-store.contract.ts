/**
 * The blob-store contract: every adapter (filesystem now, S3 later) must pass this same suite.
 */
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobNotFoundError, type BlobStore } from '../../src/ports/blob-store.js';

async function text(s: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}

export function blobStoreContract(name: string, make: () => Promise<BlobStore>) {
  describe(`BlobStore contract: ${name}`, () => {
    it('put/get/stat round-trip for buffers, strings and streams', async () => {
      const s = await make();
      await s.put('a/one.txt', Buffer.from('hello'));
      await s.put('a/two.txt', 'world');
      await s.put('a/three.txt', Readable.from([Buffer.from('str'), Buffer.from('eam')]));
      expect(await text(await s.get('a/one.txt'))).toBe('hello');
      expect(await text(await s.get('a/two.txt'))).toBe('world');
      expect(await text(await s.get('a/three.txt'))).toBe('stream');
      expect((await s.stat('a/one.txt'))?.size).toBe(5);
      expect(await s.stat('a/missing')).toBeNull();
    });

    it('reads byte ranges (inclusive end)', async () => {
      const s = await make();
      await s.put('r/x', '0123456789');
      expect(await text(await s.get('r/x', { start: 2, end: 5 }))).toBe('2345');
      expect(await text(await s.get('r/x', { start: 9, end: 9 }))).toBe('9');
    });

    it('overwrites in place (idempotent re-runs)', async () => {
      const s = await make();
      await s.put('o/k', 'first');
      await s.put('o/k', 'second');
      expect(await text(await s.get('o/k'))).toBe('second');
      expect(await s.list('o/')).toEqual(['o/k']);
    });

    it('missing blobs reject with BlobNotFoundError', async () => {
      const s = await make();
      await expect(s.get('nope/x')).rejects.toBeInstanceOf(BlobNotFoundError);
      await expect(s.openLocal('nope/x')).rejects.toBeInstanceOf(BlobNotFoundError);
    });

    it('lists by prefix and deletes a prefix completely', async () => {
      const s = await make();
      await s.put('v/1/a', '1');
      await s.put('v/1/sub/b', '2');
      await s.put('v/2/a', '3');
      expect(await s.list('v/1/')).toEqual(['v/1/a', 'v/1/sub/b']);
      expect(await s.deletePrefix('v/1/')).toBe(2);
      expect(await s.list('v/1/')).toEqual([]);
      expect(await s.list('v/')).toEqual(['v/2/a']);
      await s.delete('v/2/a');
      await s.delete('v/2/a'); // deleting twice is fine
      expect(await s.list('v/')).toEqual([]);
    });

    it('putFile copies or moves a local file; openLocal gives a readable path', async () => {
      const s = await make();
      const local = join(tmpdir(), `blob-contract-${Date.now()}-${Math.random()}`);
      await writeFile(local, 'local bytes');
      await s.putFile('f/copied', local);
      await s.putFile('f/moved', local, { move: true });
      await expect(readFile(local)).rejects.toThrow();
      const lf = await s.openLocal('f/moved');
      expect(await readFile(lf.path, 'utf8')).toBe('local bytes');
      await lf.release();
      expect(await text(await s.get('f/copied'))).toBe('local bytes');
    });

    it('refuses keys that would escape the store', async () => {
      const s = await make();
      await expect(s.put('../escape', 'x')).rejects.toThrow(/unsafe/);
      await expect(s.get('a/../../etc/passwd')).rejects.toThrow(/unsafe/);
    });
  });
}
