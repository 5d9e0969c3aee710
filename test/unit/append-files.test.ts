import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendFiles, appendFilesWithoutCat } from '../../src/adapters/files/append-files.js';

const dir = mkdtempSync(join(tmpdir(), 'reel-append-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * seed) % 251));

describe.each([
  ['kernel copy (cat)', appendFiles],
  ['read-write loop', appendFilesWithoutCat],
])('appending files: %s', (name, append) => {
  it('leaves the target holding its bytes then every source, in order', async () => {
    const parts = [bytes(1000, 3), bytes(9 << 20, 5), bytes(0, 1), bytes(77, 7)];
    const files = parts.map((p, i) => {
      const f = join(dir, `${name}-${i}`);
      writeFileSync(f, p);
      return f;
    });
    await append(files[0], files.slice(1));
    expect(readFileSync(files[0]).equals(Buffer.concat(parts))).toBe(true);
  });
});

it('a missing source fails and leaves the target as it was', async () => {
  const t = join(dir, 'target');
  writeFileSync(t, 'abc');
  await expect(appendFiles(t, [join(dir, 'nope')])).rejects.toThrow();
  expect(readFileSync(t, 'utf8')).toBe('abc');
});
