/**
 * Resumable uploads over tus 1.0 (@tus/server with its file store): creation, creation-with-upload,
 * termination, expiration. Each upload belongs to one video; metadata may name an existing video (`videoId`,
 * created through POST /api/videos) or carry a `title`/`filename` and the video is created on the fly.
 * When the last byte lands the file moves into the blob store and a `transcode` task is queued.
 */
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { EVENTS, Server } from '@tus/server';
import { FileStore } from '@tus/file-store';
import type { Logger } from 'pino';
import { AppError } from '../core/errors.js';
import type { AccountsService, CurrentUser } from '../accounts/accounts-service.js';
import { sourceKey, type VideosService } from '../catalog/videos-service.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { PipelineService } from '../processing/pipeline-service.js';
import { SESSION_COOKIE } from '../http/auth.js';

export const UPLOAD_PATH = '/api/uploads';

export interface TusDeps {
  accounts: AccountsService;
  videos: VideosService;
  blobs: BlobStore;
  pipeline: PipelineService;
  log: Logger;
  uploadDir: string;
  maxUploadBytes: number;
  expiryMs: number;
}

interface HeaderSource {
  headers: { get(name: string): string | null };
}

function tokenFrom(req: HeaderSource): string | undefined {
  const auth = req.headers.get('authorization');
  if (auth?.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  const cookie = req.headers.get('cookie');
  const m = cookie ? new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]+)`).exec(cookie) : null;
  return m ? decodeURIComponent(m[1]) : undefined;
}

const reject = (status: number, code: string, message: string) => ({ status_code: status, body: JSON.stringify({ error: { code, message } }) });

const stripExt = (name: string) => name.replace(/\.[^./]{1,8}$/, '');

export function createTusServer(deps: TusDeps) {
  const store = new FileStore({ directory: deps.uploadDir, expirationPeriodInMilliseconds: deps.expiryMs });

  async function userOf(req: HeaderSource): Promise<CurrentUser> {
    const user = await deps.accounts.authenticate(tokenFrom(req));
    if (!user) throw reject(401, 'unauthorized', 'Sign in (session cookie or Authorization: Bearer <token>) to upload');
    return user;
  }

  const server = new Server({
    path: UPLOAD_PATH,
    datastore: store,
    maxSize: deps.maxUploadBytes,
    relativeLocation: true,
    respectForwardedHeaders: true,
    async onIncomingRequest(req, uploadId) {
      const user = await userOf(req);
      if (req.method === 'POST' || req.method === 'OPTIONS' || !uploadId) return;
      const video = await deps.videos.byUploadId(uploadId);
      if (!video || video.owner_id !== user.id) throw reject(404, 'not_found', 'Upload not found');
    },
    async onUploadCreate(req, upload) {
      const user = await userOf(req);
      const meta = upload.metadata ?? {};
      let videoId = meta.videoId ?? undefined;
      try {
        if (videoId) {
          await deps.videos.owned(user, videoId);
        } else {
          const title = (meta.title || (meta.filename ? stripExt(meta.filename) : '') || 'Untitled').slice(0, 200);
          videoId = (await deps.videos.create(user, { title, description: (meta.description ?? '').slice(0, 5000) })).id;
        }
        await deps.videos.attachUpload(videoId, upload.id, upload.size ?? null);
      } catch (err) {
        if (err instanceof AppError) throw reject(err.statusCode, err.code, err.message);
        throw err;
      }
      return { metadata: { ...meta, videoId } };
    },
    async onUploadFinish(_req, upload) {
      const video = await deps.videos.byUploadId(upload.id);
      if (!video) throw reject(404, 'not_found', 'The video of this upload was deleted');
      const key = sourceKey(video.id);
      // link, not move: @tus/server still reads the upload's state after this hook; POST_FINISH removes it
      await deps.blobs.putFile(key, join(deps.uploadDir, upload.id), { link: true });
      await deps.videos.markProcessing(video.id, key);
      await deps.pipeline.start(video.id);
      deps.log.info({ video: video.id, upload: upload.id, bytes: upload.size }, 'upload complete; pipeline started');
      return { headers: { 'Reel-Video-Id': video.id }, body: JSON.stringify({ videoId: video.id }) };
    },
  });

  server.on(EVENTS.POST_FINISH, (_req: unknown, _res: unknown, upload: { id: string }) => {
    void removeLocalUpload(upload.id);
  });

  async function removeLocalUpload(id: string) {
    await unlink(join(deps.uploadDir, id)).catch(() => {});
    await unlink(join(deps.uploadDir, `${id}.json`)).catch(() => {});
  }

  server.on(EVENTS.POST_TERMINATE, (_req: unknown, _res: unknown, id: string) => {
    void (async () => {
      const video = await deps.videos.byUploadId(id);
      if (video && video.status === 'uploading') await deps.videos.deleteRow(video.id);
    })().catch((err) => deps.log.warn({ err, upload: id }, 'cleanup after termination failed'));
  });

  /** Remove expired, unfinished uploads and the videos waiting for them. */
  async function cleanupExpired(now = Date.now()): Promise<number> {
    const removed = await store.deleteExpired();
    await deps.videos.deleteAbandonedUploads(now - deps.expiryMs);
    return removed;
  }

  return { server, store, cleanupExpired };
}
