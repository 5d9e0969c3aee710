/**
 * planChunks: cut points are exact frame timestamps, keyframes are preferred near the target, the first chunk is
 * short, a short tail joins the previous chunk, and the chunks always tile [0, duration) without gaps.
 */
import { describe, expect, it } from 'vitest';
import { planChunks, type Chunk, type ChunkPlanInput } from '../../src/core/chunks.js';

/** frame timestamps of a constant-rate source: frame i at i * num/den seconds (exact ffprobe-style values) */
function frames(count: number, num = 1001, den = 30000, offset = 0): number[] {
  return Array.from({ length: count }, (_, i) => offset + (i * num) / den);
}

/** frame i of a 30000/1001 source, computed exactly as frames() does */
const ntsc = (i: number) => (i * 1001) / 30000;

function input(over: Partial<ChunkPlanInput> & Pick<ChunkPlanInput, 'framePts' | 'durationSec'>): ChunkPlanInput {
  return { keyframePts: [over.framePts[0] ?? 0], chunkSec: 8, firstChunkSec: 2, segmentSec: 2, ...over };
}

/** The invariants every plan must satisfy, whatever the input. */
function expectTiling(chunks: Chunk[], inp: ChunkPlanInput) {
  expect(chunks.length).toBeGreaterThanOrEqual(1);
  expect(chunks[0].start).toBe(0);
  expect(chunks[chunks.length - 1].end).toBe(Math.max(0, inp.durationSec));
  chunks.forEach((c, i) => {
    expect(c.index).toBe(i);
    if (i + 1 < chunks.length) expect(c.end).toBe(chunks[i + 1].start);
    if (i > 0) {
      // every cut is an exact frame timestamp (same floating-point value, not a rounded one)
      expect(inp.framePts).toContain(c.start);
      expect(c.start).toBeGreaterThan(chunks[i - 1].start);
    }
    if (inp.durationSec > 0) expect(c.end).toBeGreaterThan(c.start);
  });
}

