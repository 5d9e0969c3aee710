/**
 * package: once every chunk and the audio exist, write the final VOD media playlists, measure each
 * rendition's real bit rate from its segment sizes and write the master playlist (last).
 * publish: mark the video ready and delete the raw upload unless configured to keep it.
 */
import { AUDIO_DIR, MEDIA_PLAYLIST } from '../../core/ffmpeg-args.js';
import { measureBandwidth, writeMasterPlaylist } from '../../core/hls.js';
import { avcCodecString } from '../../core/ladder.js';
import { sourceKey, type Rendition } from '../../catalog/videos-service.js';
import { segmentKey, type AudioOutput, type ChunkOutput, type ChunkSegment, type MediaPlan } from '../media-plan.js';
import type { TaskHandler } from '../worker.js';
import type { StepDeps } from './deps.js';
import { renderMediaPlaylist, rungSegments } from '../../streaming/playlists.js';

const AUDIO_CODEC = 'mp4a.40.2';

export function packageStep(d: StepDeps): TaskHandler {
  return async ({ task }) => {
    const plan = await d.videos.getPlan<MediaPlan>(task.video_id);
    if (!plan) return { skipped: 'video deleted' };
    const outputs = [...(await d.queue.outputs(task.video_id)).values()];
    const chunkOutputs = outputs.filter((o) => o.kind === 'encode-chunk' && o.state === 'done').map((o) => o.output as ChunkOutput);
    const renditions: Rendition[] = [];
    for (const r of plan.rungs) {
      const { segments, complete } = rungSegments(chunkOutputs, plan.chunks.length, r.name);
      if (!complete) throw new Error(`rung ${r.name} is missing chunks`);
      await d.blobs.put(segmentKey(task.video_id, `${r.name}/${MEDIA_PLAYLIST}`), renderMediaPlaylist(stripDir(segments, r.name), { ended: true, kind: 'VOD' }));
      const bw = measureBandwidth(segments);
      renditions.push({ name: r.name, width: r.width, height: r.height, fps: r.fps, codecs: avcCodecString(r), bandwidth: bw.peak, averageBandwidth: bw.average, playlist: `${r.name}/${MEDIA_PLAYLIST}` });
    }
    let audio = null;
    if (plan.info.audio) {
      const a = outputs.find((o) => o.kind === 'encode-audio')?.output as AudioOutput;
      if (!a?.complete) throw new Error('audio is not complete');
      await d.blobs.put(segmentKey(task.video_id, `${AUDIO_DIR}/${MEDIA_PLAYLIST}`), renderMediaPlaylist(stripDir(a.segments, AUDIO_DIR), { ended: true, kind: 'VOD' }));
      const bw = measureBandwidth(a.segments);
      audio = { uri: `${AUDIO_DIR}/${MEDIA_PLAYLIST}`, codec: AUDIO_CODEC, peakBps: bw.peak, averageBps: bw.average };
    }
    const master = writeMasterPlaylist(
      renditions.map((r) => ({ uri: r.playlist, width: r.width, height: r.height, fps: r.fps, videoCodec: r.codecs, peakBps: r.bandwidth, averageBps: r.averageBandwidth })),
      audio,
    );
    await d.blobs.put(segmentKey(task.video_id, 'master.m3u8'), master);
    return { renditions };
  };
}

function stripDir(segments: ChunkSegment[], dir: string): ChunkSegment[] {
  return segments.map((s) => ({ ...s, uri: s.uri.startsWith(`${dir}/`) ? s.uri.slice(dir.length + 1) : s.uri }));
}

export function publishStep(d: StepDeps): TaskHandler {
  return async ({ task }) => {
    const video = await d.videos.row(task.video_id);
    if (!video) return { skipped: 'video deleted' };
    const outputs = [...(await d.queue.outputs(task.video_id)).values()];
    const renditions = outputs.find((o) => o.kind === 'package')?.output?.renditions as Rendition[];
    const hasPoster = outputs.some((o) => o.kind === 'thumbnails' && o.state === 'done');
    await d.videos.markReady(video.id, renditions, hasPoster ? segmentKey(video.id, 'thumbnail.jpg') : null);
    if (!d.keepSource) {
      await d.blobs.delete(video.source_key ?? sourceKey(video.id));
      await d.videos.clearSourceKey(video.id);
    }
    return { published: true };
  };
}
