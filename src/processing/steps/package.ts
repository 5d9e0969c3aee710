/**
 * package: once every chunk and the audio exist, write the final VOD media playlists, measure each
 * rendition's real bit rate from its segment sizes and write the master playlist (last).
 * publish: mark the video ready and delete the raw upload unless configured to keep it.
 */
import { AUDIO_DIR, HLS_INIT, MEDIA_PLAYLIST } from '../../core/ffmpeg-args.js';
import { measureBandwidth, writeMasterPlaylist } from '../../core/hls.js';
import { codecString } from '../../core/ladder.js';
import { renditionName, type VideoCodec } from '../../core/ffmpeg-chunk-args.js';
import { sourceKey, type Rendition } from '../../catalog/videos-service.js';
import { segmentKey, type AudioOutput, type ChunkOutput, type ChunkSegment, type MediaPlan } from '../media-plan.js';
import type { TaskHandler } from '../worker.js';
import type { StepDeps } from './deps.js';
import { renderMediaPlaylist, rungSegments } from '../../streaming/playlists.js';
import { writeMpd, type DashRepresentation } from '../../core/dash.js';
import { cencUri, kidUuid, LICENSE_FILE } from '../../core/cenc.js';

const AUDIO_CODEC = 'mp4a.40.2';

const CODECS: VideoCodec[] = ['h264', 'vp9', 'av1'];
export const masterFor = (codec: VideoCodec) => (codec === 'h264' ? 'master.m3u8' : `master-${codec}.m3u8`);
/** the DASH manifest of a codec's ladder, next to its HLS master */
export const mpdFor = (codec: VideoCodec) => (codec === 'h264' ? 'manifest.mpd' : `manifest-${codec}.mpd`);

export function packageStep(d: StepDeps): TaskHandler {
  return async ({ task, payload }) => {
    const plan = await d.videos.getPlan<MediaPlan>(task.video_id);
    if (!plan) return { skipped: 'video deleted' };
    const outputs = [...(await d.queue.outputs(task.video_id)).values()];
    const chunkOutputs = outputs.filter((o) => o.kind === 'encode-chunk' && o.state === 'done').map((o) => o.output as ChunkOutput);
    const encrypted = (await d.cipher?.isEncrypted(task.video_id)) ?? false;
    let audio = null;
    let dashAudio: DashRepresentation | null = null;
    if (plan.info.audio) {
      const a = outputs.find((o) => o.kind === 'encode-audio')?.output as AudioOutput;
      if (!a?.complete) throw new Error('audio is not complete');
      await d.blobs.put(segmentKey(task.video_id, `${AUDIO_DIR}/${MEDIA_PLAYLIST}`), renderMediaPlaylist(stripDir(a.segments, AUDIO_DIR), { ended: true, kind: 'VOD', encryptedDir: encrypted ? AUDIO_DIR : undefined }));
      const bw = measureBandwidth(a.segments);
      audio = { uri: `${AUDIO_DIR}/${MEDIA_PLAYLIST}`, codec: AUDIO_CODEC, peakBps: bw.peak, averageBps: bw.average };
      dashAudio = { id: AUDIO_DIR, codecs: AUDIO_CODEC, bandwidth: bw.peak, init: `${AUDIO_DIR}/${HLS_INIT}`, segments: a.segments, sampleRate: plan.info.audio.sampleRate || undefined, channels: 2 };
    }
    // the codecs to package: those named by the task, else every codec some chunk was encoded in
    const codecs: VideoCodec[] = payload.codecs ?? CODECS.filter((c) => chunkOutputs.some((o) => Object.keys(o.rungs).includes(renditionName(plan.rungs[0].name, c))));
    const renditions: Rendition[] = [];
    for (const codec of codecs) {
      const forCodec: Rendition[] = [];
      const dashVideo: DashRepresentation[] = [];
      for (const r of plan.rungs) {
        const name = renditionName(r.name, codec);
        const { segments, complete } = rungSegments(chunkOutputs, plan.chunks.length, name);
        if (!complete) throw new Error(`rendition ${name} is missing chunks`);
        await d.blobs.put(segmentKey(task.video_id, `${name}/${MEDIA_PLAYLIST}`), renderMediaPlaylist(stripDir(segments, name), { ended: true, kind: 'VOD', encryptedDir: encrypted ? name : undefined }));
        const bw = measureBandwidth(segments);
        dashVideo.push({ id: name, codecs: codecString(codec, r), bandwidth: bw.peak, init: `${name}/${HLS_INIT}`, segments, width: r.width, height: r.height, fps: r.fps });
        forCodec.push({ name, codec, width: r.width, height: r.height, fps: r.fps, codecs: codecString(codec, r), bandwidth: bw.peak, averageBandwidth: bw.average, playlist: `${name}/${MEDIA_PLAYLIST}` });
      }
      const master = writeMasterPlaylist(
        forCodec.map((r) => ({ uri: r.playlist, width: r.width, height: r.height, fps: r.fps, videoCodec: r.codecs, peakBps: r.bandwidth, averageBps: r.averageBandwidth })),
        audio,
      );
      // the MPD first: the HLS master is the last file written, as before. Whole-segment AES-128 is HLS only:
      // an encrypted video's MPD lists the ClearKey CENC copies the encoders wrote beside its H.264/AAC files.
      if (!encrypted) await d.blobs.put(segmentKey(task.video_id, mpdFor(codec)), writeMpd({ video: dashVideo, audio: dashAudio }));
      else if (codec === 'h264') {
        const mpd = await cencMpd(d, task.video_id, dashVideo, dashAudio);
        if (mpd) await d.blobs.put(segmentKey(task.video_id, mpdFor(codec)), mpd);
      }
      await d.blobs.put(segmentKey(task.video_id, masterFor(codec)), master);
      renditions.push(...forCodec);
    }
    await d.videos.mergeRenditions(task.video_id, renditions);
    return { renditions };
  };
}

