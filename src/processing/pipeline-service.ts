/**
 * Starts a video's pipeline from the configured profile, and cleans up when a task gives up:
 * the video fails with a reason, its other tasks are cancelled, and nothing half-made stays in the store.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AppError, MediaError } from '../core/errors.js';
import { initialSteps, parseProfile, type Profile, type TaskSpec } from '../core/pipeline.js';
import type { MediaPlan } from './media-plan.js';
import { sourceKey, videoPrefix, type VideosService } from '../catalog/videos-service.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Task, TaskQueue } from './task-queue.js';

/** Read and validate a profile; a watermark image path is resolved against the profile's folder. */
export function loadProfile(path: string): Profile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read pipeline profile ${path}: ${(err as Error).message}`);
  }
  const profile = parseProfile(json);
  for (const step of profile.steps) {
    const wm = step.options.watermark as { image?: unknown; heightFraction?: unknown } | undefined;
    if (!wm) continue;
    if (typeof wm.image !== 'string' || !(typeof wm.heightFraction === 'number' && wm.heightFraction > 0 && wm.heightFraction <= 0.5)) {
      throw new Error(`invalid pipeline profile: step ${step.id}: watermark needs {"image": "<png>", "heightFraction": 0 < n <= 0.5}`);
    }
    const image = resolve(dirname(path), wm.image);
    if (!existsSync(image)) throw new Error(`invalid pipeline profile: step ${step.id}: watermark image ${image} not found`);
    step.options.watermark = { image, heightFraction: wm.heightFraction };
  }
  return profile;
}

export class PipelineService {
  constructor(
    private readonly queue: TaskQueue,
    private readonly videos: VideosService,
    private readonly blobs: BlobStore,
    readonly profile: Profile,
  ) {}

  /**
   * Options a new upload's `plan` task gets in its payload, read when the pipeline starts (the admin console's
   * site settings: `maxRung` caps the ladder). Set by the wiring; none by default.
   */
  planOptions: () => Promise<Record<string, unknown>> = async () => ({});

  async start(videoId: string): Promise<void> {
    const extra = await this.planOptions();
    const specs = initialSteps(this.profile).map((s) => (s.kind === 'plan' ? { ...s, payload: { ...s.payload, ...extra } } : s));
    await this.queue.addGraph(videoId, specs, await this.videos.channelPriority(videoId));
  }

  /**
   * Add a codec (VP9, AV1) to a published video, e.g. once it is popular: every chunk is encoded in the new
   * codec (from the source if kept, else from the best H.264 rendition) and packaged into its own master
   * playlist. The H.264 renditions are not touched and the video stays playable throughout.
   */
  async addCodec(videoId: string, codec: 'vp9' | 'av1'): Promise<number> {
    const plan = await this.videos.getPlan<MediaPlan>(videoId);
    if (!plan) throw new AppError('not_planned', 'This video was not processed by the chunked pipeline', 409);
    const step = this.profile.steps.find((s) => s.kind === 'encode-chunk');
    const encode = step?.id ?? 'video';
    const specs: TaskSpec[] = plan.chunks.map((c) => ({
      key: `${encode}.${codec}#${c.index}`,
      step: encode,
      kind: 'encode-chunk',
      after: [],
      priority: 200 + c.index,
      payload: { ...step?.options, chunk: c.index, start: c.start, end: c.end, codec, rungs: plan.rungs.map((r) => r.name) },
    }));
    specs.push({ key: `package.${codec}`, step: 'package', kind: 'package', after: specs.map((s) => s.key), priority: 200, payload: { codecs: [codec] } });
    return this.queue.addGraph(videoId, specs, await this.videos.channelPriority(videoId));
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
