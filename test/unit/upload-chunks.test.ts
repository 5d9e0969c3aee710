import { describe, expect, it } from 'vitest';
import { chunkChain, chunkKeyName, contiguousEnd, parseChunkKey } from '../../src/core/upload-chunks.js';

const c = (offset: number, size: number) => parseChunkKey(chunkKeyName(offset, size))!;

describe('upload chunks kept in the blob store', () => {
  it('names sort in byte order and parse back', () => {
    const names = [chunkKeyName(10_000, 5), chunkKeyName(9, 9991), chunkKeyName(0, 9)];
    expect([...names].sort()).toEqual([chunkKeyName(0, 9), chunkKeyName(9, 9991), chunkKeyName(10_000, 5)]);
    expect(parseChunkKey(chunkKeyName(123, 456))).toMatchObject({ offset: 123, size: 456 });
  });

  it.each([
    ['nothing stored', [], 0],
    ['one chunk', [c(0, 10)], 10],
    ['a chain', [c(0, 10), c(10, 5), c(15, 1)], 16],
    ['a gap stops the chain', [c(0, 10), c(12, 5)], 10],
    ['nothing from 0', [c(5, 5)], 0],
    ['two racing requests at one offset: the longer wins', [c(0, 10), c(10, 3), c(10, 7), c(17, 2)], 19],
  ])('%s', (_name, chunks, end) => {
    expect(contiguousEnd(chunks)).toBe(end);
    expect(chunkChain(chunks).reduce((n, x) => n + x.size, 0)).toBe(end);
  });

  it.each(['', 'x-1', '1-0', '1', '-1-2', '1-2-3', '99999999999999999999-1'])('ignores a foreign name %j', (name) => {
    expect(parseChunkKey(name)).toBeNull();
  });
});