/**
 * The MPD of an encrypted video: its CENC copies, ClearKey protection. Copies the encoders did not write (a video
 * encoded before CENC packaging existed) are made here from the stored HLS files (AES-128 opened with the key).
 */
async function cencMpd(d: StepDeps, videoId: string, video: DashRepresentation[], audio: DashRepresentation | null): Promise<string | null> {
  const sealer = d.cipher?.cenc ? await d.cipher.cenc(videoId) : null;
  if (!sealer || !d.cipher) return null;
  const cipher = d.cipher;
  const read = async (path: string) => {
    const parts: Buffer[] = [];
    for await (const c of await d.blobs.get(segmentKey(videoId, path))) parts.push(c as Buffer);
    return Buffer.concat(parts);
  };
  const all = [...video, ...(audio ? [audio] : [])];
  for (const r of all) {
    let init: Buffer | null = null;
    const clearInit = async () => (init ??= await read(r.init));
    const cencInit = cencUri(r.init);
    const have = new Set(await d.blobs.list(segmentKey(videoId, cencInit.slice(0, cencInit.lastIndexOf('/') + 1))));
    if (!have.has(segmentKey(videoId, cencInit))) await d.blobs.put(segmentKey(videoId, cencInit), sealer.init(await clearInit()));
    for (const s of r.segments) {
      if (have.has(segmentKey(videoId, cencUri(s.uri)))) continue;
      const clear = await cipher.open(videoId, s.uri, await read(s.uri));
      await d.blobs.put(segmentKey(videoId, cencUri(s.uri)), sealer.segment(clear, await clearInit()));
    }
  }
  const reps = all.map((r) => ({ ...r, init: cencUri(r.init), segments: r.segments.map((s) => ({ ...s, uri: cencUri(s.uri) })) }));
  return writeMpd({
    video: reps.slice(0, video.length),
    audio: audio ? reps[reps.length - 1] : null,
    protection: { defaultKid: kidUuid(sealer.kid), licenseUrl: LICENSE_FILE },
  });
}

function stripDir(segments: ChunkSegment[], dir: string): ChunkSegment[] {
  return segments.map((s) => ({ ...s, uri: s.uri.startsWith(`${dir}/`) ? s.uri.slice(dir.length + 1) : s.uri }));
}

export function publishStep(d: StepDeps): TaskHandler {
  return async ({ task, log }) => {
    const video = await d.videos.row(task.video_id);
    if (!video) return { skipped: 'video deleted' };
    const outputs = [...(await d.queue.outputs(task.video_id)).values()];
    const hasPoster = outputs.some((o) => o.kind === 'thumbnails' && o.state === 'done');
    // the raw upload goes first, so a ready video never still holds it (a crash in between re-runs this step,
    // which needs nothing from the source)
    if (!d.keepSource) {
      await d.blobs.delete(video.source_key ?? sourceKey(video.id));
      await d.videos.clearSourceKey(video.id);
    }
    await d.videos.markReady(video.id, hasPoster ? segmentKey(video.id, 'thumbnail.jpg') : null);
    log.info({ status: 'ready' }, 'video published');
    await d.notifier?.videoPublished(video.id);
    return { published: true };
  };
}
