/**
 * A processing video becomes playable when the lowest rung's first chunk and the first audio segment exist.
 */
import type { AudioOutput, ChunkOutput, MediaPlan } from '../media-plan.js';
import type { StepDeps } from './deps.js';

export async function checkPlayable(d: StepDeps, videoId: string): Promise<boolean> {
  const plan = await d.videos.getPlan<MediaPlan>(videoId);
  if (!plan) return false;
  const lowest = plan.rungs[0].name;
  const outputs = [...(await d.queue.outputs(videoId)).values()];
  const video = outputs.some((o) => o.kind === 'encode-chunk' && (o.output as ChunkOutput | null)?.chunk === 0 && (o.output as ChunkOutput).rungs[lowest]?.length);
  const audioOut = outputs.find((o) => o.kind === 'encode-audio')?.output as AudioOutput | null | undefined;
  const audio = !plan.info.audio || (audioOut?.segments.length ?? 0) > 0;
  if (!(video && audio)) return false;
  const marked = await d.videos.markPlayable(videoId);
  if (marked && d.onPlayable) {
    // the pipeline started when the upload completed: its first task's creation time
    const started = Math.min(...(await d.queue.forVideo(videoId)).map((t) => t.created_at));
    d.onPlayable(videoId, (Date.now() - started) / 1000);
  }
  return marked;
}
