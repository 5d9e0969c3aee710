/**
 * fMP4 patching on a synthetic CMAF segment built here byte by byte:
 *   styp, sidx, moof(mfhd, traf(tfhd, tfdt v0, trun)), mdat, moof(mfhd, traf(tfhd, tfdt v1, trun)), mdat
 * Shifting moves tfdt and sidx onto the video's timeline and renumbers mfhd; nothing else changes.
 */
import { describe, expect, it } from 'vitest';
import { boxes, readFragments, shiftSegment, trackTimescale } from '../../src/core/fmp4.js';

// ---- a tiny ISO-BMFF writer ----
const u8 = (n: number) => Buffer.from([n]);
const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const u64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
};
const fourcc = (s: string) => Buffer.from(s, 'latin1');
const box = (type: string, ...payload: Buffer[]) => {
  const body = Buffer.concat(payload);
  return Buffer.concat([u32(8 + body.length), fourcc(type), body]);
};
/** a box with a 64-bit largesize (size field 1) */
const largeBox = (type: string, ...payload: Buffer[]) => {
  const body = Buffer.concat(payload);
  return Buffer.concat([u32(1), fourcc(type), u64(BigInt(16 + body.length)), body]);
};
const fullBox = (type: string, version: number, flags: number, ...payload: Buffer[]) =>
  box(type, Buffer.concat([u8(version), u8((flags >> 16) & 0xff), u8((flags >> 8) & 0xff), u8(flags & 0xff)]), ...payload);

const TIMESCALE = 15360;
const SAMPLE_DELTA = 512; // 30 fps at 15360
const styp = () => box('styp', fourcc('msdh'), u32(0), fourcc('msdh'), fourcc('msix'));
const sidx = (version: 0 | 1, ept: bigint, timescale = TIMESCALE) =>
  fullBox(
    'sidx', version, 0,
    u32(1), u32(timescale),
    ...(version === 1 ? [u64(ept), u64(0n)] : [u32(Number(ept)), u32(0)]),
    u16(0), u16(1),
    u32(4000), u32(SAMPLE_DELTA * 4), u32(0x90000000),
  );
const tfdt = (version: 0 | 1, t: bigint) => fullBox('tfdt', version, 0, version === 1 ? u64(t) : u32(Number(t)));
const moof = (seq: number, tfdtBox: Buffer, samples: number[]) =>
  box(
    'moof',
    fullBox('mfhd', 0, 0, u32(seq)),
    box(
      'traf',
      fullBox('tfhd', 0, 0x020000, u32(1)), // default-base-is-moof
      tfdtBox,
      // data-offset, sample-duration and sample-size present
      fullBox('trun', 0, 0x000301, u32(samples.length), u32(0), ...samples.flatMap((s) => [u32(SAMPLE_DELTA), u32(s)])),
    ),
  );

/** sample bytes that look like boxes: a parser that descends into mdat would patch them */
const SAMPLE_BYTES_1 = Buffer.concat([fullBox('tfdt', 0, 0, u32(0)), fullBox('mfhd', 0, 0, u32(1)), Buffer.from('frame-one-data', 'latin1')]);
const SAMPLE_BYTES_2 = Buffer.concat([Buffer.from([0, 0, 0, 1, 0xff, 0xfe, 0x00]), fullBox('sidx', 0, 0, u32(1), u32(TIMESCALE), u32(0), u32(0))]);

function segment(opts: { t0?: bigint; t1?: bigint; sidxVersion?: 0 | 1; sidxEpt?: bigint; sidxTimescale?: number } = {}) {
  const parts = {
    styp: styp(),
    sidx: sidx(opts.sidxVersion ?? 0, opts.sidxEpt ?? opts.t0 ?? 0n, opts.sidxTimescale),
    moof1: moof(1, tfdt(0, opts.t0 ?? 0n), [SAMPLE_BYTES_1.length]),
    mdat1: box('mdat', SAMPLE_BYTES_1),
    moof2: moof(2, tfdt(1, opts.t1 ?? BigInt(SAMPLE_DELTA)), [SAMPLE_BYTES_2.length]),
    mdat2: box('mdat', SAMPLE_BYTES_2),
  };
  return { buf: Buffer.concat(Object.values(parts)), parts };
}