describe('planChunks', () => {
  // the real film (the_last_man_on_earth.mp4): 422 frames at 30000/1001, keyframes at 0 and frame 250 (8.341667 s)
  const film = input({ framePts: frames(422), keyframePts: [0, ntsc(250)], durationSec: 14.081 });

  it('plans the shared film as a short first chunk, a keyframe-aligned cut, and a long tail', () => {
    const chunks = planChunks(film);
    expectTiling(chunks, film);
    expect(chunks).toEqual([
      { index: 0, start: 0, end: ntsc(60) }, // 2.002 s: the frame nearest 2 s (no keyframe near it)
      { index: 1, start: ntsc(60), end: ntsc(250) }, // 8.341667 s: the keyframe within 2 s of the 10.002 s target
      { index: 2, start: ntsc(250), end: 14.081 },
    ]);
  });

  it.each<[string, ChunkPlanInput, Array<[number, number]>]>([
    [
      'keyframe every 2 s (25 fps): cuts exactly on keyframes at 2, 10, 18, 26',
      input({ framePts: frames(750, 1, 25), keyframePts: frames(15, 2, 1), durationSec: 30 }),
      [[0, 2], [2, 10], [10, 18], [18, 26], [26, 30]],
    ],
    [
      'keyframe within a quarter chunk after the target is preferred over the exact frame',
      input({ framePts: frames(750, 1, 25), keyframePts: [0, 3.6, 11.2, 19.52], durationSec: 30 }),
      // first target 2 -> keyframe 3.6 (1.6 away); then 11.6 -> 11.2 (before the target); then 19.2 -> 19.52;
      // then 27.52 is the nearest frame but leaves a 2.48 s tail, which joins
      [[0, 3.6], [3.6, 11.2], [11.2, 19.52], [19.52, 30]],
    ],
    [
      'keyframe just outside a quarter chunk is ignored: the nearest frame is used',
      input({ framePts: frames(750, 1, 25), keyframePts: [0, 4.08, 12.52], durationSec: 30 }),
      // first target 2: keyframe 4.08 is 2.08 away (> 8/4) -> frame 2; next target 10: keyframe 12.52 is 2.52 away -> frame 10
      [[0, 2], [2, 10], [10, 18], [18, 26], [26, 30]],
    ],
    [
      'keyframe at exactly a quarter chunk from the target is accepted',
      input({ framePts: frames(750, 1, 25), keyframePts: [0, 12], durationSec: 30 }),
      // 2 -> frame 2; 10 -> keyframe 12 (exactly 2 = 8/4 away); 20 -> frame 20; 28 -> a 2 s tail, which joins
      [[0, 2], [2, 12], [12, 20], [20, 30]],
    ],
    [
      'no keyframe list at all: nearest frames',
      input({ framePts: frames(300, 1, 25), keyframePts: [], durationSec: 12 }),
      [[0, 2], [2, 12]],
    ],
    [
      'cuts snap to the nearest frame timestamp of a 29.97 fps source',
      input({ framePts: frames(900), keyframePts: [0], durationSec: ntsc(900) }),
      // targets 2 -> 2.002 (frame 60); 10.002 -> 10.01 (frame 300); 18.01 -> frame 540; 26.018 -> frame 780,
      // which leaves exactly 4.004 s (>= half a chunk), so it is a chunk of its own
      [[0, ntsc(60)], [ntsc(60), ntsc(300)], [ntsc(300), ntsc(540)], [ntsc(540), ntsc(780)], [ntsc(780), ntsc(900)]],
    ],
    [
      'first frame later than 0: targets count from it, the first chunk still starts at 0',
      input({ framePts: frames(300, 1, 25, 0.5), keyframePts: [0.5], durationSec: 12.5 }),
      [[0, 2.5], [2.5, 12.5]],
    ],
    [
      'firstChunkSeconds and chunkSeconds from the profile are honoured',
      input({ framePts: frames(1500, 1, 25), keyframePts: [0], durationSec: 60, chunkSec: 20, firstChunkSec: 5 }),
      // 5, 25, 45; 65 is past the end
      [[0, 5], [5, 25], [25, 45], [45, 60]],
    ],
  ])('%s', (_name, inp, expected) => {
    const chunks = planChunks(inp);
    expectTiling(chunks, inp);
    expect(chunks.map((c) => [c.start, c.end])).toEqual(expected);
  });

  it.each<[string, number, number, Array<[number, number]>]>([
    // [name, frame count at 25 fps, duration, expected chunks]; chunkSec 8, firstChunkSec 2
    ['tail of exactly half a chunk is kept as its own chunk', 350, 14, [[0, 2], [2, 10], [10, 14]]],
    ['tail just under half a chunk joins the previous chunk', 348, 13.92, [[0, 2], [2, 13.92]]],
    ['after the first cut, one second is enough for a second chunk', 75, 3, [[0, 2], [2, 3]]],
    ['less than a second after the first cut: one chunk', 72, 2.88, [[0, 2.88]]],
    ['shorter than the first chunk: one chunk', 25, 1, [[0, 1]]],
    ['exactly the first chunk long: one chunk', 50, 2, [[0, 2]]],
    ['a single frame: one chunk', 1, 0.04, [[0, 0.04]]],
  ])('%s', (_name, count, durationSec, expected) => {
    const inp = input({ framePts: frames(count, 1, 25), keyframePts: [0], durationSec });
    const chunks = planChunks(inp);
    expectTiling(chunks, inp);
    expect(chunks.map((c) => [c.start, c.end])).toEqual(expected);
  });

  it.each<[string, ChunkPlanInput, Chunk[]]>([
    ['no frames at all', input({ framePts: [], keyframePts: [], durationSec: 10 }), [{ index: 0, start: 0, end: 10 }]],
    ['zero duration', input({ framePts: [0], keyframePts: [0], durationSec: 0 }), [{ index: 0, start: 0, end: 0 }]],
    ['negative duration is clamped to 0', input({ framePts: [0], keyframePts: [0], durationSec: -1 }), [{ index: 0, start: 0, end: 0 }]],
  ])('degenerate input (%s) gives a single chunk', (_name, inp, expected) => {
    expect(planChunks(inp)).toEqual(expected);
  });

  it('never cuts twice at the same frame, even when keyframes are sparse and the frame rate is very low', () => {
    // 1 fps source with 9 s between keyframes: the nearest frame to each target is always later than the last cut
    const inp = input({ framePts: frames(120, 1, 1), keyframePts: frames(14, 9, 1), durationSec: 120 });
    const chunks = planChunks(inp);
    expectTiling(chunks, inp);
    expect(chunks.length).toBeGreaterThan(10);
  });

  it('a cut is never at or after the end, even when the container duration is shorter than the last frame', () => {
    // frames run to 19.96 s but the container says 11 s; the keyframe preferred for the 10 s target (11.6) lies
    // beyond the end: the tail rule refuses it and the rest joins the previous chunk
    const inp = input({ framePts: frames(500, 1, 25), keyframePts: [0, 11.6], durationSec: 11 });
    const chunks = planChunks(inp);
    expectTiling(chunks, inp);
    expect(chunks.map((c) => [c.start, c.end])).toEqual([[0, 2], [2, 11]]);
  });

  it('holds the tiling invariants over a sweep of durations, frame rates and keyframe intervals', () => {
    for (const [num, den] of [[1, 24], [1001, 24000], [1, 25], [1001, 30000], [1, 50], [1001, 60000]]) {
      for (const gop of [0.5, 2, 4.2, 10]) {
        for (const duration of [0.5, 2.1, 3.7, 9.9, 10.1, 17.3, 61, 125.4]) {
          const fps = den / num;
          const count = Math.floor(duration * fps);
          const framePts = frames(Math.max(1, count), num, den);
          const step = Math.max(1, Math.round(gop * fps));
          const keyframePts = framePts.filter((_, i) => i % step === 0);
          const inp = input({ framePts, keyframePts, durationSec: duration });
          const chunks = planChunks(inp);
          expectTiling(chunks, inp);
          // only the last chunk may be longer than chunkSec + tolerance + half a chunk tail
          for (const c of chunks.slice(0, -1)) expect(c.end - c.start).toBeLessThanOrEqual(8 + 2 + 1e-9);
        }
      }
    }
  });
});
