/**
 * ISO/IEC 23001-7 Common Encryption, scheme 'cenc' (AES-128-CTR), for the DASH copies of an encrypted video's
 * fMP4 files. Pure (node:crypto only), on Buffers.
 *
 * - `cencInit`: the init segment with its sample entry turned protected (avc1 → encv, mp4a → enca, plus
 *   sinf = frma + schm 'cenc' + schi/tenc with the default KID and 8-byte per-sample IVs) and a W3C common
 *   'pssh' (system 1077efec…, the KID, no data) so any EME player finds the key id without the MPD.
 * - `cencSegment`: every fragment's samples encrypted in place, their IVs and subsamples in senc (+ saiz/saio),
 *   trun data offsets moved by what the moof grew. Fragment boundaries, timing and sample sizes stay exactly as
 *   they were, so the DASH copy has the same segments (same durations) as the HLS one.
 *
 * H.264 samples use subsample encryption (each NAL unit's length and header byte stay clear, non-VCL NAL units
 * stay wholly clear), as the scheme requires for NAL-structured video; audio samples are encrypted whole.
 * IVs are 8 bytes: a random per-file seed plus the sample's index (senc carries them), so no two samples share a
 * counter block, not even a segment and its re-encoded replacement (storage tiering re-creates renditions).
 */
import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { boxes, type Box } from './fmp4.js';

/** DASH-IF ClearKey system id (the MPD's ContentProtection) */
export const CLEARKEY_SCHEME_ID = 'urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e';
/** the W3C "common" PSSH system id: a pssh box that only lists key ids, what ClearKey's 'cenc' init data is */
export const COMMON_PSSH_SYSTEM_ID = '1077efecc0b24d02ace33c1e52e2fb4b';

/** The CENC content key and its key id, derived from the video's stored key (HKDF-SHA256): only the stored key is kept. */
export function cencKeys(videoKey: Buffer): { key: Buffer; kid: Buffer } {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', videoKey, Buffer.alloc(0), info, 16));
  return { key: derive('reel-cenc-key'), kid: derive('reel-cenc-kid') };
}

/** 16 bytes as the MPD's cenc:default_KID wants them: 8-4-4-4-12 hex. */
export function kidUuid(kid: Buffer): string {
  const h = kid.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A fresh 8-byte IV seed for one file. */
export function cencIvSeed(): Buffer {
  return randomBytes(8);
}

const u8 = (n: number) => Buffer.from([n]);
const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

export function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  return Buffer.concat([u32(body.length + 8), Buffer.from(type, 'latin1'), body]);
}

const fullBox = (type: string, version: number, flags: number, ...payload: Buffer[]) => box(type, u32(((version & 0xff) << 24) | (flags & 0xffffff)), ...payload);

const payloadOf = (buf: Buffer, b: Box) => buf.subarray(b.start + b.headerSize, b.start + b.size);
const children = (buf: Buffer, b: Box) => [...boxes(buf, b.start + b.headerSize, b.start + b.size)];

// -------------------------------------------------------------------------------------------------- init segment

export interface CencTrack {
  /** the original sample entry format: avc1, mp4a, … */
  format: string;
  /** NAL unit length size for H.264 (subsample encryption), null for audio (whole samples) */
  nalLengthSize: number | null;
  /** trex default_sample_size (used when neither trun nor tfhd gives sizes) */
  defaultSampleSize: number;
}

const VISUAL = new Set(['avc1', 'avc3']);
const AUDIO = new Set(['mp4a']);
/** bytes of the fixed fields of a sample entry before its child boxes */
const VISUAL_FIELDS = 78;
const AUDIO_FIELDS = 28;

function find(buf: Buffer, path: string[], start = 0, end = buf.length): Box | null {
  for (const b of boxes(buf, start, end)) {
    if (b.type !== path[0]) continue;
    if (path.length === 1) return b;
    const inner = b.type === 'stsd' ? b.start + b.headerSize + 8 : b.start + b.headerSize;
    return find(buf, path.slice(1), inner, b.start + b.size);
  }
  return null;
}

