/** What a client of the topology does over HTTP: JSON calls, tus uploads that retry, view reports that retry. */
import { execFileSync } from 'node:child_process';
import { createReadStream, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import * as tus from 'tus-js-client';

export async function api<T = any>(base: string, path: string, token?: string | null, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(base + path, {
    ...init,
    headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) },
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON (an nginx error page) */
  }
  return { status: res.status, body };
}

export interface Account {
  token: string;
  cookie: string;
}

/** Register an account through the API and make a bearer token for it. */
export async function registerAccount(base: string, a: { email: string; password: string; handle: string }): Promise<Account> {
  const json = { 'content-type': 'application/json' };
  const reg = await fetch(`${base}/api/auth/register`, { method: 'POST', headers: json, body: JSON.stringify(a) });
  if (reg.status !== 201) throw new Error(`register ${a.email}: HTTP ${reg.status} ${await reg.text()}`);
  const cookie = reg.headers.get('set-cookie')!.split(';')[0];
  const tok = await fetch(`${base}/api/tokens`, { method: 'POST', headers: { ...json, cookie }, body: JSON.stringify({ name: 'topology' }) });
  if (tok.status !== 201 && tok.status !== 200) throw new Error(`token for ${a.email}: HTTP ${tok.status} ${await tok.text()}`);
  return { token: (await tok.json()).token, cookie };
}

/** Poll until `cond` is true; throws with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 180_000, everyMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  let lastErr: unknown = null;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms${lastErr ? ` (last error: ${String(lastErr)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Wait until the video is ready (or failed) as seen through `base`, retrying while a process is away. */
export async function waitForVideo(base: string, id: string, token: string, timeoutMs = 240_000): Promise<any> {
  return waitFor(`video ${id} ready`, async () => {
    const r = await api(base, `/api/videos/${id}`, token);
    return r.status === 200 && (r.body.status === 'ready' || r.body.status === 'failed') ? r.body : null;
  }, timeoutMs);
}

export interface Upload {
  /** resolves with the upload URL once the server acknowledged the last byte */
  done: Promise<string>;
  upload: tus.Upload;
  /** PATCH attempts that failed and were retried */
  retries: () => number;
  /** the video the upload created (the Reel-Video-Id header of the creation answer) */
  videoId: () => string | null;
}

export interface UploadOptions {
  endpoint: string;
  token: string;
  file: string;
  title: string;
  chunkSize?: number;
  /** resume the upload at this URL instead of creating one */
  uploadUrl?: string;
  /** tus-js-client's retry delays; [] = fail at the first error */
  retryDelays?: number[];
  onProgress?: (sent: number, total: number) => void;
}

/** A tus upload with the real tus-js-client, as the web app's uploader or a script would send it. */
export function startUpload(o: UploadOptions): Upload {
  let retries = 0;
  let videoId: string | null = null;
  let upload!: tus.Upload;
  const done = new Promise<string>((resolve, reject) => {
    upload = new tus.Upload(createReadStream(o.file) as any, {
      endpoint: o.endpoint,
      uploadUrl: o.uploadUrl,
      uploadSize: statSync(o.file).size,
      chunkSize: o.chunkSize ?? 256 * 1024,
      headers: { Authorization: `Bearer ${o.token}` },
      metadata: { filename: basename(o.file), title: o.title },
      retryDelays: o.retryDelays ?? [200, 500, 1000, 1000, 2000, 2000, 3000, 3000, 5000, 5000],
      onShouldRetry: () => {
        retries++;
        return true;
      },
      onProgress: o.onProgress,
      onAfterResponse: (_req, res) => {
        videoId ??= res.getHeader('Reel-Video-Id') ?? null;
      },
      onError: reject,
      onSuccess: () => resolve(upload.url!),
    });
    upload.start();
  });
  return { done, upload, retries: () => retries, videoId: () => videoId };
}

/**
 * Report a countable view for `viewerId` (POST /views), retrying on network errors and 5xx until it is
 * acknowledged (the viewer identity makes a repeat harmless: one view per viewer per hour). Returns the number of
 * failed attempts before the acknowledgement; throws after `maxTries`.
 */
export async function reportView(base: string, videoId: string, viewerId: string, watchSeconds: number, maxTries = 40): Promise<number> {
  for (let i = 0; i < maxTries; i++) {
    try {
      const r = await fetch(`${base}/api/videos/${videoId}/views`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ viewerId, watchSeconds }) });
      if (r.ok) {
        await r.arrayBuffer();
        return i;
      }
      const text = await r.text();
      if (r.status < 500) throw new Error(`view of ${viewerId}: HTTP ${r.status} ${text}`);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('view of')) throw err;
    }
    await new Promise((r) => setTimeout(r, 100 + i * 50));
  }
  throw new Error(`view of ${viewerId}: not acknowledged after ${maxTries} tries`);
}

/**
 * A copy of a media file with different bytes (a remux with a `comment` tag; the streams are copied): Reel
 * de-duplicates uploads by SHA-256, and a test that needs a video processed again must not upload the same bytes.
 */
export function distinctCopy(file: string, dir: string, tag: string): string {
  const out = join(dir, `${basename(file, extname(file))}-${tag}${extname(file)}`);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', file, '-map', '0', '-c', 'copy', '-metadata', `comment=${tag}`, out]);
  return out;
}
