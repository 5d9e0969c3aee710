/**
 * Exact ffmpeg argv of the segment-parallel pipeline: chunk encodes (seek and length per chunk position, one
 * decode split to every rung), the audio pass, the storyboard sprite, and its WebVTT track.
 */
import { describe, expect, it } from 'vitest';
import type { Rung } from '../../src/core/ladder.js';
import {
  buildAudioArgs,
  buildChunkArgs,
  buildStoryboardArgs,
  planStoryboard,
  renditionName,
  storyboardVtt,
  videoEncoderArgs,
  type ChunkJob,
  type StoryboardPlan,
} from '../../src/core/ffmpeg-chunk-args.js';

const R144: Rung = { name: '144p', width: 256, height: 144, fps: 30, maxKbps: 200 };
const R360: Rung = { name: '360p', width: 640, height: 360, fps: 30, maxKbps: 800 };
const R720: Rung = { name: '720p', width: 1280, height: 720, fps: 29.97002997002997, maxKbps: 2800 };

const HEAD = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats'];
const hls = (dir: string, seg: number, type: 'vod' | 'event') => [
  '-f', 'hls', '-hls_time', String(seg), '-hls_playlist_type', type, '-hls_segment_type', 'fmp4', '-hls_flags', 'independent_segments',
  '-hls_fmp4_init_filename', 'init.mp4', '-hls_segment_filename', `${dir}/seg_%04d.m4s`, `${dir}/index.m3u8`,
];
const x264 = (kbps: number, seg = 2) => [
  '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-crf', '23', '-maxrate', `${kbps}k`, '-bufsize', `${kbps * 2}k`,
  '-force_key_frames', `expr:gte(t,n_forced*${seg})`, '-sc_threshold', '0',
];

function job(over: Partial<ChunkJob>): ChunkJob {
  return {
    input: '/src/in.mp4',
    outDir: '/work/c',
    codec: 'h264',
    start: 0,
    end: 2.002,
    rungs: [R144, R360],
    sourceFps: 30000 / 1001,
    segmentSec: 2,
    preset: 'veryfast',
    crf: 23,
    ...over,
  };
}

const TWO_RUNG_FILTER =
  '[0:v:0]split=2[s0][s1];' +
  '[s0]scale=w=256:h=144:flags=bicubic,setsar=1,format=yuv420p[v0];' +
  '[s1]scale=w=640:h=360:flags=bicubic,setsar=1,format=yuv420p[v1]';
const twoRungOutputs = (dir: string) => [
  '-map', '[v0]', ...x264(200), '-an', ...hls(`${dir}/144p`, 2, 'vod'),
  '-map', '[v1]', ...x264(800), '-an', ...hls(`${dir}/360p`, 2, 'vod'),
];