const STSD_PATH = ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd'];

/** The one track of a rendition's init segment, as `cencSegment` needs it. */
export function cencTrack(init: Buffer): CencTrack {
  const stsd = find(init, STSD_PATH);
  if (!stsd) throw new Error('init segment has no stsd');
  const entry = [...boxes(init, stsd.start + stsd.headerSize + 8, stsd.start + stsd.size)][0];
  if (!entry) throw new Error('init segment has no sample entry');
  const format = entry.type;
  let nalLengthSize: number | null = null;
  if (VISUAL.has(format)) {
    const avcC = [...boxes(init, entry.start + entry.headerSize + VISUAL_FIELDS, entry.start + entry.size)].find((b) => b.type === 'avcC');
    if (!avcC) throw new Error('H.264 sample entry without avcC');
    nalLengthSize = (init[avcC.start + avcC.headerSize + 4] & 3) + 1;
  } else if (!AUDIO.has(format)) throw new Error(`CENC packaging does not support ${format}`);
  const trex = find(init, ['moov', 'mvex', 'trex']);
  // trex: version/flags, track_ID, default_sample_description_index, default_sample_duration, default_sample_size
  const defaultSampleSize = trex ? init.readUInt32BE(trex.start + trex.headerSize + 16) : 0;
  return { format, nalLengthSize, defaultSampleSize };
}

/** Rebuild the boxes of [start, end) with `fn` replacing some of them (returning null keeps a box as is). */
function rebuild(buf: Buffer, start: number, end: number, fn: (b: Box) => Buffer | null): Buffer {
  return Buffer.concat([...boxes(buf, start, end)].map((b) => fn(b) ?? buf.subarray(b.start, b.start + b.size)));
}

export function psshBox(kid: Buffer): Buffer {
  return fullBox('pssh', 1, 0, Buffer.from(COMMON_PSSH_SYSTEM_ID, 'hex'), u32(1), kid, u32(0));
}

export function cencInit(init: Buffer, kid: Buffer): Buffer {
  if (kid.length !== 16) throw new Error('a KID is 16 bytes');
  const protect = (entry: Box): Buffer => {
    const format = entry.type;
    const enc = VISUAL.has(format) ? 'encv' : AUDIO.has(format) ? 'enca' : null;
    if (!enc) throw new Error(`CENC packaging does not support ${format}`);
    const sinf = box(
      'sinf',
      box('frma', Buffer.from(format, 'latin1')),
      fullBox('schm', 0, 0, Buffer.from('cenc', 'latin1'), u32(0x00010000)),
      box('schi', fullBox('tenc', 0, 0, u8(0), u8(0), u8(1), u8(8), kid)),
    );
    return box(enc, payloadOf(init, entry), sinf);
  };
  const walk = (b: Box, depth: number): Buffer | null => {
    const name = STSD_PATH[depth];
    if (b.type !== name) return null;
    if (name === 'stsd') {
      const head = init.subarray(b.start + b.headerSize, b.start + b.headerSize + 8); // version/flags, entry_count
      return box('stsd', head, rebuild(init, b.start + b.headerSize + 8, b.start + b.size, protect));
    }
    const inner = rebuild(init, b.start + b.headerSize, b.start + b.size, (c) => walk(c, depth + 1));
    return box(name, inner, depth === 0 ? psshBox(kid) : Buffer.alloc(0));
  };
  return rebuild(init, 0, init.length, (b) => walk(b, 0));
}

// -------------------------------------------------------------------------------------------------- media segments

interface Subsample {
  clear: number;
  protected: number;
}

