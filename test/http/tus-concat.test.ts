/**
 * tus concatenation: partial uploads sent in parallel, then a final upload assembling them. From the spec
 * (Upload-Concat on POST and HEAD, OPTIONS advertising it, 400 for unfinished or foreign partials), and with a
 * real client: tus-js-client's parallelUploads, whose video then transcodes like any other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as tus from 'tus-js-client';
import { MEDIA_DIR, registerUser, startTestPlatform, waitForVideo, type TestPlatform } from '../support/platform.js';
import { UPLOAD_STORES } from '../support/upload-stores.js';

const FILE = `${MEDIA_DIR}video_short.mp4`;
const b64 = (s: string) => Buffer.from(s).toString('base64');

for (const store of UPLOAD_STORES) {
  describe(`tus concatenation (uploads: ${store})`, () => {
    let tp: TestPlatform;
    let base: string;
    let u: { token: string };
    beforeAll(async () => {
      tp = await startTestPlatform({ worker: true, env: { UPLOAD_STORE: store } });
      base = await tp.platform.app.listen({ port: 0, host: '127.0.0.1' });
      u = await registerUser(tp.platform.app);
    });
    afterAll(async () => tp?.close());
    const req = (method: string, url: string, headers: Record<string, string> = {}, payload?: Buffer, token = u.token) =>
      tp.platform.app.inject({ method: method as any, url, headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', ...(payload ? { 'content-type': 'application/offset+octet-stream' } : {}), ...headers }, ...(payload ? { payload } : {}) });

    it('is advertised', async () => {
      const r = await tp.platform.app.inject({ method: 'OPTIONS', url: '/api/uploads' });
      expect(String(r.headers['tus-extension']).split(',')).toContain('concatenation');
    });

    it('assembles partial uploads, in the order given, into one upload that becomes a video', async () => {
      const bytes = readFileSync(FILE);
      const cut = Math.floor(bytes.length / 3);
      const parts = [bytes.subarray(0, cut), bytes.subarray(cut)];
      const urls: string[] = [];
      for (const p of parts) {
        const c = await req('POST', '/api/uploads', { 'upload-concat': 'partial', 'upload-length': String(p.length) });
        expect(c.statusCode).toBe(201);
        urls.push(String(c.headers.location));
      }
      // a partial upload is no video
      expect((await tp.platform.app.inject({ url: '/api/me/videos', headers: { authorization: `Bearer ${u.token}` } })).json().items).toHaveLength(0);
      // the second part first, as parallel connections would
      expect((await req('PATCH', urls[1], { 'upload-offset': '0' }, parts[1])).statusCode).toBe(204);
      const head = await req('HEAD', urls[1]);
      expect(head.headers['upload-concat']).toBe('partial');
      expect(head.headers['upload-offset']).toBe(String(parts[1].length));

      // not all partials finished: 400, nothing made
      const early = await req('POST', '/api/uploads', { 'upload-concat': `final;${urls.join(' ')}`, 'upload-metadata': `title ${b64('assembled')}` });
      expect(early.statusCode).toBe(400);
      expect(early.json().error.code).toBe('partial_incomplete');

      expect((await req('PATCH', urls[0], { 'upload-offset': '0' }, parts[0])).statusCode).toBe(204);
      // someone else cannot assemble my partials
      const other = await registerUser(tp.platform.app);
      expect((await req('POST', '/api/uploads', { 'upload-concat': `final;${urls.join(' ')}` }, undefined, other.token)).statusCode).toBe(400);

      const final = await req('POST', '/api/uploads', { 'upload-concat': `final;${urls.join(' ')}`, 'upload-metadata': `title ${b64('assembled')}` });
      expect(final.statusCode).toBe(201);
      expect(final.headers['upload-concat']).toBe(`final;${urls.join(' ')}`);
      const id = String(final.headers['reel-video-id']);
      const v = await waitForVideo(tp.platform.app, id, u.token);
      expect(v).toMatchObject({ status: 'ready', title: 'assembled' });
      expect(v.durationSec).toBeGreaterThan(1);
      // the partials are gone
      expect((await req('HEAD', urls[0])).statusCode).toBe(404);
    });

    it('tus-js-client with parallel uploads (several connections) produces a playable video', async () => {
      const url = await new Promise<string>((resolve, reject) => {
        const up = new tus.Upload(readFileSync(FILE) as any, {
          endpoint: `${base}/api/uploads`,
          parallelUploads: 3,
          headers: { Authorization: `Bearer ${u.token}` },
          metadata: { title: 'parallel', filename: 'video_short.mp4' },
          retryDelays: [],
          onError: reject,
          onSuccess: () => resolve(up.url!),
        });
        up.start();
      });
      expect(url).toMatch(/\/api\/uploads\//);
      const items = (await tp.platform.app.inject({ url: '/api/me/videos', headers: { authorization: `Bearer ${u.token}` } })).json().items;
      const v = items.find((x: any) => x.title === 'parallel');
      expect(v).toBeTruthy();
      expect((await waitForVideo(tp.platform.app, v.id, u.token)).status).toBe('ready');
      // the same file was assembled from two partials above: the server's SHA-256 of this one matched it
      // byte for byte, so the video reused those renditions instead of transcoding again
      const rows = await tp.platform.database.db.selectFrom('videos').select(['title', 'source_sha256']).where('title', 'in', ['assembled', 'parallel']).execute();
      expect(rows).toHaveLength(2);
      expect(rows[0].source_sha256).toBe(rows[1].source_sha256);
    });
  });
}

for (const store of UPLOAD_STORES) {
  describe(`tus concatenation under a quota (uploads: ${store})`, () => {
    let tp: TestPlatform;
    let u: { token: string };
    beforeAll(async () => {
      tp = await startTestPlatform({ env: { UPLOAD_QUOTA_TOTAL_BYTES: '1000', UPLOAD_STORE: store } });
      u = await registerUser(tp.platform.app);
    });
    afterAll(async () => tp?.close());
    const req = (method: string, url: string, headers: Record<string, string> = {}, payload?: Buffer) =>
      tp.platform.app.inject({ method: method as any, url, headers: { authorization: `Bearer ${u.token}`, 'tus-resumable': '1.0.0', ...(payload ? { 'content-type': 'application/offset+octet-stream' } : {}), ...headers }, ...(payload ? { payload } : {}) });

    it('a refused final upload leaves every partial as it was, and a later final upload gets exactly their bytes', async () => {
      const parts = [Buffer.alloc(600, 'a'), Buffer.alloc(700, 'b'), Buffer.alloc(300, 'c')];
      const urls: string[] = [];
      for (const p of parts) {
        const c = await req('POST', '/api/uploads', { 'upload-concat': 'partial', 'upload-length': String(p.length) });
        expect(c.statusCode).toBe(201);
        urls.push(String(c.headers.location));
        expect((await req('PATCH', urls.at(-1)!, { 'upload-offset': '0' }, p)).statusCode).toBe(204);
      }
      // 1 600 bytes exceed the 1 000-byte quota: refused, and nothing assembled for good
      const refused = await req('POST', '/api/uploads', { 'upload-concat': `final;${urls.join(' ')}` });
      expect(refused.statusCode).toBeGreaterThanOrEqual(400);
      expect(refused.statusCode).toBeLessThan(500);
      for (const [i, p] of parts.entries()) expect((await req('HEAD', urls[i])).headers['upload-offset']).toBe(String(p.length));
      expect((await tp.platform.app.inject({ url: '/api/me/videos', headers: { authorization: `Bearer ${u.token}` } })).json().items).toHaveLength(0);

      // the first and last partials fit: the final upload holds their bytes, in order, and nothing else
      const ok = await req('POST', '/api/uploads', { 'upload-concat': `final;${urls[2]} ${urls[0]}` });
      expect(ok.statusCode).toBe(201);
      expect(ok.headers['upload-offset']).toBe('900');
      const videoId = String(ok.headers['reel-video-id']);
      const chunks: Buffer[] = [];
      for await (const c of await tp.platform.blobs.get(`sources/${videoId}`)) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).equals(Buffer.concat([parts[2], parts[0]]))).toBe(true);
      // the used partials are gone, the unused one is still there
      expect((await req('HEAD', urls[0])).statusCode).toBe(404);
      expect((await req('HEAD', urls[2])).statusCode).toBe(404);
      expect((await req('HEAD', urls[1])).headers['upload-offset']).toBe('700');
    });
  });
}
