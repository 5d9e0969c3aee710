/**
 * Task kinds that re-create dropped renditions (queued by TieringService.recreate):
 * - tier-encode: the encode-chunk step, reading through hot then cold store, so it finds a kept source (or the
 *   best remaining rung) wherever tiering put it. Its outputs carry their own kind, so packaging and live
 *   playlists never mix them with the pipeline's.
 * - tier-finish: once every chunk is back, writes each re-created rendition's VOD playlist and marks it hot;
 *   from then on the manifests list it again.
 */
import { HLS_INIT, MEDIA_PLAYLIST } from '../core/ffmpeg-args.js';
import { encodeChunkStep } from '../processing/steps/encode-chunk.js';
import type { StepDeps } from '../processing/steps/deps.js';
import type { TaskHandler } from '../processing/worker.js';
import { segmentKey, type ChunkOutput, type ChunkSegment, type MediaPlan } from '../processing/media-plan.js';
import { renderMediaPlaylist, rungSegments } from '../streaming/playlists.js';
import type { TieringService } from './tiering-service.js';

export const TIER_TASK_KINDS = ['tier-encode', 'tier-finish'] as const;

export function tieringHandlers(tiering: TieringService, d: StepDeps): Record<string, TaskHandler> {
  return {
    'tier-encode': encodeChunkStep({ ...d, blobs: tiering.readThrough() }),
    'tier-finish': tierFinishStep(tiering, d),
  };
}

function tierFinishStep(tiering: TieringService, d: StepDeps): TaskHandler {
  return async ({ task, payload }) => {
    const { generation, renditions, from } = payload as { codec: string; generation: number; renditions: string[]; from: string };
    const plan = await d.videos.getPlan<MediaPlan>(task.video_id);
    if (!plan) return { skipped: 'video deleted' };
    const prefix = `tier.${payload.codec}.g${generation}#`;
    const chunkOutputs = [...(await d.queue.outputs(task.video_id)).entries()].filter(([key, o]) => key.startsWith(prefix) && o.state === 'done').map(([, o]) => o.output as ChunkOutput);
    const encrypted = (await d.cipher?.isEncrypted(task.video_id)) ?? false;
    const restored: Array<{ rendition: string; bytes: number; segments: number }> = [];
    for (const name of renditions) {
      const { segments, complete } = rungSegments(chunkOutputs, plan.chunks.length, name);
      if (!complete) throw new Error(`re-created rendition ${name} is missing chunks`);
      await d.blobs.put(segmentKey(task.video_id, `${name}/${MEDIA_PLAYLIST}`), renderMediaPlaylist(stripDir(segments, name), { ended: true, kind: 'VOD', encryptedDir: encrypted ? name : undefined }));
      const keys = await d.blobs.list(segmentKey(task.video_id, `${name}/`));
      let bytes = 0;
      for (const k of keys) bytes += (await d.blobs.stat(k))?.size ?? 0;
      if (!keys.some((k) => k.endsWith(`/${HLS_INIT}`))) throw new Error(`re-created rendition ${name} has no init segment`);
      await tiering.restored(task.video_id, name, generation, { bytes, files: keys.length }, from);
      restored.push({ rendition: name, bytes, segments: segments.length });
    }
    return { restored, from };
  };
}

function stripDir(segments: ChunkSegment[], dir: string): ChunkSegment[] {
  return segments.map((s) => ({ ...s, uri: s.uri.startsWith(`${dir}/`) ? s.uri.slice(dir.length + 1) : s.uri }));
}
