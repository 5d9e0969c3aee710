/**
 * The processing plan of a video (stored as JSON on the video once planned), and how to read a source.
 */
import type { Chunk } from '../core/chunks.js';
import type { Rung } from '../core/ladder.js';
import type { MediaInfo } from '../core/media-info.js';

export interface MediaPlan {
  info: MediaInfo & { video: NonNullable<MediaInfo['video']> };
  display: { width: number; height: number };
  chunks: Chunk[];
  rungs: Rung[];
  segmentSec: number;
}

export interface ChunkSegment {
  uri: string;
  durationSec: number;
  bytes: number;
}

/** Output of an encode-chunk task */
export interface ChunkOutput {
  chunk: number;
  rungs: Record<string, ChunkSegment[]>;
}

/** Output of the encode-audio task, growing while it runs */
export interface AudioOutput {
  segments: ChunkSegment[];
  complete: boolean;
}

export const segmentKey = (videoId: string, uri: string) => `videos/${videoId}/${uri}`;
