/**
 * Chunks of an upload kept in the blob store (adapters/upload/blob-upload-store.ts): each is named by where it
 * starts and how many bytes it holds, zero-padded so that names sort in byte order.
 */
export interface StoredChunk {
  name: string;
  offset: number;
  size: number;
}

const WIDTH = 15; // up to 999 TB

export function chunkKeyName(offset: number, size: number): string {
  return `${String(offset).padStart(WIDTH, '0')}-${String(size).padStart(WIDTH, '0')}`;
}

export function parseChunkKey(name: string): StoredChunk | null {
  const m = /^(\d{1,20})-(\d{1,20})$/.exec(name);
  if (!m) return null;
  const offset = Number(m[1]);
  const size = Number(m[2]);
  return Number.isSafeInteger(offset) && Number.isSafeInteger(size) && size > 0 ? { name, offset, size } : null;
}

/**
 * The chunks that hold the upload's bytes from 0 without a gap, in order. Every request starts where the stored
 * bytes end, so chunks do not overlap; two requests racing from the same offset may both leave a chunk there,
 * and the longer one is taken.
 */
export function chunkChain(chunks: StoredChunk[]): StoredChunk[] {
  const byStart = new Map<number, StoredChunk>();
  for (const c of chunks) {
    const seen = byStart.get(c.offset);
    if (!seen || c.size > seen.size) byStart.set(c.offset, c);
  }
  const chain: StoredChunk[] = [];
  for (let c = byStart.get(0); c; c = byStart.get(c.offset + c.size)) chain.push(c);
  return chain;
}

/** how many bytes from 0 are stored without a gap */
export function contiguousEnd(chunks: StoredChunk[]): number {
  return chunkChain(chunks).reduce((n, c) => n + c.size, 0);
}