describe('buildChunkArgs', () => {
  it.each<[string, Partial<ChunkJob>, string[]]>([
    ['the first chunk: no -ss, -t of its length', { start: 0, end: 2.002 }, ['-t', '2.002']],
    ['a middle chunk: -ss at its start and -t of its length', { start: 2.002, end: 10.01 }, ['-ss', '2.002', '-t', '8.008']],
    ['the last chunk: -ss and no -t (to the end of the source)', { start: 10.01, end: null }, ['-ss', '10.01']],
    ['a single chunk for the whole source: neither', { start: 0, end: null }, []],
    ['frame timestamps are written with at most 6 decimals', { start: 250 * (1001 / 30000), end: 500 * (1001 / 30000) }, ['-ss', '8.341667', '-t', '8.341667']],
  ])('%s', (_name, over, seek) => {
    expect(buildChunkArgs(job(over))).toEqual([...HEAD, ...seek, '-i', '/src/in.mp4', '-filter_complex', TWO_RUNG_FILTER, ...twoRungOutputs('/work/c')]);
  });

  it('a single rung has no split and maps the source straight into the scaler', () => {
    expect(buildChunkArgs(job({ rungs: [R360], start: 2.002, end: 10.01 }))).toEqual([
      ...HEAD, '-ss', '2.002', '-t', '8.008', '-i', '/src/in.mp4',
      '-filter_complex', '[0:v:0]scale=w=640:h=360:flags=bicubic,setsar=1,format=yuv420p[v0]',
      '-map', '[v0]', ...x264(800), '-an', ...hls('/work/c/360p', 2, 'vod'),
    ]);
  });

  it('adds an fps filter only to rungs below the source frame rate', () => {
    const args = buildChunkArgs(job({ rungs: [R144, R720], sourceFps: 60, end: null }));
    expect(args[args.indexOf('-filter_complex') + 1]).toBe(
      '[0:v:0]split=2[s0][s1];' +
        '[s0]scale=w=256:h=144:flags=bicubic,fps=30,setsar=1,format=yuv420p[v0];' +
        '[s1]scale=w=1280:h=720:flags=bicubic,fps=29.97,setsar=1,format=yuv420p[v1]',
    );
    // a rung at (about) the source rate gets none
    const same = buildChunkArgs(job({ rungs: [R720], sourceFps: 30000 / 1001, end: null }));
    expect(same[same.indexOf('-filter_complex') + 1]).toBe('[0:v:0]scale=w=1280:h=720:flags=bicubic,setsar=1,format=yuv420p[v0]');
  });

  it('burns a watermark in once, before the split', () => {
    const args = buildChunkArgs(job({ watermark: { image: '/p/logo.png', heightFraction: 0.1 }, start: 2.002, end: 10.01 }));
    expect(args).toEqual([
      ...HEAD, '-ss', '2.002', '-t', '8.008', '-i', '/src/in.mp4', '-i', '/p/logo.png',
      '-filter_complex',
      '[1:v][0:v:0]scale2ref=w=oh*mdar:h=ih*0.1[wm][base];[base][wm]overlay=x=W-w-W/40:y=H-h-H/40:format=auto[src];' +
        '[src]split=2[s0][s1];' +
        '[s0]scale=w=256:h=144:flags=bicubic,setsar=1,format=yuv420p[v0];' +
        '[s1]scale=w=640:h=360:flags=bicubic,setsar=1,format=yuv420p[v1]',
      ...twoRungOutputs('/work/c'),
    ]);
  });

  it('names the output folders of other codecs with a suffix and uses their encoders', () => {
    const args = buildChunkArgs(job({ codec: 'vp9', rungs: [R360], start: 0, end: null }));
    expect(args).toContain('/work/c/360p-vp9/index.m3u8');
    expect(args.slice(args.indexOf('-map'))).toEqual([
      '-map', '[v0]', ...videoEncoderArgs('vp9', R360, { preset: 'veryfast', crf: 23, segmentSec: 2 }), '-an', ...hls('/work/c/360p-vp9', 2, 'vod'),
    ]);
  });
});

describe('videoEncoderArgs and renditionName', () => {
  it.each<[string, string[]]>([
    ['h264', x264(800, 4)],
    ['vp9', ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '1', '-crf', '34', '-b:v', '560k', '-force_key_frames', 'expr:gte(t,n_forced*4)']],
    ['av1', ['-c:v', 'libsvtav1', '-preset', '10', '-crf', '38', '-force_key_frames', 'expr:gte(t,n_forced*4)']],
  ])('%s', (codec, expected) => {
    expect(videoEncoderArgs(codec as 'h264', R360, { preset: 'veryfast', crf: 23, segmentSec: 4 })).toEqual(expected);
  });

  it.each([
    ['360p', 'h264', '360p'],
    ['360p', 'vp9', '360p-vp9'],
    ['1080p', 'av1', '1080p-av1'],
  ])('%s in %s -> %s', (rung, codec, expected) => {
    expect(renditionName(rung, codec as 'h264')).toBe(expected);
  });
});

describe('buildAudioArgs', () => {
  it('one AAC pass over the whole file into a growing EVENT playlist', () => {
    expect(buildAudioArgs('/src/in.mp4', '/work/a/audio', 2, 128)).toEqual([
      ...HEAD, '-i', '/src/in.mp4',
      '-map', '0:a:0', '-vn', '-c:a', 'aac', '-b:a', '128k', '-ac', '2',
      ...hls('/work/a/audio', 2, 'event'),
    ]);
  });
});

