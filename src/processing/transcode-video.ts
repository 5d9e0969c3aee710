/**
 * The `transcode` task: validate the source (magic bytes, ffprobe), plan the ladder, encode every rung and the
 * audio in ONE ffmpeg process (one decode), take a thumbnail, measure bandwidth, write the master playlist,
 * publish the files to the blob store and mark the video ready.
 *
 * Idempotent: outputs are built in a private work folder and the video's blob prefix is replaced as a whole,
 * so a re-run overwrites and never duplicates.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { MediaError } from '../core/errors.js';
import { AUDIO_DIR, buildLadderArgs, buildThumbnailArgs, HLS_INIT, MEDIA_PLAYLIST, thumbnailTime, type LadderJob } from '../core/ffmpeg-args.js';
import { measureBandwidth, parseMediaPlaylist, writeMasterPlaylist, type MasterVariant } from '../core/hls.js';
import { avcCodecString, displaySize, planLadder, type Rung } from '../core/ladder.js';
import { MAGIC_BYTES_NEEDED, sniffContainer } from '../core/magic-bytes.js';
import { parseProbe, validateMedia } from '../core/media-info.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { MediaRunner } from '../ports/media-runner.js';
import { sourceKey, videoPrefix, type Rendition, type VideosService } from '../catalog/videos-service.js';
import type { TaskHandler } from './worker.js';

export interface TranscodeSettings {
  segmentSec: number;
  gopSec: number;
  preset: string;
  crf: number;
  audioKbps: number;
  keepSource: boolean;
  workDir: string;
}

export interface TranscodeDeps {
  videos: VideosService;
  blobs: BlobStore;
  media: MediaRunner;
  settings: TranscodeSettings;
}

const AUDIO_CODEC = 'mp4a.40.2';

async function readHead(blobs: BlobStore, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await blobs.get(key, { start: 0, end: MAGIC_BYTES_NEEDED - 1 })) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath ?? (e as any).path, e.name)).split(sep).join('/'));
}

async function measureRendition(dir: string): Promise<{ peak: number; average: number }> {
  const playlist = parseMediaPlaylist(await readFile(join(dir, MEDIA_PLAYLIST), 'utf8'));
  if (playlist.segments.length === 0) throw new Error(`encoder produced no segments in ${dir}`);
  const segments = await Promise.all(playlist.segments.map(async (s) => ({ durationSec: s.durationSec, bytes: (await stat(join(dir, s.uri))).size })));
  const init = await stat(join(dir, playlist.initUri ?? HLS_INIT));
  return measureBandwidth(segments, init.size);
}

export function makeTranscodeHandler(deps: TranscodeDeps): TaskHandler {
  const { videos, blobs, media, settings } = deps;
  return async ({ task, signal, log }) => {
    const video = await videos.row(task.video_id);
    if (!video) {
      log.info('video was deleted; nothing to do');
      return;
    }
    const key = video.source_key ?? sourceKey(video.id);
    const head = await readHead(blobs, key);
    const container = sniffContainer(head);
    if (!container) throw new MediaError('unsupported_format', 'The file is not a video container Reel recognises (checked its first bytes); supported: MP4/MOV, WebM/MKV, AVI, Ogg, MPEG-TS, FLV.');

    const local = await blobs.openLocal(key);
    await mkdir(settings.workDir, { recursive: true });
    const work = await mkdtemp(join(settings.workDir, `${video.id}-`));
    try {
      const info = parseProbe(await media.probe(local.path));
      validateMedia(info);
      const display = displaySize(info.video);
      await videos.setMediaInfo(video.id, { durationSec: info.durationSec, width: Math.round(display.width), height: Math.round(display.height) });

      const rungs = planLadder(info.video);
      for (const r of rungs) await mkdir(join(work, r.name), { recursive: true });
      if (info.audio) await mkdir(join(work, AUDIO_DIR), { recursive: true });
      const job: LadderJob = {
        input: local.path,
        outDir: work,
        rungs,
        withAudio: !!info.audio,
        segmentSec: settings.segmentSec,
        gopSec: Math.min(2, settings.segmentSec),
        preset: settings.preset,
        crf: settings.crf,
        audioKbps: settings.audioKbps,
      };
      log.info({ rungs: rungs.map((r) => r.name), container, duration: info.durationSec }, 'encoding ladder in one ffmpeg process');
      let lastReport = 0;
      await media.ffmpeg(buildLadderArgs(job, info.video.fps), {
        signal,
        onProgress: (p) => {
          const now = Date.now();
          if (now - lastReport < 1000) return;
          lastReport = now;
          void videos.setProgress(video.id, Math.min(0.95, p.outTimeSec / info.durationSec)).catch(() => {});
        },
      });
      await media.ffmpeg(buildThumbnailArgs(local.path, join(work, 'thumbnail.jpg'), thumbnailTime(info.durationSec), Math.min(720, rungs[rungs.length - 1].height)), { signal });

      const renditions = await describeRenditions(work, rungs);
      const audio = info.audio ? { uri: `${AUDIO_DIR}/${MEDIA_PLAYLIST}`, codec: AUDIO_CODEC, ...(await measureAudio(work)) } : null;
      const master = writeMasterPlaylist(
        renditions.map((r): MasterVariant => ({ uri: r.playlist, width: r.width, height: r.height, fps: r.fps, videoCodec: r.codecs, peakBps: r.bandwidth, averageBps: r.averageBandwidth })),
        audio,
      );

      // publish: replace whatever an earlier attempt left, master playlist last
      const prefix = videoPrefix(video.id);
      await blobs.deletePrefix(prefix);
      for (const file of await filesUnder(work)) await blobs.putFile(prefix + file, join(work, file), { move: true });
      await blobs.put(`${prefix}master.m3u8`, master);
      await videos.markReady(video.id, `${prefix}thumbnail.jpg`, renditions);
      if (!settings.keepSource) {
        await blobs.delete(key);
        await videos.clearSourceKey(video.id);
      }
    } finally {
      await local.release();
      await rm(work, { recursive: true, force: true });
    }
  };
}

async function measureAudio(work: string) {
  const m = await measureRendition(join(work, AUDIO_DIR));
  return { peakBps: m.peak, averageBps: m.average };
}

async function describeRenditions(work: string, rungs: Rung[]): Promise<Rendition[]> {
  return Promise.all(
    rungs.map(async (r) => {
      const m = await measureRendition(join(work, r.name));
      return {
        name: r.name,
        width: r.width,
        height: r.height,
        fps: r.fps,
        codecs: avcCodecString(r),
        bandwidth: m.peak,
        averageBandwidth: m.average,
        playlist: `${r.name}/${MEDIA_PLAYLIST}`,
      };
    }),
  );
}
