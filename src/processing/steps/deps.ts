/** What every pipeline step handler receives (wired in one place: src/wiring). */
import type { BlobStore } from '../../ports/blob-store.js';
import type { MediaRunner } from '../../ports/media-runner.js';
import type { Profile } from '../../core/pipeline.js';
import type { VideosService } from '../../catalog/videos-service.js';
import type { TaskQueue } from '../task-queue.js';
import type { Dedup } from '../../upload/dedup.js';

export interface StepDeps {
  videos: VideosService;
  blobs: BlobStore;
  media: MediaRunner;
  queue: TaskQueue;
  profile: Profile;
  workDir: string;
  keepSource: boolean;
  /** optional: told when a video is published (subscribers' notifications) */
  notifier?: { videoPublished(videoId: string): Promise<unknown> };
  /** optional: skip re-encoding bytes the account already uploaded */
  dedup?: Dedup;
  /** optional: per-video AES-128 encryption of published segments (src/streaming/segment-cipher.ts) */
  cipher?: {
    isEncrypted(videoId: string): Promise<boolean>;
    seal(videoId: string, path: string, bytes: Buffer): Promise<Buffer>;
    open(videoId: string, path: string, bytes: Buffer): Promise<Buffer>;
    /** ClearKey CENC copies of the H.264/AAC files for DASH (<rung>/cenc/…); null for a clear video */
    cenc?(videoId: string): Promise<import('../../streaming/segment-cipher.js').CencSealer | null>;
  };
  /** called once when a video becomes playable, with the seconds since its upload completed */
  onPlayable?: (videoId: string, seconds: number) => void;
}

/** Where ffmpeg reads a video's source: a range-readable URL when the store offers one, else a local path. */
export async function openSource(d: Pick<StepDeps, 'blobs'>, key: string): Promise<{ path: string; release(): Promise<void> }> {
  if (d.blobs.urlFor) return { path: await d.blobs.urlFor(key, 6 * 3600), release: async () => {} };
  return d.blobs.openLocal(key);
}
