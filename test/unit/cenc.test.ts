/** The CENC packager (core/cenc.ts) on hand-built fMP4 boxes: init protection boxes, subsamples, senc/saiz/saio, offsets. */
import { createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { avcSubsamples, box, cencInit, cencIvSeed, cencKeys, cencSegment, cencTrack, cencUri, kidUuid } from '../../src/core/cenc.js';
import { boxes, type Box } from '../../src/core/fmp4.js';

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const full = (type: string, flags: number, ...p: Buffer[]) => box(type, u32(flags), ...p);
const nal = (type: number, len: number, fill: number) => Buffer.concat([u32(len), Buffer.from([type]), Buffer.alloc(len - 1, fill)]);

function init(format: 'avc1' | 'mp4a'): Buffer {
  const entry =
    format === 'avc1'
      ? box('avc1', Buffer.alloc(78, 0), box('avcC', Buffer.from([1, 0x64, 0, 0x1f, 0xff, 0xe0, 0])))
      : box('mp4a', Buffer.alloc(28, 0), box('esds', Buffer.alloc(8)));
  const stsd = full('stsd', 0, u32(1), entry);
  const trak = box('trak', box('tkhd', Buffer.alloc(84)), box('mdia', box('minf', box('stbl', stsd, full('stco', 0, u32(0))))));
  const trex = full('trex', 0, u32(1), u32(1), u32(0), u32(0), u32(0));
  return Buffer.concat([box('ftyp', Buffer.from('iso5', 'latin1'), u32(512)), box('moov', box('mvhd', Buffer.alloc(100)), trak, box('mvex', trex))]);
}

function segment(samples: Buffer[]): Buffer {
  const trunBody = (offset: number) => Buffer.concat([u32(samples.length), u32(offset), ...samples.map((s) => u32(s.length))]);
  const moofOf = (offset: number) => box('moof', full('mfhd', 0, u32(1)), box('traf', full('tfhd', 0x20000, u32(1)), full('tfdt', 0, u32(0)), full('trun', 0x201, trunBody(offset))));
  const moofSize = moofOf(0).length;
  const mdat = box('mdat', ...samples);
  const moof = moofOf(moofSize + 8);
  const sidx = full('sidx', 0, u32(1), u32(1000), u32(0), u32(0), Buffer.from([0, 0, 0, 1]), u32(moof.length + mdat.length), u32(1000), u32(0x90000000));
  return Buffer.concat([box('styp', Buffer.from('msdh', 'latin1')), sidx, moof, mdat]);
}

const find = (buf: Buffer, type: string, start = 0, end = buf.length): Box | undefined => {
  for (const b of boxes(buf, start, end)) {
    if (b.type === type) return b;
    if (['moov', 'trak', 'mdia', 'minf', 'stbl', 'moof', 'traf', 'sinf', 'schi'].includes(b.type)) {
      const inner = find(buf, type, b.start + 8, b.start + b.size);
      if (inner) return inner;
    }
    if (b.type === 'stsd') {
      const entry = [...boxes(buf, b.start + 16, b.start + b.size)][0];
      if (entry.type === type) return entry;
      const fields = entry.type === 'encv' ? 78 : 28;
      const inner = find(buf, type, entry.start + 8 + fields, entry.start + entry.size);
      if (inner) return inner;
    }
  }
  return undefined;
};

/** Decrypt every sample of a CENC segment with senc's IVs and subsamples (what a CDM does). */
function decrypt(seg: Buffer, key: Buffer): { samples: Buffer[]; saioPointsAtSenc: boolean; sidxSize: number; fragmentSize: number } {
  const moof = find(seg, 'moof')!;
  const trun = find(seg, 'trun')!;
  const senc = find(seg, 'senc')!;
  const saio = find(seg, 'saio')!;
  const count = seg.readUInt32BE(trun.start + 12);
  let at = moof.start + seg.readInt32BE(trun.start + 16);
  const subs = (seg.readUInt32BE(senc.start + 8) & 2) !== 0;
  let p = senc.start + 16;
  const samples: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const size = seg.readUInt32BE(trun.start + 20 + 4 * i);
    const sample = Buffer.from(seg.subarray(at, at + size));
    const iv = seg.subarray(p, p + 8);
    p += 8;
    const d = createDecipheriv('aes-128-ctr', key, Buffer.concat([iv, Buffer.alloc(8)]));
    if (!subs) d.update(sample).copy(sample);
    else {
      const n = seg.readUInt16BE(p);
      p += 2;
      let off = 0;
      for (let j = 0; j < n; j++, p += 6) {
        off += seg.readUInt16BE(p);
        const prot = seg.readUInt32BE(p + 2);
        d.update(sample.subarray(off, off + prot)).copy(sample, off);
        off += prot;
      }
      expect(off).toBe(size);
    }
    samples.push(sample);
    at += size;
  }
  const sidx = find(seg, 'sidx')!;
  const mdat = find(seg, 'mdat')!;
  return { samples, saioPointsAtSenc: moof.start + seg.readUInt32BE(saio.start + 16) === senc.start + 16, sidxSize: seg.readUInt32BE(sidx.start + 32) & 0x7fffffff, fragmentSize: moof.size + mdat.size };
}

