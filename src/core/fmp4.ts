/**
 * Minimal ISO-BMFF (fragmented MP4 / CMAF) patching. Pure, on Buffers.
 *
 * Chunks are encoded independently, so every chunk's fragments start at decode time 0. Placing a chunk on the
 * video's timeline means shifting each fragment's baseMediaDecodeTime (tfdt), the segment index's earliest
 * presentation time (sidx) and renumbering the fragment sequence (mfhd). Sample data is untouched.
 */

const CONTAINERS = new Set(['moof', 'traf', 'moov', 'trak', 'mdia', 'minf', 'stbl', 'mvex']);

export interface Box {
  type: string;
  start: number;
  size: number;
  headerSize: number;
}

export function* boxes(buf: Buffer, start = 0, end = buf.length): Generator<Box> {
  let off = start;
  while (off + 8 <= end) {
    let size = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    let headerSize = 8;
    if (size === 1) {
      size = Number(buf.readBigUInt64BE(off + 8));
      headerSize = 16;
    } else if (size === 0) size = end - off;
    if (size < headerSize || off + size > end) throw new Error(`corrupt MP4 box ${JSON.stringify(type)} at ${off}`);
    yield { type, start: off, size, headerSize };
    off += size;
  }
}

function visit(buf: Buffer, fn: (b: Box) => void, start = 0, end = buf.length): void {
  for (const b of boxes(buf, start, end)) {
    fn(b);
    if (CONTAINERS.has(b.type)) visit(buf, fn, b.start + b.headerSize, b.start + b.size);
  }
}

/** Media timescale of the first track of an init segment (mdhd). */
export function trackTimescale(init: Buffer): number {
  let ts = 0;
  visit(init, (b) => {
    if (b.type === 'mdhd' && ts === 0) {
      const version = init[b.start + 8];
      ts = init.readUInt32BE(b.start + 8 + 4 + (version === 1 ? 16 : 8));
    }
  });
  if (!ts) throw new Error('no mdhd timescale in init segment');
  return ts;
}

export interface FragmentInfo {
  sequence: number;
  baseDecodeTime: bigint;
}

export function readFragments(seg: Buffer): FragmentInfo[] {
  const out: FragmentInfo[] = [];
  let seq = 0;
  visit(seg, (b) => {
    if (b.type === 'mfhd') seq = seg.readUInt32BE(b.start + 12);
    if (b.type === 'tfdt') {
      const v1 = seg[b.start + 8] === 1;
      out.push({ sequence: seq, baseDecodeTime: v1 ? seg.readBigUInt64BE(b.start + 12) : BigInt(seg.readUInt32BE(b.start + 12)) });
    }
  });
  return out;
}

/**
 * Shift every tfdt (and sidx earliest presentation time) by `offset` timescale units and renumber mfhd from
 * `firstSequence`. Returns a new buffer; version-0 boxes that would overflow 32 bits are refused.
 */
export function shiftSegment(seg: Buffer, offset: bigint, firstSequence: number): Buffer {
  const out = Buffer.from(seg);
  let seq = firstSequence;
  visit(out, (b) => {
    const p = b.start + 12; // after size, type, version+flags
    if (b.type === 'mfhd') out.writeUInt32BE(seq++, p);
    else if (b.type === 'tfdt') {
      if (out[b.start + 8] === 1) out.writeBigUInt64BE(out.readBigUInt64BE(p) + offset, p);
      else {
        const v = BigInt(out.readUInt32BE(p)) + offset;
        if (v > 0xffffffffn) throw new Error('tfdt overflow in a version-0 box');
        out.writeUInt32BE(Number(v), p);
      }
    } else if (b.type === 'sidx') {
      // version, flags, reference_ID(4), timescale(4), then earliest_presentation_time (32 or 64 bit)
      const at = b.start + 12 + 8;
      const sidxTimescale = out.readUInt32BE(b.start + 16);
      if (sidxTimescale === 0) return;
      if (out[b.start + 8] === 1) out.writeBigUInt64BE(out.readBigUInt64BE(at) + offset, at);
      else {
        const v = BigInt(out.readUInt32BE(at)) + offset;
        if (v > 0xffffffffn) throw new Error('sidx overflow in a version-0 box');
        out.writeUInt32BE(Number(v), at);
      }
    }
  });
  return out;
}
