/**
 * Resumable uploads over tus 1.0 (@tus/server with its file store): creation, creation-with-upload,
 * termination, expiration. Each upload belongs to one video; metadata may name an existing video (`videoId`,
 * created through POST /api/videos) or carry a `title`/`filename` and the video is created on the fly.
 * When the last byte lands the file moves into the blob store and a `transcode` task is queued.
 */
import { rename, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { EVENTS, Server } from '@tus/server';
import type { Logger } from 'pino';
import { AppError } from '../core/errors.js';
import type { AccountsService, CurrentUser } from '../accounts/accounts-service.js';
import { sourceKey, type VideosService } from '../catalog/videos-service.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { PipelineService } from '../processing/pipeline-service.js';
import { SESSION_COOKIE } from '../http/auth.js';
import type { UploadPolicy } from './upload-policy.js';
import type { Metrics } from '../ops/metrics.js';
import { GRANT_PARAM, type UploadGrants } from './upload-grants.js';
import { BlobUploadStore } from '../adapters/upload/blob-upload-store.js';
import { LocalUploadStore } from '../adapters/upload/local-upload-store.js';
import { appendFiles } from '../adapters/files/append-files.js';
import { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS } from './tus-http.js';

export const UPLOAD_PATH = '/api/uploads';

export interface TusDeps {
  metrics: Metrics;
  accounts: AccountsService;
  policy: UploadPolicy;
  grants: UploadGrants;
  videos: VideosService;
  blobs: BlobStore;
  pipeline: PipelineService;
  log: Logger;
  /**
   * where uploads in progress live: `local` (files in uploadDir: only the receiving API process can continue an
   * upload) or `blob` (in the blob store, so any API process can; uploadDir then only spools arriving chunks)
   */
  uploadStore: 'local' | 'blob';
  uploadDir: string;
  /** the largest upload, fixed or read per request (the admin console's site settings) */
  maxUploadBytes: number | (() => Promise<number>);
  expiryMs: number;
}

interface HeaderSource {
  url: string;
  method: string;
  headers: { get(name: string): string | null };
}

const grantOf = (req: { url: string }) => new URL(req.url, 'http://x').searchParams.get(GRANT_PARAM);

function tokenFrom(req: HeaderSource): string | undefined {
  const auth = req.headers.get('authorization');
  if (auth?.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  const cookie = req.headers.get('cookie');
  const m = cookie ? new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]+)`).exec(cookie) : null;
  return m ? decodeURIComponent(m[1]) : undefined;
}

const reject = (status: number, code: string, message: string) => ({ status_code: status, body: JSON.stringify({ error: { code, message } }) });

/** the HTTP layer puts each request's correlation id here (src/http/app.ts) */
export const TRACE_HEADER = 'x-request-id';

/** metadata key that marks a partial upload (concatenation) and names its owner */
const PARTIAL_OWNER = 'reelPartialOwner';

const stripExt = (name: string) => name.replace(/\.[^./]{1,8}$/, '');

export function createTusServer(deps: TusDeps) {
  const inBlobs = deps.uploadStore === 'blob' ? new BlobUploadStore(deps.blobs, { spoolDir: join(deps.uploadDir, 'spool'), expiryMs: deps.expiryMs }) : null;
  const store = inBlobs ?? new LocalUploadStore({ directory: deps.uploadDir, expirationPeriodInMilliseconds: deps.expiryMs });

  const fail = (err: unknown) => {
    if (err instanceof AppError) return reject(err.statusCode, err.code, err.message);
    return err;
  };

  /** The uploader: from a pre-signed grant in the URL (no session needed), else the session or API token. */
  async function userOf(req: HeaderSource, uploadId?: string): Promise<CurrentUser> {
    const grant = grantOf(req);
    if (grant) {
      try {
        const g = req.method === 'POST' ? await deps.grants.forCreation(grant) : await deps.grants.forUpload(grant, uploadId ?? '');
        const user = await deps.accounts.userById(g.user_id);
        if (user) return user;
      } catch (err) {
        throw fail(err);
      }
    }
    const user = await deps.accounts.authenticate(tokenFrom(req));
    if (!user) throw reject(401, 'unauthorized', 'Sign in (session cookie or Authorization: Bearer <token>) or use a pre-signed upload URL');
    return user;
  }

  const server = new Server({
    path: UPLOAD_PATH,
    datastore: store,
    maxSize: deps.maxUploadBytes,
    relativeLocation: true,
    respectForwardedHeaders: true,
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    generateUrl: (req, { path, id }) => {
      const grant = grantOf(req);
      return `${path}/${id}${grant ? `?${GRANT_PARAM}=${encodeURIComponent(grant)}` : ''}`;
    },
    getFileIdFromRequest: (req) => {
      const last = new URL(req.url, 'http://x').pathname.split('/').pop();
      return last && last !== 'uploads' ? decodeURIComponent(last) : undefined;
    },
    async onIncomingRequest(req, uploadId) {
      const user = await userOf(req, uploadId);
      // a suspended account sends no more bytes (with a pre-signed URL it still reaches this point)
      if (req.method === 'PATCH') await deps.policy.assertActive(user.id).catch((err) => Promise.reject(fail(err)));
      if (req.method === 'POST' || req.method === 'OPTIONS' || !uploadId) return;
      const video = await deps.videos.byUploadId(uploadId);
      if (video && video.owner_id === user.id) return;
      if (!video && (await partialOwner(uploadId)) === user.id) return;
      throw reject(404, 'not_found', 'Upload not found');
    },
    async onUploadCreate(req, upload) {
      const user = await userOf(req);
      // the partial-upload mark is ours alone: never taken from the client's Upload-Metadata
      const { [PARTIAL_OWNER]: _claimed, ...meta } = upload.metadata ?? {};
      // concatenation: a partial upload is only bytes for a later final upload; it has no video of its own
      if (req.headers.get('x-reel-upload-concat') === 'partial') return { metadata: { ...meta, [PARTIAL_OWNER]: user.id } };
      let videoId = meta.videoId ?? undefined;
      try {
        await deps.policy.admit(user, upload.size ?? null);
        const grant = grantOf(req);
        if (grant) {
          const g = await deps.grants.forCreation(grant);
          if (upload.size !== g.size) throw new AppError('grant_mismatch', `This upload URL is for ${g.size} bytes, not ${upload.size ?? 'an unknown length'}`, 403);
          if ((meta.filetype ?? '') !== g.type) throw new AppError('grant_mismatch', `This upload URL is for ${g.type} files`, 403);
          if (!(await deps.grants.bind(grant, upload.id))) throw new AppError('grant_used', 'This upload URL was already used; request a new one', 403);
        }
        if (videoId) {
          await deps.videos.owned(user, videoId);
        } else {
          const title = (meta.title || (meta.filename ? stripExt(meta.filename) : '') || 'Untitled').slice(0, 200);
          videoId = (await deps.videos.create(user, { title, description: (meta.description ?? '').slice(0, 5000) }, req.headers.get(TRACE_HEADER))).id;
        }
        await deps.videos.attachUpload(videoId, upload.id, upload.size ?? null);
      } catch (err) {
        throw fail(err);
      }
      deps.metrics.uploadsStarted.inc();
      return { metadata: { ...meta, videoId } };
    },
    async onUploadFinish(_req, upload) {
      if (upload.metadata?.[PARTIAL_OWNER]) return {};
      const videoId = await finishUpload(upload);
      return { headers: { 'Reel-Video-Id': videoId }, body: JSON.stringify({ videoId }) };
    },
  });

  server.on(EVENTS.POST_FINISH, (_req: unknown, _res: unknown, upload: { id: string; metadata?: Record<string, string | null> }) => {
    if (!upload.metadata?.[PARTIAL_OWNER]) void removeFinished(upload.id);
  });

  /**
   * The last byte landed: the bytes become the video's source in the blob store and its pipeline starts.
   * `parts` are the uploads whose bytes, in order, make the source (the partials of a concatenation).
   */
  async function finishUpload(upload: { id: string; size?: number }, parts = [upload.id]): Promise<string> {
    const video = await deps.videos.byUploadId(upload.id);
    if (!video) throw reject(404, 'not_found', 'The video of this upload was deleted');
    const key = sourceKey(video.id);
    // link, not move: @tus/server still reads the upload's state after this hook; POST_FINISH removes it
    if (inBlobs) await inBlobs.assemble(parts, key);
    else await deps.blobs.putFile(key, join(deps.uploadDir, upload.id), { link: true });
    // once: another request may have finished it meanwhile (see finishComplete)
    if (!(await deps.videos.markProcessing(video.id, key))) return video.id;
    await deps.pipeline.start(video.id);
    deps.metrics.uploadsCompleted.inc();
    deps.metrics.uploadBytes.inc(upload.size ?? 0);
    deps.log.info({ traceId: video.trace_id ?? undefined, video: video.id, upload: upload.id, bytes: upload.size }, 'upload complete; pipeline started');
    return video.id;
  }

  async function partialOwner(uploadId: string): Promise<string | null> {
    const u = await store.getUpload(uploadId).catch(() => null);
    return (u?.metadata?.[PARTIAL_OWNER] as string | undefined) ?? null;
  }

  /**
   * tus concatenation, final upload: `Upload-Concat: final;<url> <url>…` names complete partial uploads of the
   * caller; their bytes, in order, become one new upload (created through the server, so quotas, the video and the
   * pipeline work as for any upload). The bytes are joined on disk (the first partial's file is extended by the
   * others and renamed into place), not copied through HTTP, then the partials are removed.
   */
  async function concatenate(req: Request, header: string, handle: (r: Request) => Promise<Response>): Promise<Response> {
    const json = (status: number, code: string, message: string) =>
      new Response(JSON.stringify({ error: { code, message } }), { status, headers: { 'content-type': 'application/json', 'tus-resumable': '1.0.0' } });
    let user: CurrentUser;
    try {
      user = await userOf(req);
    } catch (e) {
      const r = e as { status_code?: number; body?: string };
      return new Response(r.body ?? 'unauthorized', { status: r.status_code ?? 401, headers: { 'content-type': 'application/json', 'tus-resumable': '1.0.0' } });
    }
    const urls = header.slice('final;'.length).trim().split(/\s+/).filter(Boolean);
    if (!urls.length) return json(400, 'bad_concat', 'Upload-Concat: final; needs the URLs of the partial uploads');
    const ids: string[] = [];
    const sizes: number[] = [];
    for (const u of urls) {
      const id = decodeURIComponent(new URL(u, 'http://x').pathname.split('/').pop() ?? '');
      const upload = id ? await store.getUpload(id).catch(() => null) : null;
      if (!upload || upload.metadata?.[PARTIAL_OWNER] !== user.id) return json(400, 'bad_concat', `${u} is not a partial upload of yours`);
      if (upload.size === undefined || upload.offset !== upload.size) return json(400, 'partial_incomplete', `${u} has ${upload.offset} of ${upload.size ?? '?'} bytes; finish every partial upload first`);
      ids.push(id);
      sizes.push(upload.size);
    }
    const total = sizes.reduce((a, b) => a + b, 0);
    // local files: the bytes are assembled on disk, not sent through HTTP again (the first partial grows by the
    // others, then becomes the final upload's file). In the blob store they are joined into the video's source.
    const joined = inBlobs ? null : await joinOnDisk(ids, sizes);
    if (joined && 'error' in joined) return json(500, 'concat_failed', 'The partial uploads could not be assembled; try the final upload again');
    // the final upload is created like any other (quota, video, pipeline), empty, and receives the assembled bytes
    const headers = new Headers(req.headers);
    headers.delete('upload-concat');
    headers.delete('content-type');
    headers.delete('content-length');
    headers.set('upload-length', String(total));
    const res = await handle(new Request(req.url, { method: 'POST', headers }));
    if (res.status !== 201) {
      await joined?.undo();
      return res;
    }
    const finalId = decodeURIComponent(new URL(res.headers.get('location') ?? '', 'http://x').pathname.split('/').pop() ?? '');
    if (joined) await joined.becomes(finalId);
    let videoId: string;
    try {
      videoId = await finishUpload({ id: finalId, size: total }, inBlobs ? ids : [finalId]);
    } catch (e) {
      const r = e as { status_code?: number; body?: string };
      if (r.status_code) return new Response(r.body, { status: r.status_code, headers: { 'content-type': 'application/json', 'tus-resumable': '1.0.0' } });
      throw e;
    }
    if (inBlobs) for (const id of ids) await store.remove(id).catch(() => {});
    await removeFinished(finalId);
    const out = new Headers(res.headers);
    out.set('upload-offset', String(total));
    out.set('upload-concat', `final;${urls.join(' ')}`);
    out.set('reel-video-id', videoId);
    out.set('content-type', 'application/json');
    return new Response(JSON.stringify({ videoId }), { status: 201, headers: out });
  }

  /**
   * Local files of a concatenation: the first partial's file is extended by the others. Truncating it first makes
   * a retry after a crash mid-append start clean; `undo` cuts it back, `becomes` renames it into the final upload.
   */
  async function joinOnDisk(ids: string[], sizes: number[]) {
    const files = ids.map((id) => join(deps.uploadDir, id));
    const undo = () => truncate(files[0], sizes[0]).catch(() => {});
    try {
      await truncate(files[0], sizes[0]);
      await appendFiles(files[0], files.slice(1));
    } catch (err) {
      deps.log.error({ err, partials: ids }, 'assembling partial uploads failed');
      await undo();
      return { error: err };
    }
    return {
      undo,
      async becomes(finalId: string) {
        await rename(files[0], join(deps.uploadDir, finalId));
        for (const id of ids) await store.remove(id).catch(() => {});
      },
    };
  }

  /**
   * A HEAD found every byte of this upload stored: its video, finished now if it is still waiting. The request that
   * wrote the last bytes may have died with its process before finishing the upload (assembling the source,
   * starting the pipeline) or before answering; the client, seeing the full offset, considers the upload done,
   * so the upload is finished here and the HEAD answer names the video. Null for an upload with no video.
   */
  async function finishComplete(uploadId: string): Promise<string | null> {
    const video = await deps.videos.byUploadId(uploadId);
    if (!video) return null;
    if (video.status !== 'uploading') return video.id;
    const upload = await store.getUpload(uploadId).catch(() => null);
    if (!upload || upload.size === undefined || upload.offset !== upload.size || upload.metadata?.[PARTIAL_OWNER]) return video.id;
    deps.log.warn({ video: video.id, upload: uploadId }, 'an upload complete on disk was not finished (its request ended early); finishing it');
    const id = await finishUpload(upload);
    await removeFinished(uploadId); // as after any finished upload
    return id;
  }

  /** The Upload-Concat value a HEAD response must carry for a partial upload (null for others). */
  async function concatHeader(uploadId: string): Promise<string | null> {
    return (await partialOwner(uploadId)) ? 'partial' : null;
  }

  async function removeFinished(id: string) {
    if (inBlobs) return inBlobs.remove(id).catch((err) => deps.log.warn({ err, upload: id }, 'removing a finished upload failed'));
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

  return { server, store, cleanupExpired, extras: { concatenate, concatHeader, finishComplete } };
}
