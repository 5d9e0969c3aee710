/**
 * Thumbnails the owner chooses: an uploaded JPEG/PNG, or a frame of the published video at a chosen time (read
 * from its H.264 rendition, so it works after the source is deleted). Every choice is re-encoded by ffmpeg to a
 * JPEG of at most 1280×720 (which also proves the image decodes) and stored under a new name,
 * `videos/<id>/thumbs/<name>.jpg`; the previous custom file is deleted. Reset goes back to the generated poster.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../core/errors.js';
import { parseMediaPlaylist } from '../core/hls.js';
import type { CurrentUser } from '../accounts/accounts-service.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { MediaRunner } from '../ports/media-runner.js';
import { imageInfo, sniffImage } from './image-info.js';
import { customThumbnailDir, isCustomThumbnail, videoPrefix, type VideosService, type VideoView } from './videos-service.js';

export const MAX_THUMBNAIL_BYTES = 2 * 1024 * 1024;
export const MIN_THUMBNAIL_SIDE = { width: 160, height: 90 };
const MAX_THUMBNAIL_PIXELS = 8192 * 8192;
/** the poster the pipeline generates (steps/images.ts) */
const GENERATED = 'thumbnail.jpg';

export interface ThumbnailOptions {
  workDir: string;
  /** encrypted videos' segments are opened with this (src/streaming/segment-cipher.ts) */
  cipher?: { open(videoId: string, path: string, bytes: Buffer): Promise<Buffer> };
}

async function toBuffer(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of stream) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

/** ffmpeg argv: decode one frame (optionally `seekSec` into the input) and write a JPEG fitting 1280×720. */
export function buildPosterArgs(input: string, output: string, seekSec = 0): string[] {
  return [
    '-hide_banner', '-nostdin', '-y', '-loglevel', 'error',
    ...(seekSec > 0 ? ['-ss', seekSec.toFixed(3)] : []),
    '-i', input,
    '-frames:v', '1',
    '-vf', "scale=w='min(1280,iw)':h='min(720,ih)':force_original_aspect_ratio=decrease",
    '-q:v', '3',
    '-update', '1',
    output,
  ];
}

export class ThumbnailsService {
  constructor(
    private readonly videos: VideosService,
    private readonly blobs: BlobStore,
    private readonly media: MediaRunner,
    private readonly opts: ThumbnailOptions,
  ) {}

  /** An uploaded image: JPEG or PNG, at most 2 MiB, at least 160×90. */
  async upload(owner: CurrentUser, id: string, bytes: Buffer): Promise<VideoView> {
    const row = await this.videos.owned(owner, id);
    if (row.status === 'removed') throw new AppError('taken_down', 'This video was taken down', 409);
    if (bytes.length === 0) throw new AppError('empty_image', 'Send the image file as the request body', 400);
    if (bytes.length > MAX_THUMBNAIL_BYTES) throw new AppError('image_too_large', `Thumbnails can be at most ${MAX_THUMBNAIL_BYTES / 1024 / 1024} MiB`, 413);
    if (!sniffImage(bytes)) throw new AppError('unsupported_image', 'A thumbnail must be a JPEG or PNG image', 415);
    const info = imageInfo(bytes);
    if (!info || info.width === 0 || info.height === 0 || info.width * info.height > MAX_THUMBNAIL_PIXELS) throw new AppError('invalid_image', 'This image is damaged or its size cannot be read', 400);
    if (info.width < MIN_THUMBNAIL_SIDE.width || info.height < MIN_THUMBNAIL_SIDE.height) {
      throw new AppError('image_too_small', `Thumbnails must be at least ${MIN_THUMBNAIL_SIDE.width}×${MIN_THUMBNAIL_SIDE.height} pixels (this one is ${info.width}×${info.height})`, 400);
    }
    return this.withWork(id, async (work) => {
      const input = join(work, `upload.${info.format === 'png' ? 'png' : 'jpg'}`);
      await writeFile(input, bytes);
      return this.store(owner, id, work, input, 0, 'invalid_image', 'This image could not be decoded');
    });
  }