/** byte offsets where two equally long buffers differ */
function changedOffsets(a: Buffer, b: Buffer): number[] {
  expect(b.length).toBe(a.length);
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

/** absolute offset of the first box of `type` found by a depth-first walk of the known containers */
function find(buf: Buffer, type: string, nth = 0): number {
  const found: number[] = [];
  const walk = (start: number, end: number) => {
    for (const b of boxes(buf, start, end)) {
      if (b.type === type) found.push(b.start);
      if (['moof', 'traf', 'moov', 'trak', 'mdia', 'minf', 'stbl'].includes(b.type)) walk(b.start + b.headerSize, b.start + b.size);
    }
  };
  walk(0, buf.length);
  return found[nth];
}

describe('boxes', () => {
  it('lists the top-level boxes with their offsets and sizes', () => {
    const { buf, parts } = segment();
    let at = 0;
    const expected = Object.entries(parts).map(([name, b]) => {
      const r = { type: name.replace(/\d$/, ''), start: at, size: b.length, headerSize: 8 };
      at += b.length;
      return r;
    });
    expect([...boxes(buf)]).toEqual(expected);
  });

  it('reads a 64-bit largesize box and a size-0 box that runs to the end', () => {
    const a = largeBox('mdat', Buffer.from('abcdef'));
    const b = Buffer.concat([u32(0), fourcc('mdat'), Buffer.alloc(20, 7)]);
    expect([...boxes(Buffer.concat([styp(), a, b]))]).toEqual([
      { type: 'styp', start: 0, size: 24, headerSize: 8 },
      { type: 'mdat', start: 24, size: 22, headerSize: 16 },
      { type: 'mdat', start: 46, size: 28, headerSize: 8 },
    ]);
  });

  it('walks a sub-range (the children of a container)', () => {
    const { buf, parts } = segment();
    const moofAt = parts.styp.length + parts.sidx.length;
    expect([...boxes(buf, moofAt + 8, moofAt + parts.moof1.length)].map((b) => b.type)).toEqual(['mfhd', 'traf']);
  });

  it.each<[string, () => Buffer]>([
    ['a size past the end of the buffer', () => Buffer.concat([styp(), u32(100), fourcc('mdat'), Buffer.alloc(10)])],
    ['a size smaller than the box header', () => Buffer.concat([styp(), u32(4), fourcc('mdat'), Buffer.alloc(10)])],
    ['a largesize smaller than its 16-byte header', () => Buffer.concat([u32(1), fourcc('mdat'), u64(12n), Buffer.alloc(8)])],
    ['a truncated segment', () => segment().buf.subarray(0, segment().buf.length - 3)],
  ])('throws on %s', (_name, make) => {
    expect(() => [...boxes(make())]).toThrow(/corrupt MP4 box "mdat" at \d+/);
  });
});

describe('trackTimescale', () => {
  const mdhd = (version: 0 | 1, timescale: number) =>
    fullBox('mdhd', version, 0, ...(version === 1 ? [u64(0n), u64(0n), u32(timescale), u64(0n)] : [u32(0), u32(0), u32(timescale), u32(0)]), u16(0x55c4), u16(0));
  const mvhd = fullBox('mvhd', 0, 0, u32(0), u32(0), u32(1000), u32(0), Buffer.alloc(80));
  const trak = (m: Buffer) => box('trak', fullBox('tkhd', 0, 3, Buffer.alloc(80)), box('mdia', m, box('hdlr', Buffer.alloc(25))));
  const init = (...traks: Buffer[]) => Buffer.concat([box('ftyp', fourcc('iso6'), u32(0)), box('moov', mvhd, ...traks)]);

  it.each<[string, Buffer, number]>([
    ['mdhd version 0 (not the movie timescale of mvhd)', init(trak(mdhd(0, 15360))), 15360],
    ['mdhd version 1', init(trak(mdhd(1, 90000))), 90000],
    ['the first of two tracks', init(trak(mdhd(0, 30000)), trak(mdhd(0, 44100))), 30000],
  ])('reads %s', (_name, buf, expected) => {
    expect(trackTimescale(buf)).toBe(expected);
  });

  it('throws without an mdhd', () => {
    expect(() => trackTimescale(init())).toThrow(/no mdhd timescale/);
  });
});

describe('readFragments', () => {
  it('reads the sequence number and decode time of each fragment (tfdt v0 and v1)', () => {
    expect(readFragments(segment({ t0: 1000n, t1: 5_000_000_000n }).buf)).toEqual([
      { sequence: 1, baseDecodeTime: 1000n },
      { sequence: 2, baseDecodeTime: 5_000_000_000n },
    ]);
  });
});

describe('shiftSegment', () => {
  it.each<[string, bigint, number]>([
    ['onto chunk 1 at 2.002 s (30750.72 -> 30751 units)', 30751n, 1001],
    ['by a whole hour', 3600n * BigInt(TIMESCALE), 5001],
    ['by nothing (only renumbering)', 0n, 1],
  ])('shifts tfdt and sidx and renumbers mfhd: %s', (_name, offset, firstSequence) => {
    const { buf } = segment({ t0: 0n, t1: BigInt(SAMPLE_DELTA) });
    const before = Buffer.from(buf);
    const out = shiftSegment(buf, offset, firstSequence);
    expect(buf.equals(before)).toBe(true); // the input is not modified
    expect(readFragments(out)).toEqual([
      { sequence: firstSequence, baseDecodeTime: offset },
      { sequence: firstSequence + 1, baseDecodeTime: offset + BigInt(SAMPLE_DELTA) },
    ]);
    const sidxAt = find(out, 'sidx');
    expect(BigInt(out.readUInt32BE(sidxAt + 20))).toBe(offset);
    // only the patched fields differ: tfdt values, the sidx earliest presentation time, the mfhd sequence numbers
    const allowed = new Set<number>();
    const field = (at: number, len: number) => {
      for (let i = 0; i < len; i++) allowed.add(at + i);
    };
    field(sidxAt + 20, 4);
    field(find(out, 'mfhd', 0) + 12, 4);
    field(find(out, 'mfhd', 1) + 12, 4);
    field(find(out, 'tfdt', 0) + 12, 4);
    field(find(out, 'tfdt', 1) + 12, 8);
    for (const i of changedOffsets(buf, out)) expect(allowed).toContain(i);
    // the sample data (which looks like boxes on purpose) is byte for byte the same
    expect(out.includes(SAMPLE_BYTES_1)).toBe(true);
    expect(out.includes(SAMPLE_BYTES_2)).toBe(true);
    expect(out.length).toBe(buf.length);
  });

  it('shifts a 64-bit sidx past 32 bits', () => {
    const { buf } = segment({ t0: 0n, sidxVersion: 1, sidxEpt: 0x2000_0000n });
    const out = shiftSegment(buf, 0xf000_0000n, 1);
    expect(out.readBigUInt64BE(find(out, 'sidx') + 20)).toBe(0x1_1000_0000n);
  });

  it('leaves a sidx with timescale 0 alone', () => {
    const { buf } = segment({ sidxEpt: 7n, sidxTimescale: 0 });
    const out = shiftSegment(buf, 1000n, 1);
    expect(out.readUInt32BE(find(out, 'sidx') + 20)).toBe(7);
    expect(readFragments(out)[0].baseDecodeTime).toBe(1000n);
  });

  it('lets a version-1 tfdt go past 32 bits', () => {
    const { buf } = segment({ t0: 0n, t1: 0xffff_ff00n, sidxEpt: 0n });
    expect(readFragments(shiftSegment(buf, 0x200n, 1))[1].baseDecodeTime).toBe(0x1_0000_0100n);
  });

  it('refuses to overflow a version-0 tfdt', () => {
    const { buf } = segment({ t0: 0xffff_ff00n, t1: 0n, sidxEpt: 0n });
    expect(() => shiftSegment(buf, 0xffn, 1)).not.toThrow(); // exactly 2^32 - 1 still fits
    expect(() => shiftSegment(buf, 0x100n, 1)).toThrow(/tfdt overflow in a version-0 box/);
  });

  it('refuses to overflow a version-0 sidx', () => {
    const { buf } = segment({ t0: 0n, sidxEpt: 0xffff_ffffn });
    expect(() => shiftSegment(buf, 1n, 1)).toThrow(/sidx overflow in a version-0 box/);
  });

  it.each<[string, (b: Buffer) => void, RegExp]>([
    ['a moof claiming more bytes than the segment has', (b) => b.writeUInt32BE(b.length, find(b, 'moof')), /corrupt MP4 box "moof"/],
    ['a tfdt running past the end of its traf', (b) => b.writeUInt32BE(64, find(b, 'tfdt')), /corrupt MP4 box "tfdt"/],
    ['an mfhd with a size below its header', (b) => b.writeUInt32BE(3, find(b, 'mfhd')), /corrupt MP4 box "mfhd"/],
  ])('throws on corrupt sizes: %s', (_name, corrupt, message) => {
    const { buf } = segment();
    corrupt(buf);
    expect(() => shiftSegment(buf, 100n, 1)).toThrow(message);
    expect(() => readFragments(buf)).toThrow(message);
  });
});
