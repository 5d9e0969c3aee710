import { describe, expect, it } from 'vitest';
import { avcCodecString, capFps, displaySize, h264Level, planLadder } from '../../src/core/ladder.js';

const names = (r: { name: string }[]) => r.map((x) => x.name);

describe('planLadder', () => {
  it.each([
    { src: { width: 1280, height: 720, rotation: 0, fps: 29.97 }, rungs: ['144p', '240p', '360p', '480p', '720p'], top: [1280, 720] },
    { src: { width: 3840, height: 2160, rotation: 0, fps: 23.976 }, rungs: ['144p', '240p', '360p', '480p', '720p', '1080p', '1440p', '2160p'], top: [3840, 2160] },
    { src: { width: 1920, height: 1080, rotation: 0, fps: 30 }, rungs: ['144p', '240p', '360p', '480p', '720p', '1080p'], top: [1920, 1080] },
    { src: { width: 1088, height: 1088, rotation: 0, fps: 10 }, rungs: ['144p', '240p', '360p', '480p', '720p', '1080p'], top: [1080, 1080] },
    { src: { width: 10, height: 8, rotation: 0, fps: 25 }, rungs: ['8p'], top: [10, 8] },
    { src: { width: 1000, height: 700, rotation: 0, fps: 25 }, rungs: ['144p', '240p', '360p', '480p'], top: [686, 480] },
  ])('$src.width x $src.height -> $rungs', ({ src, rungs, top }) => {
    const ladder = planLadder(src);
    expect(names(ladder)).toEqual(rungs);
    const last = ladder[ladder.length - 1];
    expect([last.width, last.height]).toEqual(top);
  });

  it('never goes above the source and keeps even dimensions and aspect', () => {
    for (const src of [
      { width: 1280, height: 720, rotation: 0, fps: 30 },
      { width: 854, height: 480, rotation: 0, fps: 30 },
      { width: 1440, height: 1080, rotation: 0, fps: 30 },
      { width: 720, height: 1280, rotation: 0, fps: 30 },
    ]) {
      for (const r of planLadder(src)) {
        expect(r.width % 2).toBe(0);
        expect(r.height % 2).toBe(0);
        expect(Math.min(r.width, r.height)).toBeLessThanOrEqual(Math.min(src.width, src.height));
        expect(Math.abs(r.width / r.height - src.width / src.height)).toBeLessThan(0.02);
      }
    }
  });

  it('portrait (and rotated) sources get portrait rungs named by the short side', () => {
    const portrait = planLadder({ width: 720, height: 1280, rotation: 0, fps: 30 });
    expect(portrait.at(-1)).toMatchObject({ name: '720p', width: 720, height: 1280 });
    const rotated = planLadder({ width: 1280, height: 720, rotation: 90, fps: 30 });
    expect(rotated.at(-1)).toMatchObject({ name: '720p', width: 720, height: 1280 });
  });

  it('uses the display aspect for anamorphic sources', () => {
    expect(displaySize({ width: 720, height: 576, rotation: 0, fps: 25, sar: 64 / 45 })).toEqual({ width: 1024, height: 576 });
  });

  it('caps fps: 60 at 720p and above, 30 below; gives high-fps rungs more bitrate', () => {
    const l = planLadder({ width: 1280, height: 720, rotation: 0, fps: 60 });
    expect(l.find((r) => r.name === '720p')!.fps).toBe(60);
    expect(l.find((r) => r.name === '480p')!.fps).toBe(30);
    expect(l.find((r) => r.name === '720p')!.maxKbps).toBe(4200);
    expect(capFps(120, 1080)).toBe(60);
    expect(capFps(0, 1080)).toBe(30);
  });
});

describe('H.264 level and codec string', () => {
  it.each([
    [{ width: 256, height: 144, fps: 30 }, 30, 'avc1.64001e'],
    [{ width: 1280, height: 720, fps: 30 }, 31, 'avc1.64001f'],
    [{ width: 1280, height: 720, fps: 60 }, 32, 'avc1.640020'],
    [{ width: 1920, height: 1080, fps: 30 }, 41, 'avc1.640029'],
    [{ width: 1920, height: 1080, fps: 60 }, 42, 'avc1.64002a'],
    [{ width: 3840, height: 2160, fps: 30 }, 51, 'avc1.640033'],
  ])('%o -> level %i', (r, level, codec) => {
    expect(h264Level(r)).toBe(level);
    expect(avcCodecString(r)).toBe(codec);
  });
});