/** Subsamples of one length-prefixed H.264 sample: VCL NAL units (1–5) keep length + header clear, others stay clear. */
export function avcSubsamples(sample: Buffer, lengthSize: number): Subsample[] {
  const out: Subsample[] = [];
  let clear = 0;
  let off = 0;
  while (off < sample.length) {
    if (off + lengthSize > sample.length) throw new Error('truncated NAL unit length');
    let len = 0;
    for (let i = 0; i < lengthSize; i++) len = len * 256 + sample[off + i];
    const end = off + lengthSize + len;
    if (end > sample.length || len === 0) throw new Error('NAL unit runs past its sample');
    const type = sample[off + lengthSize] & 0x1f;
    if (type >= 1 && type <= 5 && len > 1) {
      out.push({ clear: clear + lengthSize + 1, protected: len - 1 });
      clear = 0;
    } else clear += lengthSize + len;
    off = end;
  }
  if (clear > 0 || out.length === 0) out.push({ clear, protected: 0 });
  // BytesOfClearData is 16 bits: split larger clear runs
  const split: Subsample[] = [];
  for (const s of out) {
    let c = s.clear;
    while (c > 0xffff) {
      split.push({ clear: 0xffff, protected: 0 });
      c -= 0xffff;
    }
    split.push({ clear: c, protected: s.protected });
  }
  return split;
}

function counterBlock(iv: Buffer): Buffer {
  return Buffer.concat([iv, Buffer.alloc(8)]);
}

/** AES-128-CTR over the protected bytes of one sample (one continuous keystream across its subsamples), in place. */
function cryptSample(key: Buffer, iv: Buffer, sample: Buffer, subs: Subsample[] | null): void {
  const c = createCipheriv('aes-128-ctr', key, counterBlock(iv));
  if (!subs) {
    c.update(sample).copy(sample);
    return;
  }
  let off = 0;
  for (const s of subs) {
    off += s.clear;
    if (s.protected) c.update(sample.subarray(off, off + s.protected)).copy(sample, off);
    off += s.protected;
  }
}

const TFHD_BASE_DATA_OFFSET = 0x1;
const TFHD_SAMPLE_DESC = 0x2;
const TFHD_DEFAULT_DURATION = 0x8;
const TFHD_DEFAULT_SIZE = 0x10;
const TFHD_DEFAULT_FLAGS = 0x20;
const TFHD_DEFAULT_BASE_IS_MOOF = 0x20000;
const TRUN_DATA_OFFSET = 0x1;
const TRUN_FIRST_FLAGS = 0x4;
const TRUN_DURATION = 0x100;
const TRUN_SIZE = 0x200;
const TRUN_FLAGS = 0x400;
const TRUN_CTO = 0x800;

interface Trun {
  box: Box;
  /** absolute offset of the data_offset field, or -1 */
  dataOffsetAt: number;
  dataOffset: number | null;
  sizes: number[];
}

function readTrun(buf: Buffer, b: Box, defaultSize: number): Trun {
  const p = b.start + b.headerSize;
  const flags = buf.readUInt32BE(p) & 0xffffff;
  const count = buf.readUInt32BE(p + 4);
  let off = p + 8;
  let dataOffsetAt = -1;
  let dataOffset: number | null = null;
  if (flags & TRUN_DATA_OFFSET) {
    dataOffsetAt = off;
    dataOffset = buf.readInt32BE(off);
    off += 4;
  }
  if (flags & TRUN_FIRST_FLAGS) off += 4;
  const sizes: number[] = [];
  for (let i = 0; i < count; i++) {
    if (flags & TRUN_DURATION) off += 4;
    if (flags & TRUN_SIZE) {
      sizes.push(buf.readUInt32BE(off));
      off += 4;
    } else sizes.push(defaultSize);
    if (flags & TRUN_FLAGS) off += 4;
    if (flags & TRUN_CTO) off += 4;
  }
  if (sizes.some((s) => !s)) throw new Error('trun without sample sizes');
  return { box: b, dataOffsetAt, dataOffset, sizes };
}

