/**
 * Uploads kept in the blob store (UPLOAD_STORE=blob) on S3 (s3rver): an upload started on one API process, cut
 * mid-way, resumes on another API process that shares only PostgreSQL and the bucket (its own UPLOAD_DIR), and the
 * video's source in the bucket is the file, byte for byte. Parallel uploads (concatenation) spread over both
 * processes assemble too, and nothing of either upload is left under uploads/ afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import S3rver from 's3rver';
import * as tus from 'tus-js-client';
import { loadConfig } from '../../src/config.js';
import { createPlatform, type Platform } from '../../src/wiring/platform.js';
import { freshDatabaseUrl, MEDIA_DIR, registerUser } from '../support/platform.js';
import { tusUpload } from '../support/tus-upload.js';

const FILE = `${MEDIA_DIR}video_short.mp4`;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('tus uploads in S3, resumed on another API process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reel-tus-s3-'));
  let s3: any;
  let db: { url: string; drop(): Promise<void> };
  const apis: { platform: Platform; base: string }[] = [];
  let token = '';

  beforeAll(async () => {
    s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dir, 's3'), configureBuckets: [{ name: 'media', configs: [] }] });
    const { port } = await s3.run();
    db = await freshDatabaseUrl('postgres', dir);
    for (const name of ['a', 'b']) {
      const config = loadConfig({
        DATA_DIR: join(dir, name), // each process has its own folders: nothing shared but the database and the bucket
        DATABASE_URL: db.url,
        LOG_LEVEL: 'silent',
        BLOB_STORE: 's3', S3_BUCKET: 'media', S3_PREFIX: 'reel/', S3_ENDPOINT: `http://127.0.0.1:${port}`, S3_FORCE_PATH_STYLE: 'true', S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER',
        UPLOAD_STORE: 'blob',
      });
      const platform = await createPlatform(config, { runWorker: false, logger: pino({ level: 'silent' }) });
      apis.push({ platform, base: await platform.app.listen({ port: 0, host: '127.0.0.1' }) });
    }
    token = (await registerUser(apis[0].platform.app)).token;
  });
  afterAll(async () => {
    for (const a of apis) await a.platform.close();
    await db?.drop();
    await s3?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const sourceOf = async (videoId: string) => {
    const [a] = apis;
    const row = await a.platform.database.db.selectFrom('videos').select(['source_key', 'status']).where('id', '=', videoId).executeTakeFirstOrThrow();
    const parts: Buffer[] = [];
    for await (const c of await a.platform.blobs.get(row.source_key!)) parts.push(Buffer.from(c));
    return { status: row.status, bytes: Buffer.concat(parts) };
  };

  it('a cut upload continues on the other process from the offset the first one stored', async () => {
    const [a, b] = apis;
    const file = readFileSync(FILE);
    // tus-js-client sends 8 KiB chunks to process A; the upload is cut a third of the way in
    let url = '';
    await new Promise<void>((resolve, reject) => {
      const up = new tus.Upload(file as any, {
        endpoint: `${a.base}/api/uploads`,
        chunkSize: 8 * 1024,
        headers: { Authorization: `Bearer ${token}` },
        metadata: { filename: 'resumed.mp4', title: 'resumed across processes' },
        retryDelays: [],
        onError: reject,
        onChunkComplete: (_chunk, accepted) => {
          url = up.url ?? url;
          if (accepted > file.length / 3) up.abort(false).then(() => resolve(), reject);
        },
        onSuccess: () => reject(new Error('the upload should have been cut')),
      });
      up.start();
    });
    expect(url).toMatch(/^\/api\/uploads\/|\/api\/uploads\//);
    const path = new URL(url, a.base).pathname;
    const auth = { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' };
    // process B knows the upload and where it stopped, though it received none of it
    const head = await fetch(`${b.base}${path}`, { method: 'HEAD', headers: auth });
    expect(head.status).toBe(200);
    const offset = Number(head.headers.get('upload-offset'));
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThan(file.length);
    expect(head.headers.get('upload-length')).toBe(String(file.length));

    // the real client resumes against process B
    await tusUpload({ endpoint: `${b.base}/api/uploads`, uploadUrl: `${b.base}${path}`, token, file: FILE });
    const mine = (await fetch(`${b.base}/api/me/videos`, { headers: auth }).then((r) => r.json())) as { items: { id: string; title: string }[] };
    const video = mine.items.find((v) => v.title === 'resumed across processes');
    expect(video).toBeTruthy();
    const source = await sourceOf(video!.id);
    expect(source.status).toBe('processing');
    expect(sha256(source.bytes)).toBe(sha256(file));
    // the finished upload's chunks leave the bucket (removed just after the answer)
    await expect.poll(() => a.platform.blobs.list(`uploads/${path.split('/').pop()}/`), { timeout: 10_000 }).toEqual([]);
  });

  it('parallel partial uploads sent to both processes assemble into one source', async () => {
    const [a, b] = apis;
    const file = readFileSync(FILE);
    const half = Math.floor(file.length / 2);
    const auth = { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' };
    const partial = async (api: { base: string }, bytes: Buffer) => {
      const c = await fetch(`${api.base}/api/uploads`, { method: 'POST', headers: { ...auth, 'upload-concat': 'partial', 'upload-length': String(bytes.length) } });
      expect(c.status).toBe(201);
      const loc = c.headers.get('location')!;
      const p = await fetch(`${api.base}${loc}`, { method: 'PATCH', headers: { ...auth, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, body: new Uint8Array(bytes) });
      expect(p.status).toBe(204);
      return loc;
    };
    const urls = await Promise.all([partial(a, file.subarray(0, half)), partial(b, file.subarray(half))]);
    const title = Buffer.from('assembled in S3').toString('base64');
    const final = await fetch(`${b.base}/api/uploads`, { method: 'POST', headers: { ...auth, 'upload-concat': `final;${urls.join(' ')}`, 'upload-metadata': `title ${title}` } });
    expect(final.status).toBe(201);
    const source = await sourceOf(final.headers.get('reel-video-id')!);
    expect(sha256(source.bytes)).toBe(sha256(file));
    for (const u of urls) await expect.poll(() => a.platform.blobs.list(`uploads/${u.split('/').pop()}/`), { timeout: 10_000 }).toEqual([]);
  });
});
