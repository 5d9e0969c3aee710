/**
 * The HTTP side of tus: requests go to @tus/server through its Web API (Request → Response), with the checksum
 * and concatenation extensions added in front of it. Checksum: a PATCH (or creation-with-upload POST) carrying
 * Upload-Checksum is read in full, verified, and refused with 460 — nothing stored — when the bytes do not match;
 * OPTIONS advertises it. The answers given here carry the same CORS headers as @tus/server's, so a browser on
 * another origin (a separate upload host) reads a 460 or a 415 instead of a network error.
 */
import { Readable } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EXPOSED_HEADERS } from '@tus/utils';
import { CHECKSUM_ALGORITHMS, CHECKSUM_MISMATCH, checksumMatches, parseChecksumHeader } from '../core/tus-checksum.js';

/** request headers a cross-origin tus client may send beyond tus's own (a preflight allows them) */
export const CORS_ALLOWED_HEADERS = ['Upload-Checksum'];
/** response headers a cross-origin client may read beyond tus's own: when the upload expires, the video it made */
export const CORS_EXPOSED_HEADERS = ['Upload-Expires', 'Reel-Video-Id'];

export interface TusWebServer {
  handleWeb(req: Request): Promise<Response>;
}

/**
 * What tus-uploads.ts adds around @tus/server: the concatenation extension (final uploads, the header HEAD shows for
 * partial ones) and finishing an upload whose bytes are all stored.
 */
export interface TusExtras {
  concatenate(req: Request, header: string, handle: (r: Request) => Promise<Response>): Promise<Response>;
  concatHeader(uploadId: string): Promise<string | null>;
  /** an upload whose bytes are all stored: its video id, the upload finished first if it was not (tus-uploads.ts) */
  finishComplete(uploadId: string): Promise<string | null>;
}

/** how a partial creation is marked for the upload hooks */
export const PARTIAL_HEADER = 'x-reel-upload-concat';

/** largest request body verified in memory; checksum clients send chunks far below this */
export const MAX_CHECKSUM_BODY = 64 * 1024 * 1024;

function webHeaders(req: IncomingMessage): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) h.append(k, one);
  }
  return h;
}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > max) return null;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

async function send(res: ServerResponse, r: Response): Promise<void> {
  res.statusCode = r.status;
  r.headers.forEach((v, k) => res.setHeader(k, v));
  if (r.body) for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
  res.end();
}

function error(res: ServerResponse, status: number, code: string, message: string): void {
  res.statusCode = status;
  if (status === CHECKSUM_MISMATCH) res.statusMessage = 'Checksum Mismatch'; // the spec's name; Node knows no 460
  res.setHeader('content-type', 'application/json');
  res.setHeader('tus-resumable', '1.0.0');
  // as @tus/server answers (no allowedOrigins configured: any origin)
  res.setHeader('access-control-allow-origin', '*');
  res.setHeader('access-control-expose-headers', [EXPOSED_HEADERS, ...CORS_EXPOSED_HEADERS].join(', '));
  res.end(JSON.stringify({ error: { code, message } }));
}

export async function handleTus(tus: TusWebServer, extras: TusExtras, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = `http://${req.headers.host ?? 'localhost'}${req.url}`;
  const headers = webHeaders(req);
  const method = req.method ?? 'GET';
  let body: BodyInit | undefined;
  // tus: a PATCH must carry application/offset+octet-stream, else 415 (@tus/server would say 400)
  if (method === 'PATCH' && req.headers['content-type'] !== 'application/offset+octet-stream') {
    return error(res, 415, 'unsupported_media_type', 'PATCH bodies must be Content-Type: application/offset+octet-stream');
  }
  const declared = req.headers['upload-checksum'];
  // only tus bodies are read here (others were parsed, or refused, by the HTTP layer already)
  const tusBody = (method === 'PATCH' || method === 'POST') && req.headers['content-type'] === 'application/offset+octet-stream';
  if (tusBody && typeof declared === 'string') {
    const c = parseChecksumHeader(declared);
    if (!c.ok) return error(res, 400, 'bad_checksum_header', c.message);
    const bytes = await readBody(req, MAX_CHECKSUM_BODY);
    if (!bytes) return error(res, 413, 'chunk_too_large', `Chunks with Upload-Checksum are limited to ${MAX_CHECKSUM_BODY} bytes`);
    if (!checksumMatches(bytes, c)) return error(res, CHECKSUM_MISMATCH, 'checksum_mismatch', `The ${c.algorithm} of the ${bytes.length} bytes received does not match Upload-Checksum; nothing was stored, send the chunk again`);
    body = new Uint8Array(bytes) as unknown as BodyInit; // a copy of the verified bytes
  } else if (tusBody) {
    body = Readable.toWeb(req) as unknown as BodyInit;
  }
  const concatValue = req.headers['upload-concat'];
  if (method === 'POST' && typeof concatValue === 'string' && concatValue.startsWith('final;')) {
    return send(res, await extras.concatenate(new Request(url, { method, headers }), concatValue, (r) => tus.handleWeb(r)));
  }
  // @tus/server refuses Upload-Concat (501): a partial creation reaches it under our own header instead
  headers.delete(PARTIAL_HEADER);
  if (method === 'POST' && concatValue === 'partial') {
    headers.delete('upload-concat');
    headers.set(PARTIAL_HEADER, 'partial');
  }
  const response = await tus.handleWeb(new Request(url, { method, headers, body, duplex: 'half' } as RequestInit));
  if (method === 'POST' && concatValue === 'partial' && response.status === 201) response.headers.set('upload-concat', 'partial');
  if (method === 'HEAD' && response.status === 200) {
    const id = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
    const value = await extras.concatHeader(id);
    if (value) response.headers.set('upload-concat', value);
    // every byte stored: the client will call the upload done, so it must be finished and name its video
    const length = response.headers.get('upload-length');
    if (!value && length !== null && response.headers.get('upload-offset') === length) {
      const videoId = await extras.finishComplete(id);
      if (videoId) response.headers.set('reel-video-id', videoId);
    }
  }
  if (method === 'OPTIONS') {
    const ext = response.headers.get('tus-extension');
    if (ext !== null) {
      response.headers.set('tus-extension', `${ext},checksum,concatenation`);
      response.headers.set('tus-checksum-algorithm', CHECKSUM_ALGORITHMS.join(','));
    }
  }
  await send(res, response);
}