/**
 * Encrypt one fMP4 media segment (styp? (moof mdat)+) of `track` with `key`. `ivSeed`: 8 bytes, fresh per file
 * (cencIvSeed). Returns a new buffer.
 */
export function cencSegment(seg: Buffer, track: CencTrack, key: Buffer, ivSeed: Buffer): Buffer {
  if (key.length !== 16 || ivSeed.length !== 8) throw new Error('CENC needs a 16-byte key and an 8-byte IV seed');
  const data = Buffer.from(seg); // sample bytes are encrypted in this copy, moofs rebuilt from it
  const seed = ivSeed.readBigUInt64BE(0);
  let sampleIndex = 0n;
  const parts: Buffer[] = [];
  let shift = 0; // how much every later byte has moved so far
  const sidxs: Buffer[] = [];
  const growth: number[] = [];
  for (const top of boxes(seg)) {
    if (top.type === 'sidx') {
      const copy = Buffer.from(seg.subarray(top.start, top.start + top.size));
      sidxs.push(copy);
      parts.push(copy);
      continue;
    }
    if (top.type !== 'moof') {
      parts.push(data.subarray(top.start, top.start + top.size));
      continue;
    }
    const moofStart = top.start + shift;
    const trafs: Array<{ built: (moofSize: number, trafAt: number) => Buffer }> = [];
    const kids = children(seg, top);
    for (const t of kids) {
      if (t.type !== 'traf') continue;
      const inner = children(seg, t);
      const tfhd = inner.find((b) => b.type === 'tfhd');
      if (!tfhd) throw new Error('traf without tfhd');
      const hp = tfhd.start + tfhd.headerSize;
      const tflags = seg.readUInt32BE(hp) & 0xffffff;
      let q = hp + 8;
      let base = top.start;
      if (tflags & TFHD_BASE_DATA_OFFSET) {
        base = Number(seg.readBigUInt64BE(q));
        q += 8;
      }
      if (tflags & TFHD_SAMPLE_DESC) q += 4;
      if (tflags & TFHD_DEFAULT_DURATION) q += 4;
      const defaultSize = tflags & TFHD_DEFAULT_SIZE ? seg.readUInt32BE(q) : track.defaultSampleSize;
      const runs = inner.filter((b) => b.type === 'trun').map((b) => readTrun(seg, b, defaultSize));
      if (inner.some((b) => b.type === 'senc' || b.type === 'saiz')) throw new Error('segment is already encrypted');
      // encrypt every sample, collecting its IV and subsamples
      const info: Buffer[] = [];
      const firstSampleAt: number[] = [];
      let cursor = base;
      for (const r of runs) {
        if (r.dataOffset !== null) cursor = base + r.dataOffset;
        firstSampleAt.push(cursor);
        for (const size of r.sizes) {
          if (cursor + size > seg.length) throw new Error('sample runs past the segment');
          const sample = data.subarray(cursor, cursor + size);
          const iv = Buffer.alloc(8);
          iv.writeBigUInt64BE((seed + sampleIndex++) & 0xffffffffffffffffn);
          const subs = track.nalLengthSize ? avcSubsamples(sample, track.nalLengthSize) : null;
          cryptSample(key, iv, sample, subs);
          info.push(subs ? Buffer.concat([iv, u16(subs.length), ...subs.map((s) => Buffer.concat([u16(s.clear), u32(s.protected)]))]) : iv);
          cursor += size;
        }
      }
      const count = info.length;
      const sizes = info.map((i) => i.length);
      const uniform = sizes.every((s) => s === sizes[0]);
      trafs.push({
        built: (moofSize: number, trafAt: number) => {
          // tfhd without the explicit base offset, default-base-is-moof instead
          const newFlags = (tflags & ~TFHD_BASE_DATA_OFFSET) | TFHD_DEFAULT_BASE_IS_MOOF;
          const rest = seg.subarray(hp + 4 + 4 + (tflags & TFHD_BASE_DATA_OFFSET ? 8 : 0), tfhd.start + tfhd.size);
          const newTfhd = box('tfhd', u32(newFlags), seg.subarray(hp + 4, hp + 8), rest);
          const kept = inner.filter((b) => b.type !== 'tfhd' && b.type !== 'trun').map((b) => seg.subarray(b.start, b.start + b.size));
          const truns = runs.map((r, i) => {
            const copy = Buffer.from(seg.subarray(r.box.start, r.box.start + r.box.size));
            if (r.dataOffsetAt < 0) {
              if (i > 0) return copy; // continues the previous run
              throw new Error('first trun without a data offset');
            }
            const newSampleAt = firstSampleAt[i] + (shift + moofSize - top.size);
            copy.writeInt32BE(newSampleAt - moofStart, r.dataOffsetAt - r.box.start);
            return copy;
          });
          const saiz = fullBox('saiz', 0, 0, u8(uniform ? sizes[0] ?? 0 : 0), u32(count), uniform ? Buffer.alloc(0) : Buffer.from(sizes));
          const head = Buffer.concat([newTfhd, ...kept, ...truns, saiz]);
          const saioSize = 8 + 4 + 4 + 4;
          // senc's first sample's info: after traf header, head, saio, senc header (8) + version/flags (4) + count (4)
          const sencDataAt = trafAt + 8 + head.length + saioSize + 16;
          const saio = fullBox('saio', 0, 0, u32(1), u32(sencDataAt));
          const senc = fullBox('senc', 0, track.nalLengthSize ? 0x2 : 0, u32(count), ...info);
          return box('traf', head, saio, senc);
        },
      });
    }
    // sizes do not depend on the offsets written into them: build once to measure, once for real
    const assemble = (moofSize: number) => {
      const out: Buffer[] = [];
      let at = 8;
      let ti = 0;
      for (const k of kids) {
        if (k.type === 'traf') {
          const t = trafs[ti++].built(moofSize, at);
          out.push(t);
          at += t.length;
        } else {
          out.push(seg.subarray(k.start, k.start + k.size));
          at += k.size;
        }
      }
      return box('moof', ...out);
    };
    const size = assemble(top.size).length;
    const moof = assemble(size);
    if (moof.length !== size) throw new Error('moof size changed while assembling');
    parts.push(moof);
    shift += size - top.size;
    growth.push(size - top.size);
  }
  for (const sidx of sidxs) growSidx(sidx, growth);
  return Buffer.concat(parts);
}

