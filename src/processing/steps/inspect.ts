/**
 * inspect: magic bytes, ffprobe, validation, and a scan of the video packets to find exact cut points.
 * Bad media fails here at once, with a reason, before any encoding starts.
 */
import { MediaError } from '../../core/errors.js';
import { planChunks } from '../../core/chunks.js';
import { displaySize } from '../../core/ladder.js';
import { MAGIC_BYTES_NEEDED, sniffContainer } from '../../core/magic-bytes.js';
import { parseProbe, validateMedia } from '../../core/media-info.js';
import { sourceKey } from '../../catalog/videos-service.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { TaskHandler } from '../worker.js';
import { openSource, type StepDeps } from './deps.js';

async function readHead(blobs: BlobStore, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await blobs.get(key, { start: 0, end: MAGIC_BYTES_NEEDED - 1 })) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export function inspectStep(d: StepDeps): TaskHandler {
  return async ({ task }) => {
    const video = await d.videos.row(task.video_id);
    if (!video) return { skipped: 'video deleted' };
    const key = video.source_key ?? sourceKey(video.id);
    // the server's own fingerprint (a client's claimed hash is never trusted): identical bytes are not re-encoded.
    // It is computed while the file is probed (two cores, one read of the file through the page cache), so it
    // does not delay the first playable segment.
    const hashing = d.dedup?.hashBlob(key);
    hashing?.catch(() => {}); // awaited below; a bad file may end the task first
    const container = sniffContainer(await readHead(d.blobs, key));
    if (!container) throw new MediaError('unsupported_format', 'The file is not a video container Reel recognises (checked its first bytes); supported: MP4/MOV, WebM/MKV, AVI, Ogg, MPEG-TS, FLV.');
    const local = await openSource(d, key);
    try {
      // the packet scan runs alongside the probe (and the hash): a file the probe refuses fails with the probe's reason
      const scanning = d.media.videoPackets(local.path);
      scanning.catch(() => {});
      const probe = await d.media.probe(local.path);
      const info = parseProbe(probe);
      validateMedia(info);
      const packets = await scanning;
      const startTime = Number(probe.format?.start_time ?? 0) || 0;
      const framePts = packets.map((p) => p.pts - startTime).sort((a, b) => a - b);
      const keyframePts = packets.filter((p) => p.key).map((p) => p.pts - startTime).sort((a, b) => a - b);
      const chunks = planChunks({
        framePts,
        keyframePts,
        durationSec: info.durationSec,
        chunkSec: d.profile.chunkSeconds,
        firstChunkSec: d.profile.firstChunkSeconds,
        segmentSec: d.profile.segmentSeconds,
      });
      if (d.dedup && hashing) {
        const sha256 = await hashing;
        // an encrypted video gets its own (encrypted) segments: never a copy of clear ones
        const twin = (await d.cipher?.isEncrypted(video.id)) ? undefined : await d.dedup.findReady(video.channel_id, sha256, video.id);
        if (twin) {
          await d.dedup.reuse(twin.id, video.id);
          await d.queue.cancelVideo(video.id, task.id);
          await d.blobs.delete(key);
          await d.videos.clearSourceKey(video.id);
          return { duplicateOf: twin.id, sha256 };
        }
        await d.dedup.recordHash(video.id, sha256);
      }
      const display = displaySize(info.video);
      await d.videos.setMediaInfo(video.id, { durationSec: info.durationSec, width: Math.round(display.width), height: Math.round(display.height) });
      return { container, info, chunks, frames: framePts.length };
    } finally {
      await local.release();
    }
  };
}
