/**
 * thumbnails (poster frame) and storyboard (sprite of small frames + WebVTT thumbnails track for seek-bar
 * previews). Both read the source; neither blocks playback.
 */
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { buildThumbnailArgs, thumbnailTime } from '../../core/ffmpeg-args.js';
import { buildStoryboardArgs, planStoryboard, storyboardVtt } from '../../core/ffmpeg-chunk-args.js';
import { sourceKey } from '../../catalog/videos-service.js';
import { segmentKey, type MediaPlan } from '../media-plan.js';
import type { TaskHandler } from '../worker.js';
import { openSource, type StepDeps } from './deps.js';

async function withSource<T>(d: StepDeps, videoId: string, label: string, fn: (input: string, work: string, plan: MediaPlan) => Promise<T>): Promise<T | { skipped: string }> {
  const plan = await d.videos.getPlan<MediaPlan>(videoId);
  const video = await d.videos.row(videoId);
  if (!plan || !video) return { skipped: 'video deleted' };
  const local = await openSource(d, video.source_key ?? sourceKey(video.id));
  await mkdir(d.workDir, { recursive: true });
  const work = await mkdtemp(join(d.workDir, `${video.id}-${label}-`));
  try {
    return await fn(local.path, work, plan);
  } finally {
    await local.release();
    await rm(work, { recursive: true, force: true });
  }
}

export function thumbnailsStep(d: StepDeps): TaskHandler {
  return async ({ task, signal }) =>
    withSource(d, task.video_id, 'thumb', async (input, work, plan) => {
      const height = Math.min(720, plan.rungs[plan.rungs.length - 1].height);
      const file = join(work, 'thumbnail.jpg');
      await d.media.ffmpeg(buildThumbnailArgs(input, file, thumbnailTime(plan.info.durationSec), height), { signal });
      await d.blobs.putFile(segmentKey(task.video_id, 'thumbnail.jpg'), file, { move: true });
      return { poster: 'thumbnail.jpg' };
    });
}

export function storyboardStep(d: StepDeps): TaskHandler {
  return async ({ task, signal }) =>
    withSource(d, task.video_id, 'story', async (input, work, plan) => {
      const sb = planStoryboard(plan.info.durationSec, plan.display.width, plan.display.height);
      const file = join(work, 'storyboard.jpg');
      await d.media.ffmpeg(buildStoryboardArgs(input, file, sb, true), { signal });
      // too few keyframes to fill the sprite: decode every frame instead
      if (!(await stat(file).catch(() => null))) await d.media.ffmpeg(buildStoryboardArgs(input, file, sb, false), { signal });
      await d.blobs.putFile(segmentKey(task.video_id, 'storyboard.jpg'), file, { move: true });
      await d.blobs.put(segmentKey(task.video_id, 'storyboard.vtt'), storyboardVtt(sb, 'storyboard.jpg', plan.info.durationSec));
      return { sprite: 'storyboard.jpg', vtt: 'storyboard.vtt', ...sb };
    });
}
