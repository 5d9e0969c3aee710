/**
 * Media runner port: runs ffprobe and ffmpeg with argument lists (never a shell) and reports progress.
 */
import type { ProbeJson } from '../core/media-info.js';
import type { ProgressSnapshot } from '../core/progress.js';

export interface MediaTools {
  ffmpeg: string;
  ffprobe: string;
  /** 'system' when found on PATH (or configured), 'bundled' for the npm fallback */
  origin: 'system' | 'bundled' | 'configured';
  version: string;
}

export interface RunOptions {
  onProgress?: (p: ProgressSnapshot) => void;
  signal?: AbortSignal;
  cwd?: string;
}

export interface MediaRunner {
  readonly tools: MediaTools;
  /** ffprobe the input; rejects with a MediaError('unreadable_media') when ffprobe cannot parse it */
  probe(input: string): Promise<ProbeJson>;
  /** Timestamps of every packet of the first video stream, in decode order, with the keyframe flag */
  videoPackets(input: string): Promise<Array<{ pts: number; key: boolean }>>;
  /** Run ffmpeg; rejects with FfmpegError carrying the tail of stderr on a non-zero exit */
  ffmpeg(args: string[], opts?: RunOptions): Promise<void>;
}

export class FfmpegError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderrTail: string,
  ) {
    super(message);
    this.name = 'FfmpegError';
  }
}
