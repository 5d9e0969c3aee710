import { describe, expect, it } from 'vitest';
import { buildLadderArgs, buildProbeArgs, buildThumbnailArgs, thumbnailTime } from '../../src/core/ffmpeg-args.js';

const hls = (dir: string) => [
  '-f', 'hls', '-hls_time', '4', '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4', '-hls_flags', 'independent_segments',
  '-hls_fmp4_init_filename', 'init.mp4', '-hls_segment_filename', `${dir}/seg_%05d.m4s`, `${dir}/index.m3u8`,
];

describe('buildLadderArgs', () => {
  it('decodes once and writes one single-variant fMP4 HLS output per rung plus audio (exact argv)', () => {
    const args = buildLadderArgs(
      {
        input: '/in/src.mp4',
        outDir: '/out',
        rungs: [
          { name: '360p', width: 640, height: 360, fps: 30, maxKbps: 800 },
          { name: '720p', width: 1280, height: 720, fps: 60, maxKbps: 4200 },
        ],
        withAudio: true,
        segmentSec: 4,
        gopSec: 2,
        preset: 'veryfast',
        crf: 23,
        audioKbps: 128,
      },
      60,
    );
    const video = (i: number, kbps: number, dir: string) => [
      '-map', `[v${i}]`, '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-crf', '23', '-maxrate', `${kbps}k`, '-bufsize', `${kbps * 2}k`,
      '-force_key_frames', 'expr:gte(t,n_forced*2)', '-sc_threshold', '0', '-an', ...hls(dir),
    ];
    expect(args).toEqual([
      '-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats', '-i', '/in/src.mp4',
      '-filter_complex',
      '[0:v:0]split=2[s0][s1];[s0]scale=w=640:h=360:flags=bicubic,fps=30,setsar=1,format=yuv420p[v0];[s1]scale=w=1280:h=720:flags=bicubic,setsar=1,format=yuv420p[v1]',
      ...video(0, 800, '/out/360p'),
      ...video(1, 4200, '/out/720p'),
      '-map', '0:a:0', '-vn', '-c:a', 'aac', '-b:a', '128k', '-ac', '2', ...hls('/out/audio'),
    ]);
  });

  it('has no audio output when the source has no audio', () => {
    const args = buildLadderArgs(
      { input: 'i', outDir: 'o', rungs: [{ name: '8p', width: 10, height: 8, fps: 25, maxKbps: 200 }], withAudio: false, segmentSec: 4, gopSec: 2, preset: 'veryfast', crf: 23, audioKbps: 128 },
      25,
    );
    expect(args).not.toContain('0:a:0');
    expect(args.at(-1)).toBe('o/8p/index.m3u8');
  });
});

describe('other builders', () => {
  it('thumbnail: seek before input, one frame, scaled', () => {
    expect(buildThumbnailArgs('in.mp4', 'out.jpg', 1.4, 360)).toEqual([
      '-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-ss', '1.400', '-i', 'in.mp4', '-frames:v', '1', '-vf', 'scale=w=-2:h=360', '-q:v', '3', 'out.jpg',
    ]);
    expect(thumbnailTime(14)).toBeCloseTo(1.4);
    expect(thumbnailTime(3600)).toBe(10);
    expect(thumbnailTime(0)).toBe(0);
  });
  it('probe', () => {
    expect(buildProbeArgs('x')).toEqual(['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', 'x']);
  });
});
