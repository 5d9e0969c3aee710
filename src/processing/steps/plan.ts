/**
 * plan: choose the ladder from the inspected media and expand the rest of the profile into tasks
 * (one encode task per chunk, the audio pass, thumbnails, storyboard, package, publish).
 */
import { expandPipeline, initialSteps } from '../../core/pipeline.js';
import { displaySize, H264_LADDER, planLadder } from '../../core/ladder.js';
import type { MediaPlan } from '../media-plan.js';
import type { TaskHandler } from '../worker.js';
import type { StepDeps } from './deps.js';

export function planStep(d: StepDeps): TaskHandler {
  return async ({ task, payload }) => {
    const outputs = await d.queue.outputs(task.video_id);
    const inspect = [...outputs.values()].find((o) => o.kind === 'inspect' && o.state === 'done')?.output;
    if (!inspect) throw new Error('plan ran before inspect finished');
    // the ladder, capped at the highest rung the site allowed when the upload finished (payload.maxRung)
    const cap = H264_LADDER.find((r) => r.name === payload?.maxRung);
    const rungs = planLadder(inspect.info.video, cap ? H264_LADDER.filter((r) => r.shortSide <= cap.shortSide) : H264_LADDER);
    const plan: MediaPlan = { info: inspect.info, display: displaySize(inspect.info.video), chunks: inspect.chunks, rungs, segmentSec: d.profile.segmentSeconds };
    await d.videos.setPlan(task.video_id, plan);
    const existing = initialSteps(d.profile).map((s) => s.key);
    const specs = expandPipeline(d.profile, { chunks: plan.chunks, rungNames: rungs.map((r) => r.name), existing, codecs: d.profile.video.codecs });
    const bias = await d.videos.channelPriority(task.video_id);
    // this task is still running, so dependents on it wait until the worker completes it
    await d.queue.addGraph(task.video_id, specs, bias);
    return { rungs: rungs.map((r) => r.name), chunks: plan.chunks.length, tasks: specs.length };
  };
}
