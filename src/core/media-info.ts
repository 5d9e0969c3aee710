/**
 * Turning ffprobe's JSON into what Reel needs, and deciding whether a file is acceptable.
 * Pure: the caller runs ffprobe and passes its parsed JSON in.
 */
import { MediaError } from './errors.js';

export interface MediaInfo {
  container: string;
  durationSec: number;
  video: null | {
    codec: string;
    width: number;
    height: number;
    rotation: number;
    fps: number;
    sar: number;
    pixFmt: string;
  };
  audio: null | { codec: string; sampleRate: number; channels: number };
}

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  sample_aspect_ratio?: string;
  pix_fmt?: string;
  sample_rate?: string;
  channels?: number;
  duration?: string;
  disposition?: { attached_pic?: number };
  tags?: { rotate?: string };
  side_data_list?: Array<{ rotation?: number; side_data_type?: string }>;
}

export interface ProbeJson {
  streams?: ProbeStream[];
  format?: { format_name?: string; duration?: string; start_time?: string };
}

export function parseRate(rate: string | undefined): number {
  if (!rate) return 0;
  const [n, d] = rate.split('/').map(Number);
  if (!d) return Number.isFinite(n) ? n : 0;
  return n / d;
}

function parseSar(s: string | undefined): number {
  if (!s || s === '0:1' || s === 'N/A') return 1;
  const [n, d] = s.split(':').map(Number);
  return n > 0 && d > 0 ? n / d : 1;
}

function rotationOf(s: ProbeStream): number {
  const fromSide = s.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation;
  const raw = fromSide ?? (s.tags?.rotate ? Number(s.tags.rotate) : 0);
  // ffprobe reports the display matrix rotation counter-clockwise as a negative number
  return (((-raw % 360) + 360) % 360) as number;
}

export function parseProbe(json: ProbeJson): MediaInfo {
  const streams = json.streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const a = streams.find((s) => s.codec_type === 'audio');
  const duration = Number(json.format?.duration ?? v?.duration ?? a?.duration ?? 0);
  return {
    container: json.format?.format_name ?? 'unknown',
    durationSec: Number.isFinite(duration) ? duration : 0,
    video: v
      ? {
          codec: v.codec_name ?? 'unknown',
          width: v.width ?? 0,
          height: v.height ?? 0,
          rotation: rotationOf(v),
          fps: parseRate(v.avg_frame_rate) || parseRate(v.r_frame_rate),
          sar: parseSar(v.sample_aspect_ratio),
          pixFmt: v.pix_fmt ?? 'unknown',
        }
      : null,
    audio: a ? { codec: a.codec_name ?? 'unknown', sampleRate: Number(a.sample_rate ?? 0), channels: a.channels ?? 0 } : null,
  };
}

export interface MediaLimits {
  maxDurationSec: number;
  maxPixels: number;
}

export const DEFAULT_MEDIA_LIMITS: MediaLimits = { maxDurationSec: 12 * 3600, maxPixels: 7680 * 4320 };

/** Throws a non-recoverable MediaError with a user-facing code and message when the media cannot become a video. */
export function validateMedia(info: MediaInfo, limits: MediaLimits = DEFAULT_MEDIA_LIMITS): asserts info is MediaInfo & { video: NonNullable<MediaInfo['video']> } {
  if (!info.video) {
    throw new MediaError(
      'no_video_stream',
      info.audio
        ? `The file has only an audio track (${info.audio.codec}); Reel hosts videos, so please upload a file with a video track.`
        : 'The file has no video track.',
    );
  }
  if (info.video.width < 2 || info.video.height < 2) throw new MediaError('invalid_dimensions', `The video is ${info.video.width}x${info.video.height} pixels, which cannot be encoded.`);
  if (info.video.width * info.video.height > limits.maxPixels) throw new MediaError('too_large_frame', `The video frame ${info.video.width}x${info.video.height} is larger than the maximum supported size.`);
  if (!(info.durationSec > 0)) throw new MediaError('no_duration', 'The file reports no duration; it may be truncated or not a finished recording.');
  if (info.durationSec > limits.maxDurationSec) throw new MediaError('too_long', `The video lasts ${Math.round(info.durationSec)} s, more than the limit of ${limits.maxDurationSec} s.`);
}