/** A segment index's referenced sizes after the moofs grew: one reference per fragment, or one for them all. */
function growSidx(sidx: Buffer, growth: number[]): void {
  const v1 = sidx[8] === 1;
  let p = 8 + 4 + 8 + (v1 ? 16 : 8) + 2;
  const count = sidx.readUInt16BE(p);
  p += 2;
  for (let i = 0; i < count; i++, p += 12) {
    const word = sidx.readUInt32BE(p);
    if (word & 0x80000000) continue; // a reference to another sidx
    const add = count === growth.length ? growth[i] : i === 0 ? growth.reduce((a, b) => a + b, 0) : 0;
    sidx.writeUInt32BE((word + add) >>> 0, p);
  }
}

/** The DASH copy of an encrypted video's file sits in a `cenc/` folder beside it: "720p/c00000_001.m4s" → "720p/cenc/c00000_001.m4s". */
export const CENC_DIR = 'cenc';
export function cencUri(uri: string): string {
  const i = uri.lastIndexOf('/');
  return i < 0 ? `${CENC_DIR}/${uri}` : `${uri.slice(0, i)}/${CENC_DIR}/${uri.slice(i + 1)}`;
}

/** Where the ClearKey license endpoint is, under the video's media base (/media/<id>/[t/<token>/]license). */
export const LICENSE_FILE = 'license';
