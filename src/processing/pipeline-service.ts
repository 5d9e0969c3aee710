/**
 * Starts a video's pipeline from the configured profile, and cleans up when a task gives up:
 * the video fails with a reason, its other tasks are cancelled, and nothing half-made stays in the store.
 */
import { readFileSync } from 'node:fs';
import { MediaError } from '../core/errors.js';
import { initialSteps, parseProfile, type Profile } from '../core/pipeline.js';
import { sourceKey, videoPrefix, type VideosService } from '../catalog/videos-service.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Task, TaskQueue } from './task-queue.js';

export function loadProfile(path: string): Profile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read pipeline profile ${path}: ${(err as Error).message}`);
  }
  return parseProfile(json);
}

export class PipelineService {
  constructor(
    private readonly queue: TaskQueue,
    private readonly videos: VideosService,
    private readonly blobs: BlobStore,
    readonly profile: Profile,
  ) {}

  async start(videoId: string): Promise<void> {
    await this.queue.addGraph(videoId, initialSteps(this.profile), await this.videos.channelPriority(videoId));
  }

  /**
   * A task failed for good.
   * - Bad input (non-recoverable): the video fails with the reason, every other task is cancelled and
   *   everything it produced, source included, is deleted.
   * - A dead-lettered task (recoverable errors, attempts used up): the video shows as failed, but the DAG and
   *   finished work stay, so re-running the task (API) continues where it stopped.
   */
  async gaveUp(task: Task, err: unknown, state: 'failed' | 'dead'): Promise<void> {
    if (state === 'failed') {
      const code = err instanceof MediaError ? err.code : 'processing_failed';
      const message = err instanceof Error ? err.message : String(err);
      await this.queue.cancelVideo(task.video_id);
      await this.blobs.deletePrefix(videoPrefix(task.video_id));
      await this.blobs.delete(sourceKey(task.video_id));
      await this.videos.clearSourceKey(task.video_id);
      await this.videos.markFailed(task.video_id, code, message);
      return;
    }
    await this.videos.markFailed(task.video_id, 'processing_failed', `Processing step "${task.key}" failed ${task.attempts} times and was set aside; it can be re-run.`);
  }
}
