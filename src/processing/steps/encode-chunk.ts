/**
 * encode-chunk: decode one chunk of the source once and encode it for the requested rungs. The chunk's
 * fragments are shifted onto the video's timeline (tfdt) and published as `<rung>/c<chunk>_<n>.m4s`;
 * chunk 0 also publishes each rung's init segment. Re-running overwrites the same keys (idempotent).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildChunkArgs, renditionName, type VideoCodec } from '../../core/ffmpeg-chunk-args.js';
import { HLS_INIT, MEDIA_PLAYLIST } from '../../core/ffmpeg-args.js';
import { shiftSegment, trackTimescale } from '../../core/fmp4.js';
import { parseMediaPlaylist } from '../../core/hls.js';
import { sourceKey } from '../../catalog/videos-service.js';
import { segmentKey, type ChunkOutput, type MediaPlan } from '../media-plan.js';
import type { TaskHandler } from '../worker.js';
import { openSource, type StepDeps } from './deps.js';
import { checkPlayable } from './playable.js';
import { cencUri } from '../../core/cenc.js';

export const chunkSegmentUri = (rung: string, chunk: number, n: number) => `${rung}/c${String(chunk).padStart(5, '0')}_${String(n).padStart(3, '0')}.m4s`;

export function encodeChunkStep(d: StepDeps): TaskHandler {
  return async ({ task, payload, signal, setOutput }) => {
    const plan = await d.videos.getPlan<MediaPlan>(task.video_id);
    const video = await d.videos.row(task.video_id);
    if (!plan || !video) return { skipped: 'video deleted' };
    const chunk = plan.chunks[payload.chunk as number];
    const codec: VideoCodec = payload.codec ?? 'h264';
    const rungs = plan.rungs.filter((r) => (payload.rungs as string[]).includes(r.name));
    await mkdir(d.workDir, { recursive: true });
    const work = await mkdtemp(join(d.workDir, `${video.id}-c${chunk.index}-${codec}-`));
    // the source when it is kept; otherwise (a codec added after publishing) the chunk of the top H.264 rendition
    const fromSource = !!video.source_key || !!(await d.blobs.stat(sourceKey(video.id)));
    const encoding = codec === 'h264' ? rungs.map((r) => r.name) : []; // re-creating dropped H.264 rungs (storage tiering)
    const local = fromSource ? await openSource(d, video.source_key ?? sourceKey(video.id)) : await chunkOfTopRendition(d, video.id, plan, chunk.index, work, encoding);
    try {
      for (const r of rungs) await mkdir(join(work, renditionName(r.name, codec)));
      const last = chunk.index === plan.chunks.length - 1;
      await d.media.ffmpeg(
        buildChunkArgs({
          input: local.path,
          outDir: work,
          codec,
          start: fromSource ? chunk.start : 0,
          end: !fromSource || last ? null : chunk.end,
          rungs,
          sourceFps: plan.info.video.fps,
          segmentSec: plan.segmentSec,
          preset: d.profile.video.preset,
          crf: d.profile.video.crf,
          // a profile step option: {"watermark": {"image": "logo.png", "heightFraction": 0.08}}
          watermark: fromSource ? payload.watermark : undefined, // a rendition already carries it
        }),
        { signal },
      );
      const output: ChunkOutput = { chunk: chunk.index, rungs: {} };
      // an encrypted video's H.264 rungs also get ClearKey CENC copies for DASH (<rung>/cenc/…)
      const cenc = codec === 'h264' && d.cipher?.cenc ? await d.cipher.cenc(video.id) : null;
      for (const r of rungs) {
        const name = renditionName(r.name, codec);
        const dir = join(work, name);
        const init = await readFile(join(dir, HLS_INIT));
        const offset = BigInt(Math.round(chunk.start * trackTimescale(init)));
        const playlist = parseMediaPlaylist(await readFile(join(dir, MEDIA_PLAYLIST), 'utf8'));
        if (playlist.segments.length === 0) throw new Error(`chunk ${chunk.index} produced no ${r.name} segments`);
        const segments = [];
        for (const [n, s] of playlist.segments.entries()) {
          // sequence numbers: unique and increasing across chunks (1000 fragments per chunk is far more than any chunk has)
          const uri = chunkSegmentUri(name, chunk.index, n);
          const clear = shiftSegment(await readFile(join(dir, s.uri)), offset, chunk.index * 1000 + n + 1);
          const bytes = d.cipher ? await d.cipher.seal(video.id, uri, clear) : clear;
          await d.blobs.put(segmentKey(video.id, uri), bytes);
          if (cenc) await d.blobs.put(segmentKey(video.id, cencUri(uri)), cenc.segment(clear, init));
          segments.push({ uri, durationSec: s.durationSec, bytes: bytes.length });
        }
        if (chunk.index === 0) await d.blobs.put(segmentKey(video.id, `${name}/${HLS_INIT}`), init);
        if (chunk.index === 0 && cenc) await d.blobs.put(segmentKey(video.id, cencUri(`${name}/${HLS_INIT}`)), cenc.init(init));
        output.rungs[name] = segments;
      }
      await setOutput(output);
      if (chunk.index === 0 && codec === 'h264') await checkPlayable(d, video.id);
      return output;
    } finally {
      await local.release();
      await rm(work, { recursive: true, force: true });
    }
  };
}

/**
 * The chunk's span of the best stored H.264 rendition as a local fMP4 file (init + that chunk's segments), for
 * encoding extra codecs after the source was deleted. Its timestamps start at the chunk's start.
 */
async function chunkOfTopRendition(d: StepDeps, videoId: string, plan: MediaPlan, chunk: number, work: string, exclude: string[] = []) {
  // the best H.264 rung still stored and not being encoded here (storage tiering may have dropped the top ones)
  let top = '';
  let keys: string[] = [];
  for (const r of [...plan.rungs].reverse()) {
    if (exclude.includes(r.name)) continue;
    top = r.name;
    keys = (await d.blobs.list(`videos/${videoId}/${top}/`)).filter((k) => k.includes(`/c${String(chunk).padStart(5, '0')}_`)).sort();
    if (keys.length) break;
  }
  if (!keys.length) throw new Error(`no stored H.264 segments for chunk ${chunk}`);
  const parts: Buffer[] = [];
  for (const k of [segmentKey(videoId, `${top}/${HLS_INIT}`), ...keys]) {
    const chunks: Buffer[] = [];
    for await (const c of await d.blobs.get(k)) chunks.push(c as Buffer);
    const bytes = Buffer.concat(chunks);
    // segments of an encrypted video are stored encrypted (init segments are clear)
    parts.push(d.cipher && !k.endsWith(`/${HLS_INIT}`) ? await d.cipher.open(videoId, k.slice(`videos/${videoId}/`.length), bytes) : bytes);
  }
  const path = join(work, 'input.mp4');
  await writeFile(path, Buffer.concat(parts));
  return { path, release: async () => {} };
}
