/**
 * encode-chunk: decode one chunk of the source once and encode it for the requested rungs. The chunk's
 * fragments are shifted onto the video's timeline (tfdt) and published as `<rung>/c<chunk>_<n>.m4s`;
 * chunk 0 also publishes each rung's init segment. Re-running overwrites the same keys (idempotent).
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildChunkArgs } from '../../core/ffmpeg-chunk-args.js';
import { HLS_INIT, MEDIA_PLAYLIST } from '../../core/ffmpeg-args.js';
import { shiftSegment, trackTimescale } from '../../core/fmp4.js';
import { parseMediaPlaylist } from '../../core/hls.js';
import { sourceKey } from '../../catalog/videos-service.js';
import { segmentKey, type ChunkOutput, type MediaPlan } from '../media-plan.js';
import type { TaskHandler } from '../worker.js';
import type { StepDeps } from './deps.js';
import { checkPlayable } from './playable.js';

export const chunkSegmentUri = (rung: string, chunk: number, n: number) => `${rung}/c${String(chunk).padStart(5, '0')}_${String(n).padStart(3, '0')}.m4s`;

export function encodeChunkStep(d: StepDeps): TaskHandler {
  return async ({ task, payload, signal, setOutput }) => {
    const plan = await d.videos.getPlan<MediaPlan>(task.video_id);
    const video = await d.videos.row(task.video_id);
    if (!plan || !video) return { skipped: 'video deleted' };
    const chunk = plan.chunks[payload.chunk as number];
    const rungs = plan.rungs.filter((r) => (payload.rungs as string[]).includes(r.name));
    const local = await d.blobs.openLocal(video.source_key ?? sourceKey(video.id));
    await mkdir(d.workDir, { recursive: true });
    const work = await mkdtemp(join(d.workDir, `${video.id}-c${chunk.index}-`));
    try {
      for (const r of rungs) await mkdir(join(work, r.name));
      const last = chunk.index === plan.chunks.length - 1;
      await d.media.ffmpeg(
        buildChunkArgs({
          input: local.path,
          outDir: work,
          start: chunk.start,
          end: last ? null : chunk.end,
          rungs,
          sourceFps: plan.info.video.fps,
          segmentSec: plan.segmentSec,
          preset: d.profile.video.preset,
          crf: d.profile.video.crf,
        }),
        { signal },
      );
      const output: ChunkOutput = { chunk: chunk.index, rungs: {} };
      for (const r of rungs) {
        const dir = join(work, r.name);
        const init = await readFile(join(dir, HLS_INIT));
        const offset = BigInt(Math.round(chunk.start * trackTimescale(init)));
        const playlist = parseMediaPlaylist(await readFile(join(dir, MEDIA_PLAYLIST), 'utf8'));
        if (playlist.segments.length === 0) throw new Error(`chunk ${chunk.index} produced no ${r.name} segments`);
        const segments = [];
        for (const [n, s] of playlist.segments.entries()) {
          // sequence numbers: unique and increasing across chunks (1000 fragments per chunk is far more than any chunk has)
          const bytes = shiftSegment(await readFile(join(dir, s.uri)), offset, chunk.index * 1000 + n + 1);
          const uri = chunkSegmentUri(r.name, chunk.index, n);
          await d.blobs.put(segmentKey(video.id, uri), bytes);
          segments.push({ uri, durationSec: s.durationSec, bytes: bytes.length });
        }
        if (chunk.index === 0) await d.blobs.put(segmentKey(video.id, `${r.name}/${HLS_INIT}`), init);
        output.rungs[r.name] = segments;
      }
      await setOutput(output);
      if (chunk.index === 0) await checkPlayable(d, video.id);
      return output;
    } finally {
      await local.release();
      await rm(work, { recursive: true, force: true });
    }
  };
}