  /** A frame of the published video at `atSec` (clamped to its duration). */
  async fromFrame(owner: CurrentUser, id: string, atSec: number): Promise<VideoView> {
    const row = await this.videos.owned(owner, id);
    if (row.status !== 'ready') throw new AppError('not_ready', 'A frame can be picked once the video is published', 409);
    const duration = row.duration_sec ?? 0;
    if (!(atSec >= 0) || (duration > 0 && atSec > duration)) throw new AppError('invalid_time', `Pick a time between 0 and ${duration.toFixed(1)} s`, 400);
    const video = await this.videos.getVisible(id, owner);
    // the H.264 rung closest to 720p (enough for a poster, small segments to read)
    const rungs = video.renditions.filter((r) => (r.codec ?? 'h264') === 'h264').sort((a, b) => Math.abs(a.height - 720) - Math.abs(b.height - 720));
    const rung = rungs[0];
    if (!rung) throw new AppError('frame_unavailable', 'This video has no rendition to take a frame from', 409);
    const prefix = videoPrefix(id);
    const text = await this.blobs.get(prefix + rung.playlist).then(toBuffer, () => null);
    if (!text) throw new AppError('frame_unavailable', 'The rendition to take a frame from is not stored right now', 409);
    const playlist = parseMediaPlaylist(text.toString('utf8'));
    if (!playlist.segments.length || !playlist.initUri) throw new AppError('frame_unavailable', 'The rendition has no segments', 409);
    // the segment holding atSec (the last one for the very end)
    let start = 0;
    let index = 0;
    while (index < playlist.segments.length - 1 && atSec >= start + playlist.segments[index].durationSec) start += playlist.segments[index++].durationSec;
    const segment = playlist.segments[index];
    const dir = posix.dirname(rung.playlist);
    const rel = (uri: string) => (dir === '.' ? uri : `${dir}/${uri}`);
    const [init, media] = await Promise.all([this.blobs.get(prefix + rel(playlist.initUri)).then(toBuffer), this.blobs.get(prefix + rel(segment.uri)).then(toBuffer)]).catch(() => {
      throw new AppError('frame_unavailable', 'The rendition to take a frame from is not stored right now', 409);
    });
    const clear = this.opts.cipher ? await this.opts.cipher.open(id, rel(segment.uri), media) : media;
    return this.withWork(id, async (work) => {
      const input = join(work, 'frame.mp4');
      await writeFile(input, Buffer.concat([init, clear]));
      return this.store(owner, id, work, input, Math.max(0, Math.min(atSec - start, segment.durationSec - 0.05)), 'frame_unavailable', 'No frame could be decoded at this time');
    });
  }

  /** Back to the poster the pipeline generated (or none). */
  async reset(owner: CurrentUser, id: string): Promise<VideoView> {
    const row = await this.videos.owned(owner, id);
    const generated = videoPrefix(id) + GENERATED;
    await this.videos.setThumbnail(id, (await this.blobs.stat(generated)) ? generated : null);
    if (row.thumbnail_key && isCustomThumbnail(id, row.thumbnail_key)) await this.blobs.delete(row.thumbnail_key);
    return this.videos.getVisible(id, owner);
  }

  private async withWork<T>(id: string, fn: (work: string) => Promise<T>): Promise<T> {
    await mkdir(this.opts.workDir, { recursive: true });
    const work = await mkdtemp(join(this.opts.workDir, `${id}-poster-`));
    try {
      return await fn(work);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  private async store(owner: CurrentUser, id: string, work: string, input: string, seekSec: number, code: string, message: string): Promise<VideoView> {
    const out = join(work, 'poster.jpg');
    const ok = await this.media.ffmpeg(buildPosterArgs(input, out, seekSec)).then(() => true, () => false);
    const size = ok ? (await stat(out).catch(() => null))?.size ?? 0 : 0;
    if (size === 0) throw new AppError(code, message, code === 'frame_unavailable' ? 409 : 400);
    const key = `${customThumbnailDir(id)}${Date.now().toString(36)}${randomBytes(3).toString('hex')}.jpg`;
    await this.blobs.put(key, await readFile(out));
    const before = await this.videos.row(id);
    if (!before) {
      await this.blobs.delete(key); // deleted meanwhile
      throw new AppError('not_found', 'Video not found', 404);
    }
    await this.videos.setThumbnail(id, key);
    if (before.thumbnail_key && before.thumbnail_key !== key && isCustomThumbnail(id, before.thumbnail_key)) await this.blobs.delete(before.thumbnail_key);
    return this.videos.getVisible(id, owner);
  }
}
