/**
 * Smoke test for the npm fallback media tools (@ffmpeg-installer/ffmpeg, a static ffmpeg 4.1 git build from 2018,
 * and @ffprobe-installer/ffprobe): a machine without a system ffmpeg must still transcode. The ladder is encoded
 * through the product's own path (FfmpegRunner + planLadder + buildLadderArgs) and every output is checked with
 * the SAME fallback ffprobe: each media playlist has segments and its stream decodes at the planned size.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledTools, locateMediaTools, majorVersion } from '../../src/adapters/media/locate-tools.js';
import { FfmpegRunner } from '../../src/adapters/media/ffmpeg-runner.js';
import { AUDIO_DIR, buildLadderArgs, HLS_INIT, MEDIA_PLAYLIST, type LadderJob } from '../../src/core/ffmpeg-args.js';
import { parseMediaPlaylist } from '../../src/core/hls.js';
import { planLadder, type Rung } from '../../src/core/ladder.js';
import { parseProbe } from '../../src/core/media-info.js';
import type { MediaTools } from '../../src/ports/media-runner.js';

const run = promisify(execFile);
const SOURCE = '/work/shared/media/video_short.mp4'; // 1280x720 25 fps, 5 s, H.264/AAC

describe('majorVersion', () => {
  it.each([
    ['5.1.9-0+deb12u1', 5],
    ['n6.0', 6],
    ['4.1', 4],
    ['7.0.2-static', 7],
    ['N-47683-g0e8eb07980-static', null], // the bundled fallback's own version string: a git build
    ['unknown', null],
    ['', null],
  ])('%s -> %s', (v, expected) => {
    expect(majorVersion(v)).toBe(expected);
  });
});

describe('locateMediaTools', () => {
  it('returns the bundled fallback when asked to prefer it', async () => {
    const tools = await locateMediaTools({ preferBundled: true });
    expect(tools.origin).toBe('bundled');
    expect(tools.ffmpeg).toBe(bundledTools().ffmpeg);
    expect(tools.ffprobe).toBe(bundledTools().ffprobe);
    expect(tools.version).not.toBe('');
  });
});

describe('bundled fallback ffmpeg transcodes the ladder', () => {
  let tools: MediaTools;
  let runner: FfmpegRunner;
  let work: string;
  let rungs: Rung[];

  /** ffprobe with the fallback binary, fully decoding the first video stream of a playlist (-count_frames). */
  async function probeDecoded(playlist: string) {
    const { stdout } = await run(
      tools.ffprobe,
      ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=codec_name,width,height,sample_aspect_ratio,nb_read_frames', '-print_format', 'json', playlist],
      { timeout: 60_000 },
    );
    return (JSON.parse(stdout) as { streams: Array<{ codec_name: string; width: number; height: number; sample_aspect_ratio?: string; nb_read_frames: string }> }).streams[0];
  }

  async function checkPlaylist(dir: string) {
    const playlist = parseMediaPlaylist(await readFile(join(dir, MEDIA_PLAYLIST), 'utf8'));
    expect(playlist.ended).toBe(true);
    expect(playlist.initUri).toBe(HLS_INIT);
    expect(playlist.segments.length).toBeGreaterThanOrEqual(2); // 5 s cut at 4 s
    for (const s of playlist.segments) expect((await stat(join(dir, s.uri))).size).toBeGreaterThan(0);
    expect((await stat(join(dir, HLS_INIT))).size).toBeGreaterThan(0);
    const total = playlist.segments.reduce((sum, s) => sum + s.durationSec, 0);
    expect(total).toBeGreaterThan(4.5);
    expect(total).toBeLessThan(5.6);
    return playlist;
  }

  beforeAll(async () => {
    tools = await locateMediaTools({ preferBundled: true });
    runner = new FfmpegRunner(tools);
    work = await mkdtemp(join(tmpdir(), 'reel-fallback-'));

    // the product's path: probe with the fallback ffprobe, plan, one process one decode
    const info = parseProbe(await runner.probe(SOURCE));
    expect(info.video).not.toBeNull();
    rungs = planLadder(info.video!);
    for (const r of rungs) await mkdir(join(work, r.name), { recursive: true });
    await mkdir(join(work, AUDIO_DIR), { recursive: true });
    const job: LadderJob = { input: SOURCE, outDir: work, rungs, withAudio: !!info.audio, segmentSec: 4, gopSec: 2, preset: 'veryfast', crf: 23, audioKbps: 128 };
    let sawProgress = false;
    await runner.ffmpeg(buildLadderArgs(job, info.video!.fps), { onProgress: () => (sawProgress = true) });
    expect(sawProgress).toBe(true);
  });

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('plans the expected rungs for the source (720p coded, sample aspect ratio 241:226, so wider than 16:9)', () => {
    expect(rungs.map((r) => `${r.name}=${r.width}x${r.height}`)).toEqual(['144p=272x144', '240p=454x240', '360p=682x360', '480p=910x480', '720p=1364x720']);
  });

  it('writes a playable media playlist per rung whose video decodes at the planned size', async () => {
    for (const r of rungs) {
      const dir = join(work, r.name);
      await checkPlaylist(dir);
      const s = await probeDecoded(join(dir, MEDIA_PLAYLIST));
      expect(s, r.name).toMatchObject({ codec_name: 'h264', width: r.width, height: r.height });
      expect(s.sample_aspect_ratio, `${r.name} square pixels`).toBe('1:1');
      expect(Number(s.nb_read_frames), `${r.name} decoded frames`).toBe(125); // 5 s at 25 fps
    }
  });

  it('writes a playable audio-only playlist', async () => {
    const dir = join(work, AUDIO_DIR);
    await checkPlaylist(dir);
    const { stdout } = await run(tools.ffprobe, ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,channels', '-print_format', 'json', join(dir, MEDIA_PLAYLIST)], { timeout: 60_000 });
    const streams = (JSON.parse(stdout) as { streams: Array<{ codec_type: string; codec_name: string; channels: number }> }).streams;
    expect(streams).toEqual([expect.objectContaining({ codec_type: 'audio', codec_name: 'aac', channels: 2 })]);
    expect(existsSync(join(dir, HLS_INIT))).toBe(true);
  });
});
