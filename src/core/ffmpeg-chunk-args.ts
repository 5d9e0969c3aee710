/**
 * ffmpeg argv for the segment-parallel pipeline. Pure.
 * - a video chunk: decode [start, end) of the source once, encode every requested rung (fMP4 HLS per rung);
 * - the audio track: one pass over the whole file (AAC priming makes chunked audio click at boundaries),
 *   written as a growing EVENT playlist so it can be published while it runs;
 * - a storyboard sprite: one small frame every `intervalSec`, tiled.
 */
import type { Rung } from './ladder.js';
import { HLS_INIT, MEDIA_PLAYLIST } from './ffmpeg-args.js';

export const CHUNK_SEGMENT_PATTERN = 'seg_%04d.m4s';

export type VideoCodec = 'h264' | 'vp9' | 'av1';

/** Folder (and rendition name) of a rung in a codec: H.264 keeps the plain name, others get a suffix. */
export const renditionName = (rung: string, codec: VideoCodec) => (codec === 'h264' ? rung : `${rung}-${codec}`);

/** Encoder arguments for one rung. Keyframes are forced at every segment boundary in all codecs. */
export function videoEncoderArgs(codec: VideoCodec, r: Rung, o: { preset: string; crf: number; segmentSec: number }): string[] {
  const keyframes = ['-force_key_frames', `expr:gte(t,n_forced*${o.segmentSec})`];
  const rate = ['-maxrate', `${r.maxKbps}k`, '-bufsize', `${r.maxKbps * 2}k`];
  switch (codec) {
    case 'h264':
      return ['-c:v', 'libx264', '-preset', o.preset, '-profile:v', 'high', '-crf', String(o.crf), ...rate, ...keyframes, '-sc_threshold', '0'];
    case 'vp9':
      // realtime deadline with row multithreading: a cost-saving rung for popular videos, about 30% smaller than H.264
      return ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '1', '-crf', '34', '-b:v', `${Math.round(r.maxKbps * 0.7)}k`, ...keyframes];
    case 'av1':
      return ['-c:v', 'libsvtav1', '-preset', '10', '-crf', '38', ...keyframes];
  }
}

export interface ChunkJob {
  input: string;
  outDir: string;
  codec: VideoCodec;
  start: number;
  /** exclusive end; null for "to the end of the source" */
  end: number | null;
  rungs: Rung[];
  sourceFps: number;
  segmentSec: number;
  preset: string;
  crf: number;
  /** burn a logo into every rung: an image, scaled to this fraction of the frame height, bottom-right */
  watermark?: { image: string; heightFraction: number };
}

const secs = (n: number) => Number(n.toFixed(6)).toString();

function hlsFmp4(dir: string, segmentSec: number, type: 'vod' | 'event'): string[] {
  return [
    '-f', 'hls',
    '-hls_time', String(segmentSec),
    '-hls_playlist_type', type,
    '-hls_segment_type', 'fmp4',
    '-hls_flags', 'independent_segments',
    '-hls_fmp4_init_filename', HLS_INIT,
    '-hls_segment_filename', `${dir}/${CHUNK_SEGMENT_PATTERN}`,
    `${dir}/${MEDIA_PLAYLIST}`,
  ];
}

