/**
 * ffmpeg argument builders. Pure: they return argv arrays (never shell strings) and are tested exact-argv.
 */
import type { Rung } from './ladder.js';

export interface LadderJob {
  input: string;
  /** directory outputs are written under: <outDir>/<rung.name>/index.m3u8 and <outDir>/audio/index.m3u8 */
  outDir: string;
  rungs: Rung[];
  withAudio: boolean;
  segmentSec: number;
  /** keyframe interval in seconds; segments are cut on keyframes, so segmentSec should be a multiple */
  gopSec: number;
  preset: string;
  crf: number;
  audioKbps: number;
}

export const HLS_INIT = 'init.mp4';
export const HLS_SEGMENT_PATTERN = 'seg_%05d.m4s';
export const MEDIA_PLAYLIST = 'index.m3u8';
export const AUDIO_DIR = 'audio';

function fpsFilter(r: Rung, sourceFps: number): string {
  return r.fps < sourceFps - 0.01 ? `,fps=${Number(r.fps.toFixed(3))}` : '';
}

function hlsOutput(dir: string, segmentSec: number): string[] {
  return [
    '-f', 'hls',
    '-hls_time', String(segmentSec),
    '-hls_playlist_type', 'vod',
    '-hls_segment_type', 'fmp4',
    '-hls_flags', 'independent_segments',
    '-hls_fmp4_init_filename', HLS_INIT,
    '-hls_segment_filename', `${dir}/${HLS_SEGMENT_PATTERN}`,
    `${dir}/${MEDIA_PLAYLIST}`,
  ];
}

/**
 * One ffmpeg process, one decode of the source, one single-variant HLS (fMP4/CMAF) output per rung
 * plus one audio-only output. Works on ffmpeg 4.1 (no -var_stream_map) and newer.
 */
export function buildLadderArgs(job: LadderJob, sourceFps: number): string[] {
  const n = job.rungs.length;
  const splits = job.rungs.map((_, i) => `[s${i}]`).join('');
  const chains = job.rungs
    .map((r, i) => `[s${i}]scale=w=${r.width}:h=${r.height}:flags=bicubic${fpsFilter(r, sourceFps)},setsar=1,format=yuv420p[v${i}]`)
    .join(';');
  const graph = `[0:v:0]split=${n}${splits};${chains}`;
  const args = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats', '-i', job.input, '-filter_complex', graph];
  job.rungs.forEach((r, i) => {
    args.push(
      '-map', `[v${i}]`,
      '-c:v', 'libx264',
      '-preset', job.preset,
      '-profile:v', 'high',
      '-crf', String(job.crf),
      '-maxrate', `${r.maxKbps}k`,
      '-bufsize', `${r.maxKbps * 2}k`,
      '-force_key_frames', `expr:gte(t,n_forced*${job.gopSec})`,
      '-sc_threshold', '0',
      '-an',
      ...hlsOutput(`${job.outDir}/${r.name}`, job.segmentSec),
    );
  });
  if (job.withAudio) {
    args.push('-map', '0:a:0', '-vn', '-c:a', 'aac', '-b:a', `${job.audioKbps}k`, '-ac', '2', ...hlsOutput(`${job.outDir}/${AUDIO_DIR}`, job.segmentSec));
  }
  return args;
}

/** A poster frame at `atSec`, scaled to `height` lines, as JPEG. */
export function buildThumbnailArgs(input: string, output: string, atSec: number, height: number): string[] {
  return [
    '-hide_banner', '-nostdin', '-y', '-loglevel', 'error',
    '-ss', atSec.toFixed(3),
    '-i', input,
    '-frames:v', '1',
    '-vf', `scale=w=-2:h=${height}`,
    '-q:v', '3',
    output,
  ];
}

export function buildProbeArgs(input: string): string[] {
  return ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', input];
}

/** Where to take the poster frame: a tenth into the video, never past 10 s, never before the first frame. */
export function thumbnailTime(durationSec: number): number {
  return Math.max(0, Math.min(10, durationSec / 10));
}