describe('CENC packaging', () => {
  const { key, kid } = cencKeys(Buffer.alloc(16, 1));

  it('derives a key and KID from the stored key, distinct from it and from each other', () => {
    expect(key).toHaveLength(16);
    expect(kid).toHaveLength(16);
    expect(key.equals(kid)).toBe(false);
    expect(key.equals(Buffer.alloc(16, 1))).toBe(false);
    expect(cencKeys(Buffer.alloc(16, 1))).toEqual({ key, kid });
    expect(kidUuid(Buffer.from('0123456789abcdef0123456789abcdef', 'hex'))).toBe('01234567-89ab-cdef-0123-456789abcdef');
    expect(cencUri('720p/c00000_001.m4s')).toBe('720p/cenc/c00000_001.m4s');
    expect(cencUri('audio/init.mp4')).toBe('audio/cenc/init.mp4');
  });

  it.each([
    ['one IDR slice: length + header clear, the rest protected', [nal(5, 40, 9)], [{ clear: 5, protected: 39 }]],
    ['SEI then slice: the SEI joins the clear run', [nal(6, 5, 1), nal(1, 30, 2)], [{ clear: 9 + 5, protected: 29 }]],
    ['two slices', [nal(1, 20, 1), nal(1, 20, 2)], [{ clear: 5, protected: 19 }, { clear: 5, protected: 19 }]],
    ['trailing parameter sets stay clear', [nal(5, 20, 1), nal(7, 10, 2), nal(8, 4, 3)], [{ clear: 5, protected: 19 }, { clear: 22, protected: 0 }]],
    ['no VCL at all', [nal(9, 2, 0)], [{ clear: 6, protected: 0 }]],
  ])('subsamples: %s', (_n, nals, expected) => {
    const sample = Buffer.concat(nals);
    const subs = avcSubsamples(sample, 4);
    expect(subs).toEqual(expected);
    expect(subs.reduce((a, s) => a + s.clear + s.protected, 0)).toBe(sample.length);
  });

  it('splits clear runs over 65535 bytes and refuses truncated NAL units', () => {
    const subs = avcSubsamples(Buffer.concat([nal(6, 70_000, 1), nal(5, 10, 2)]), 4);
    expect(subs).toEqual([{ clear: 65535, protected: 0 }, { clear: 70_004 + 5 - 65535, protected: 9 }]);
    expect(() => avcSubsamples(Buffer.concat([u32(50), Buffer.alloc(10)]), 4)).toThrow();
  });

  it.each([
    ['H.264', 'avc1', 'encv', [Buffer.concat([nal(6, 5, 1), nal(5, 300, 7)]), nal(1, 77, 3)], true],
    ['AAC', 'mp4a', 'enca', [Buffer.alloc(200, 4), Buffer.alloc(33, 5), Buffer.alloc(1, 6)], false],
  ] as const)('%s: protected init, encrypted samples that decrypt back, offsets and sidx moved', (_n, format, enc, samples, subsampled) => {
    const clearInit = init(format);
    const protectedInit = cencInit(clearInit, kid);
    expect(find(protectedInit, enc)).toBeDefined();
    expect(find(protectedInit, format)).toBeUndefined();
    const frma = find(protectedInit, 'frma')!;
    expect(protectedInit.toString('latin1', frma.start + 8, frma.start + 12)).toBe(format);
    const schm = find(protectedInit, 'schm')!;
    expect(protectedInit.toString('latin1', schm.start + 12, schm.start + 16)).toBe('cenc');
    const tenc = find(protectedInit, 'tenc')!;
    expect([...protectedInit.subarray(tenc.start + 12, tenc.start + 16)]).toEqual([0, 0, 1, 8]);
    expect(protectedInit.subarray(tenc.start + 16, tenc.start + 32)).toEqual(kid);
    const pssh = find(protectedInit, 'pssh')!;
    expect(protectedInit.subarray(pssh.start + 12, pssh.start + 28).toString('hex')).toBe('1077efecc0b24d02ace33c1e52e2fb4b');
    expect(protectedInit.subarray(pssh.start + 32, pssh.start + 48)).toEqual(kid);
    // every ancestor's size was updated: the whole file parses to its end
    expect([...boxes(protectedInit)].map((b) => b.type)).toEqual(['ftyp', 'moov']);
    expect(cencTrack(clearInit)).toEqual({ format, nalLengthSize: subsampled ? 4 : null, defaultSampleSize: 0 });

    const clear = segment([...samples]);
    const out = cencSegment(clear, cencTrack(clearInit), key, Buffer.from('0102030405060708', 'hex'));
    expect([...boxes(out)].map((b) => b.type)).toEqual(['styp', 'sidx', 'moof', 'mdat']);
    const mdat = find(out, 'mdat')!;
    expect(mdat.size).toBe(find(clear, 'mdat')!.size);
    expect(out.subarray(mdat.start + 8).equals(clear.subarray(find(clear, 'mdat')!.start + 8))).toBe(false);
    const r = decrypt(out, key);
    expect(r.samples).toEqual(samples);
    expect(r.saioPointsAtSenc).toBe(true);
    expect(r.sidxSize).toBe(r.fragmentSize);
    expect((out.readUInt32BE(find(out, 'senc')!.start + 8) & 2) !== 0).toBe(subsampled);
    // other IV seeds, other ciphertext; the wrong key does not give the samples back
    expect(cencSegment(clear, cencTrack(clearInit), key, cencIvSeed()).equals(out)).toBe(false);
    expect(decrypt(out, Buffer.alloc(16)).samples).not.toEqual(samples);
    // an encrypted segment is not encrypted again
    expect(() => cencSegment(out, cencTrack(clearInit), key, cencIvSeed())).toThrow(/already encrypted/);
  });
});