export function buildChunkArgs(job: ChunkJob): string[] {
  const input: string[] = [];
  if (job.start > 0) input.push('-ss', secs(job.start));
  if (job.end !== null) input.push('-t', secs(job.end - job.start));
  const n = job.rungs.length;
  // the watermark is applied once, at source resolution, before the split: every rung gets the same picture
  const wm = job.watermark
    ? `[1:v][0:v:0]scale2ref=w=oh*mdar:h=ih*${job.watermark.heightFraction}[wm][base];[base][wm]overlay=x=W-w-W/40:y=H-h-H/40:format=auto[src];`
    : '';
  const src = job.watermark ? '[src]' : '[0:v:0]';
  const split = n > 1 ? `${src}split=${n}${job.rungs.map((_, i) => `[s${i}]`).join('')};` : '';
  const chains = job.rungs
    .map((r, i) => {
      const fps = r.fps < job.sourceFps - 0.01 ? `,fps=${Number(r.fps.toFixed(3))}` : '';
      return `${n > 1 ? `[s${i}]` : src}scale=w=${r.width}:h=${r.height}:flags=bicubic${fps},setsar=1,format=yuv420p[v${i}]`;
    })
    .join(';');
  const logo = job.watermark ? ['-i', job.watermark.image] : [];
  const args = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats', ...input, '-i', job.input, ...logo, '-filter_complex', wm + split + chains];
  job.rungs.forEach((r, i) => {
    args.push(
      '-map', `[v${i}]`,
      ...videoEncoderArgs(job.codec, r, job),
      '-an',
      ...hlsFmp4(`${job.outDir}/${renditionName(r.name, job.codec)}`, job.segmentSec, 'vod'),
    );
  });
  return args;
}

export function buildAudioArgs(input: string, outDir: string, segmentSec: number, kbps: number): string[] {
  return [
    '-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats',
    '-i', input,
    '-map', '0:a:0', '-vn', '-c:a', 'aac', '-b:a', `${kbps}k`, '-ac', '2',
    ...hlsFmp4(outDir, segmentSec, 'event'),
  ];
}

export interface StoryboardPlan {
  intervalSec: number;
  columns: number;
  rows: number;
  count: number;
  tileWidth: number;
  tileHeight: number;
}

/** At most 100 previews in one sprite: one every max(1 s, duration/100). */
export function planStoryboard(durationSec: number, displayW: number, displayH: number): StoryboardPlan {
  const intervalSec = Math.max(1, Math.ceil(durationSec / 100));
  const count = Math.max(1, Math.ceil(durationSec / intervalSec));
  const columns = Math.min(10, count);
  const rows = Math.ceil(count / columns);
  const tileWidth = 160;
  const tileHeight = Math.max(2, 2 * Math.round((tileWidth * displayH) / displayW / 2));
  return { intervalSec, columns, rows, count, tileWidth, tileHeight };
}

/** keyframesOnly decodes only keyframes (cheap); sources with too few keyframes need the full decode. */
export function buildStoryboardArgs(input: string, output: string, p: StoryboardPlan, keyframesOnly: boolean): string[] {
  return [
    '-hide_banner', '-nostdin', '-y', '-loglevel', 'error',
    ...(keyframesOnly ? ['-skip_frame', 'nokey'] : []),
    '-i', input,
    '-vf', `fps=1/${p.intervalSec},scale=w=${p.tileWidth}:h=${p.tileHeight},setsar=1,tile=${p.columns}x${p.rows}`,
    '-frames:v', '1', '-q:v', '4',
    output,
  ];
}

/** WebVTT thumbnails track: each cue points at a tile of the sprite (media fragment #xywh). */
export function storyboardVtt(p: StoryboardPlan, spriteUri: string, durationSec: number): string {
  const ts = (s: number) => {
    const ms = Math.round(s * 1000);
    const h = Math.floor(ms / 3600000);
    const m = Math.floor((ms % 3600000) / 60000);
    const sec = Math.floor((ms % 60000) / 1000);
    return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}.${String(ms % 1000).padStart(3, '0')}`;
  };
  const lines = ['WEBVTT', ''];
  for (let i = 0; i < p.count; i++) {
    const from = i * p.intervalSec;
    const to = Math.min(durationSec, (i + 1) * p.intervalSec);
    const x = (i % p.columns) * p.tileWidth;
    const y = Math.floor(i / p.columns) * p.tileHeight;
    lines.push(`${ts(from)} --> ${ts(to)}`, `${spriteUri}#xywh=${x},${y},${p.tileWidth},${p.tileHeight}`, '');
  }
  return lines.join('\n');
}
