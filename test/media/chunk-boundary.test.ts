/**
 * Chunk boundaries with real ffmpeg: two chunks of the shared film, [0, 4.004) and [4.004, 8.008), encoded
 * independently at 360p with buildChunkArgs, the second shifted onto the timeline with shiftSegment, then
 * init + every segment concatenated into one fMP4 stream. ffprobe must see exactly 240 frames with strictly
 * increasing timestamps in constant 1001/30000 s steps: no gap, no duplicate, no overlap at the boundary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateMediaTools } from '../../src/adapters/media/locate-tools.js';
import { buildChunkArgs } from '../../src/core/ffmpeg-chunk-args.js';
import { HLS_INIT, MEDIA_PLAYLIST } from '../../src/core/ffmpeg-args.js';
import { boxes, readFragments, shiftSegment, trackTimescale } from '../../src/core/fmp4.js';
import { parseMediaPlaylist } from '../../src/core/hls.js';
import type { Rung } from '../../src/core/ladder.js';
import type { MediaTools } from '../../src/ports/media-runner.js';
import { MEDIA_DIR } from '../support/platform.js';

const run = promisify(execFile);
const SOURCE = MEDIA_DIR + 'the_last_man_on_earth.mp4';
const FPS = 30000 / 1001;
const FRAME = 1001 / 30000;
const R360: Rung = { name: '360p', width: 640, height: 360, fps: FPS, maxKbps: 800 };
/** frames 0..119 and 120..239 of the source: the second chunk starts on a non-keyframe (the next one is frame 250) */
const CHUNKS = [
  { index: 0, start: 0, end: 120 * FRAME },
  { index: 1, start: 120 * FRAME, end: 240 * FRAME },
];

/** samples (frames) in a media segment: the sum of every trun's sample_count (moof > traf > trun) */
function sampleCount(seg: Buffer): number {
  let n = 0;
  for (const moof of boxes(seg)) {
    if (moof.type !== 'moof') continue;
    for (const traf of boxes(seg, moof.start + moof.headerSize, moof.start + moof.size)) {
      if (traf.type !== 'traf') continue;
      for (const trun of boxes(seg, traf.start + traf.headerSize, traf.start + traf.size)) if (trun.type === 'trun') n += seg.readUInt32BE(trun.start + 12);
    }
  }
  return n;
}

describe('chunk boundary (real ffmpeg)', () => {
  let tools: MediaTools;
  let dir: string;

  beforeAll(async () => {
    tools = await locateMediaTools();
    dir = await mkdtemp(join(tmpdir(), 'reel-chunks-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** encode one chunk; returns its init segment and its media segments, shifted onto the video's timeline */
  async function encodeChunk(chunk: (typeof CHUNKS)[number]): Promise<{ init: Buffer; segments: Buffer[]; args: string[] }> {
    const out = join(dir, `c${chunk.index}`);
    await mkdir(join(out, R360.name), { recursive: true });
    const args = buildChunkArgs({
      input: SOURCE,
      outDir: out,
      codec: 'h264',
      start: chunk.start,
      end: chunk.end,
      rungs: [R360],
      sourceFps: FPS,
      segmentSec: 2,
      preset: 'ultrafast',
      crf: 28,
    });
    await run(tools.ffmpeg, args, { timeout: 120_000 });
    const rungDir = join(out, R360.name);
    const init = await readFile(join(rungDir, HLS_INIT));
    const playlist = parseMediaPlaylist(await readFile(join(rungDir, MEDIA_PLAYLIST), 'utf8'));
    expect(playlist.segments.length).toBeGreaterThan(0);
    const timescale = trackTimescale(init);
    // as encode-chunk does: offset in track timescale units, sequence numbers unique across chunks
    const offset = BigInt(Math.round(chunk.start * timescale));
    const segments: Buffer[] = [];
    for (const [n, s] of playlist.segments.entries()) {
      const raw = await readFile(join(rungDir, s.uri));
      const before = readFragments(raw);
      const shifted = shiftSegment(raw, offset, chunk.index * 1000 + n + 1);
      const after = readFragments(shifted);
      expect(after.map((f) => f.baseDecodeTime)).toEqual(before.map((f) => f.baseDecodeTime + offset));
      segments.push(shifted);
    }
    return { init, segments, args };
  }

  it('two independently encoded chunks join into 240 frames in constant 1001/30000 s steps', async () => {
    const [a, b] = [await encodeChunk(CHUNKS[0]), await encodeChunk(CHUNKS[1])];
    // the argv was what the chunk positions call for
    expect(a.args).not.toContain('-ss');
    expect(a.args.slice(a.args.indexOf('-t'), a.args.indexOf('-t') + 2)).toEqual(['-t', '4.004']);
    expect(b.args.slice(b.args.indexOf('-ss'), b.args.indexOf('-ss') + 4)).toEqual(['-ss', '4.004', '-t', '4.004']);
    expect(trackTimescale(a.init)).toBe(trackTimescale(b.init));
    // the second chunk's fragments start exactly where the first chunk's time ends
    const timescale = trackTimescale(a.init);
    expect(readFragments(b.segments[0])[0].baseDecodeTime).toBe(BigInt(Math.round(4.004 * timescale)));

    // each chunk holds exactly its 120 frames (counted in the fragments themselves: a demuxer may hide an
    // exact duplicate timestamp, the sample tables cannot)
    expect(a.segments.reduce((n, s) => n + sampleCount(s), 0)).toBe(120);
    expect(b.segments.reduce((n, s) => n + sampleCount(s), 0)).toBe(120);

    // one stream as a player sees it: chunk 0's init (the only one published), then every segment in order
    const joined = join(dir, 'joined.mp4');
    await writeFile(joined, Buffer.concat([a.init, ...a.segments, ...b.segments]));
    const { stdout } = await run(
      tools.ffprobe,
      ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=time_base:frame=pts,pkt_dts', '-of', 'json', joined],
      { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
    );
    const probe = JSON.parse(stdout) as { streams: Array<{ time_base: string }>; frames: Array<{ pts?: number; pkt_dts?: number }> };
    const [num, den] = probe.streams[0].time_base.split('/').map(Number);
    const pts = probe.frames.map((f) => f.pts ?? f.pkt_dts);
    expect(pts.every((p) => typeof p === 'number')).toBe(true);
    expect(pts).toHaveLength(240);
    // exact integer arithmetic in the stream time base: every step is one frame of 1001/30000 s
    const step = (1001 * den) / (30000 * num);
    expect(Number.isInteger(step)).toBe(true);
    const steps = new Set<number>();
    for (let i = 1; i < pts.length; i++) {
      expect(pts[i]!).toBeGreaterThan(pts[i - 1]!);
      steps.add(pts[i]! - pts[i - 1]!);
    }
    expect([...steps]).toEqual([step]);
    // and the first frame of chunk 1 is exactly 120 frames after the first frame of chunk 0
    expect(pts[120]! - pts[0]!).toBe(120 * step);
  });
});
