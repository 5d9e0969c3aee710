/**
 * encode-audio: one AAC pass over the whole track (chunked AAC would click at chunk boundaries because of
 * encoder priming). ffmpeg writes a growing EVENT playlist; finished segments are published while it runs, so
 * the opening seconds are playable long before the pass ends.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildAudioArgs } from '../../core/ffmpeg-chunk-args.js';
import { AUDIO_DIR, HLS_INIT, MEDIA_PLAYLIST } from '../../core/ffmpeg-args.js';
import { parseMediaPlaylist } from '../../core/hls.js';
import { sourceKey } from '../../catalog/videos-service.js';
import { segmentKey, type AudioOutput, type MediaPlan } from '../media-plan.js';
import type { TaskHandler } from '../worker.js';
import { openSource, type StepDeps } from './deps.js';
import { checkPlayable } from './playable.js';
import { cencUri } from '../../core/cenc.js';

export function encodeAudioStep(d: StepDeps): TaskHandler {
  return async ({ task, signal, setOutput }) => {
    const plan = await d.videos.getPlan<MediaPlan>(task.video_id);
    const video = await d.videos.row(task.video_id);
    if (!plan || !video) return { skipped: 'video deleted' };
    if (!plan.info.audio) return { segments: [], complete: true } satisfies AudioOutput;
    const local = await openSource(d, video.source_key ?? sourceKey(video.id));
    await mkdir(d.workDir, { recursive: true });
    const work = await mkdtemp(join(d.workDir, `${video.id}-audio-`));
    const out: AudioOutput = { segments: [], complete: false };
    let initPublished = false;
    // an encrypted video's audio also gets ClearKey CENC copies for DASH (audio/cenc/…)
    const cenc = d.cipher?.cenc ? await d.cipher.cenc(video.id) : null;
    let init: Buffer | null = null;
    let publishing = Promise.resolve();
    const publishNew = async (final: boolean) => {
      let text: string;
      try {
        text = await readFile(join(work, MEDIA_PLAYLIST), 'utf8');
      } catch {
        return; // no segment finished yet
      }
      const pl = parseMediaPlaylist(text);
      // while running, the newest listed segment is complete (ffmpeg lists a segment once it is closed)
      const fresh = pl.segments.slice(out.segments.length);
      if (!fresh.length && !final) return;
      if (!initPublished) {
        await d.blobs.putFile(segmentKey(video.id, `${AUDIO_DIR}/${HLS_INIT}`), join(work, HLS_INIT));
        if (cenc) {
          init = await readFile(join(work, HLS_INIT));
          await d.blobs.put(segmentKey(video.id, cencUri(`${AUDIO_DIR}/${HLS_INIT}`)), cenc.init(init));
        }
        initPublished = true;
      }
      for (const s of fresh) {
        const uri = `${AUDIO_DIR}/${s.uri}`;
        const clear = await readFile(join(work, s.uri));
        const bytes = d.cipher ? await d.cipher.seal(video.id, uri, clear) : clear;
        await d.blobs.put(segmentKey(video.id, uri), bytes);
        if (cenc && init) await d.blobs.put(segmentKey(video.id, cencUri(uri)), cenc.segment(clear, init));
        out.segments.push({ uri, durationSec: s.durationSec, bytes: bytes.length });
      }
      out.complete = final && pl.ended;
      await setOutput(out);
      if (out.segments.length > 0) await checkPlayable(d, video.id);
    };
    const timer = setInterval(() => {
      publishing = publishing.then(() => publishNew(false)).catch(() => {});
    }, 200);
    try {
      await d.media.ffmpeg(buildAudioArgs(local.path, work, plan.segmentSec, d.profile.audio.bitrateKbps), { signal });
      clearInterval(timer);
      await publishing;
      await publishNew(true);
      if (!out.complete) throw new Error('audio pass ended without a complete playlist');
      return out;
    } finally {
      clearInterval(timer);
      await local.release();
      await rm(work, { recursive: true, force: true });
    }
  };
}