describe('planStoryboard', () => {
  it.each<[string, number, number, number, StoryboardPlan]>([
    ['the 14 s film at 1280x720', 14.081, 1280, 720, { intervalSec: 1, columns: 10, rows: 2, count: 15, tileWidth: 160, tileHeight: 90 }],
    ['a 3 s clip: one row', 3, 1280, 720, { intervalSec: 1, columns: 3, rows: 1, count: 3, tileWidth: 160, tileHeight: 90 }],
    ['exactly 100 s: 100 tiles', 100, 1920, 1080, { intervalSec: 1, columns: 10, rows: 10, count: 100, tileWidth: 160, tileHeight: 90 }],
    ['just over 100 s: every 2 s', 100.5, 1920, 1080, { intervalSec: 2, columns: 10, rows: 6, count: 51, tileWidth: 160, tileHeight: 90 }],
    ['an hour: every 36 s, still 100 tiles', 3600, 1920, 1080, { intervalSec: 36, columns: 10, rows: 10, count: 100, tileWidth: 160, tileHeight: 90 }],
    ['portrait 720x1280', 10, 720, 1280, { intervalSec: 1, columns: 10, rows: 1, count: 10, tileWidth: 160, tileHeight: 284 }],
    ['square 1088x1088', 5, 1088, 1088, { intervalSec: 1, columns: 5, rows: 1, count: 5, tileWidth: 160, tileHeight: 160 }],
    ['4:3 with an odd tile height rounded to even', 2, 640, 480, { intervalSec: 1, columns: 2, rows: 1, count: 2, tileWidth: 160, tileHeight: 120 }],
    ['2.39:1 scope', 2, 1920, 804, { intervalSec: 1, columns: 2, rows: 1, count: 2, tileWidth: 160, tileHeight: 68 }],
    ['a very short clip: one tile', 0.4, 1280, 720, { intervalSec: 1, columns: 1, rows: 1, count: 1, tileWidth: 160, tileHeight: 90 }],
    ['zero duration: still one tile', 0, 1280, 720, { intervalSec: 1, columns: 1, rows: 1, count: 1, tileWidth: 160, tileHeight: 90 }],
  ])('%s', (_name, duration, w, h, expected) => {
    const p = planStoryboard(duration, w, h);
    expect(p).toEqual(expected);
    expect(p.count).toBeLessThanOrEqual(100);
    expect(p.columns * p.rows).toBeGreaterThanOrEqual(p.count);
    expect(p.tileHeight % 2).toBe(0);
  });
});

describe('buildStoryboardArgs', () => {
  const plan: StoryboardPlan = { intervalSec: 2, columns: 10, rows: 6, count: 51, tileWidth: 160, tileHeight: 90 };
  const tail = ['-vf', 'fps=1/2,scale=w=160:h=90,setsar=1,tile=10x6', '-frames:v', '1', '-q:v', '4', '/out/sb.jpg'];

  it('decodes keyframes only when asked (cheap)', () => {
    expect(buildStoryboardArgs('/src/in.mp4', '/out/sb.jpg', plan, true)).toEqual([
      '-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-skip_frame', 'nokey', '-i', '/src/in.mp4', ...tail,
    ]);
  });

  it('decodes every frame otherwise', () => {
    expect(buildStoryboardArgs('/src/in.mp4', '/out/sb.jpg', plan, false)).toEqual([
      '-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-i', '/src/in.mp4', ...tail,
    ]);
  });
});

describe('storyboardVtt', () => {
  it('has one cue per tile, the last one ending at the duration, each pointing at its tile', () => {
    const p = planStoryboard(14.081, 1280, 720);
    const vtt = storyboardVtt(p, 'storyboard.jpg', 14.081);
    const lines = vtt.split('\n');
    expect(lines.slice(0, 2)).toEqual(['WEBVTT', '']);
    const cues = [];
    for (let i = 2; i + 1 < lines.length; i += 3) {
      expect(lines[i + 2]).toBe('');
      cues.push([lines[i], lines[i + 1]]);
    }
    expect(cues).toHaveLength(15);
    expect(cues.slice(0, 2)).toEqual([
      ['00:00:00.000 --> 00:00:01.000', 'storyboard.jpg#xywh=0,0,160,90'],
      ['00:00:01.000 --> 00:00:02.000', 'storyboard.jpg#xywh=160,0,160,90'],
    ]);
    expect(cues[9]).toEqual(['00:00:09.000 --> 00:00:10.000', 'storyboard.jpg#xywh=1440,0,160,90']);
    expect(cues[10]).toEqual(['00:00:10.000 --> 00:00:11.000', 'storyboard.jpg#xywh=0,90,160,90']);
    expect(cues[14]).toEqual(['00:00:14.000 --> 00:00:14.081', 'storyboard.jpg#xywh=640,90,160,90']);
  });

  it('writes hours, minutes and milliseconds', () => {
    const p = planStoryboard(3725.5, 1920, 1080);
    expect(p).toMatchObject({ intervalSec: 38, count: 99, columns: 10, rows: 10 });
    const vtt = storyboardVtt(p, 'sb.jpg', 3725.5);
    expect(vtt).toContain('\n00:00:38.000 --> 00:01:16.000\nsb.jpg#xywh=160,0,160,90\n');
    expect(vtt).toContain('\n01:02:04.000 --> 01:02:05.500\nsb.jpg#xywh=1280,810,160,90\n');
    expect(vtt.endsWith('sb.jpg#xywh=1280,810,160,90\n')).toBe(true);
  });

  it('one tile for a clip shorter than the interval', () => {
    expect(storyboardVtt(planStoryboard(0.4, 1280, 720), 'sb.jpg', 0.4)).toBe('WEBVTT\n\n00:00:00.000 --> 00:00:00.400\nsb.jpg#xywh=0,0,160,90\n');
  });
});
