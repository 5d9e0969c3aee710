/**
 * tus 1.0 conformance, written from the protocol text (checksum and concatenation have their own files):
 * OPTIONS, creation (+ with-upload, + defer-length), HEAD, PATCH offsets and their error cases, expiration
 * headers, termination.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { UPLOAD_STORES } from '../support/upload-stores.js';

for (const store of UPLOAD_STORES) {
  describe(`tus 1.0 conformance (uploads: ${store})`, () => {
    let tp: TestPlatform;
    let token: string;
    beforeAll(async () => {
      tp = await startTestPlatform({ env: { MAX_UPLOAD_BYTES: '1000', UPLOAD_STORE: store } });
      token = (await registerUser(tp.platform.app)).token;
    });
    afterAll(async () => tp?.close());
    const tus = (method: string, url: string, headers: Record<string, string> = {}, payload?: Buffer) =>
      tp.platform.app.inject({ method: method as any, url, headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', ...headers }, ...(payload ? { payload } : {}) });
    const octets = { 'content-type': 'application/offset+octet-stream' };

    it('OPTIONS: version, max size and every extension', async () => {
      const r = await tp.platform.app.inject({ method: 'OPTIONS', url: '/api/uploads' });
      expect(r.statusCode).toBe(204);
      expect(r.headers['tus-version']).toContain('1.0.0');
      expect(r.headers['tus-max-size']).toBe('1000');
      expect(String(r.headers['tus-extension']).split(',').sort()).toEqual(['checksum', 'concatenation', 'creation', 'creation-defer-length', 'creation-with-upload', 'expiration', 'termination']);
    });

    it('creation: Location, Upload-Expires; HEAD: offset, length, no caching; PATCH moves the offset', async () => {
      const c = await tus('POST', '/api/uploads', { 'upload-length': '10' });
      expect(c.statusCode).toBe(201);
      expect(c.headers['tus-resumable']).toBe('1.0.0');
      const url = String(c.headers.location);
      const head = await tus('HEAD', url);
      expect(head.statusCode).toBe(200);
      expect(head.headers['upload-offset']).toBe('0');
      expect(head.headers['upload-length']).toBe('10');
      expect(head.headers['cache-control']).toBe('no-store');
      expect(Date.parse(String(c.headers['upload-expires']))).toBeGreaterThan(Date.now());
      const p = await tus('PATCH', url, { 'upload-offset': '0', ...octets }, Buffer.from('01234'));
      expect(p.statusCode).toBe(204);
      expect(p.headers['upload-offset']).toBe('5');
      expect(Date.parse(String(p.headers['upload-expires']))).toBeGreaterThan(Date.now());
    });

    it('PATCH errors: offset conflict 409, wrong content type 415, past the length 413/400, unknown upload 404, missing Tus-Resumable 412', async () => {
      const url = String((await tus('POST', '/api/uploads', { 'upload-length': '6' })).headers.location);
      expect((await tus('PATCH', url, { 'upload-offset': '3', ...octets }, Buffer.from('abc'))).statusCode).toBe(409);
      expect((await tus('PATCH', url, { 'upload-offset': '0', 'content-type': 'application/json' }, Buffer.from('"abc"'))).statusCode).toBe(415);
      const tooMuch = await tus('PATCH', url, { 'upload-offset': '0', ...octets }, Buffer.from('0123456789'));
      expect([400, 413]).toContain(tooMuch.statusCode);
      expect((await tus('HEAD', url)).headers['upload-offset']).toBe('0');
      expect((await tus('HEAD', '/api/uploads/does-not-exist')).statusCode).toBe(404);
      const noVersion = await tp.platform.app.inject({ method: 'PATCH', url, headers: { authorization: `Bearer ${token}`, 'upload-offset': '0', ...octets }, payload: Buffer.from('abc') });
      expect(noVersion.statusCode).toBe(412);
    });

    it('an upload whose bytes were all stored but whose request died before finishing it is finished by the next HEAD, which names its video', async () => {
      const c = await tus('POST', '/api/uploads', { 'upload-length': '10', 'upload-metadata': `title ${Buffer.from('cut at the end').toString('base64')}` });
      const url = String(c.headers.location);
      // the process "dies" after storing the last bytes, before the upload is finished (fault injection)
      const videos = tp.platform.videos;
      const markProcessing = videos.markProcessing;
      videos.markProcessing = async () => {
        throw new Error('died here');
      };
      try {
        expect((await tus('PATCH', url, { 'upload-offset': '0', ...octets }, Buffer.from('0123456789'))).statusCode).toBeGreaterThanOrEqual(500);
      } finally {
        videos.markProcessing = markProcessing;
      }
      // a resuming client asks for the offset, sees every byte stored and calls the upload done: the answer names the
      // video, whose processing has started, once
      const head = await tus('HEAD', url);
      expect(head.statusCode).toBe(200);
      expect(head.headers['upload-offset']).toBe('10');
      const id = String(head.headers['reel-video-id']);
      const video = await tp.platform.app.inject({ url: `/api/videos/${id}`, headers: { authorization: `Bearer ${token}` } });
      expect(video.json().status).toBe('processing');
      const tasks = (await tp.platform.app.inject({ url: `/api/videos/${id}/tasks`, headers: { authorization: `Bearer ${token}` } })).json().items as Array<{ key: string }>;
      expect(tasks.length).toBeGreaterThan(0);
      expect(new Set(tasks.map((t) => t.key)).size).toBe(tasks.length);
      // finished like any upload: its bytes are gone from the upload store (they are the video's source now)
      expect((await tus('HEAD', url)).statusCode).toBe(404);
    });

    it('creation: too large 413, neither length nor deferral 400', async () => {
      expect((await tus('POST', '/api/uploads', { 'upload-length': '1001' })).statusCode).toBe(413);
      expect((await tus('POST', '/api/uploads', {})).statusCode).toBe(400);
    });

    it('creation-with-upload: the first bytes ride on the POST', async () => {
      const c = await tus('POST', '/api/uploads', { 'upload-length': '8', ...octets }, Buffer.from('abcd'));
      expect(c.statusCode).toBe(201);
      expect(c.headers['upload-offset']).toBe('4');
    });

    it('creation-defer-length: length unknown at first, declared with a later PATCH', async () => {
      const c = await tus('POST', '/api/uploads', { 'upload-defer-length': '1' });
      expect(c.statusCode).toBe(201);
      const url = String(c.headers.location);
      const head = await tus('HEAD', url);
      expect(head.headers['upload-defer-length']).toBe('1');
      expect(head.headers['upload-length']).toBeUndefined();
      expect((await tus('PATCH', url, { 'upload-offset': '0', ...octets }, Buffer.from('abc'))).headers['upload-offset']).toBe('3');
      const last = await tus('PATCH', url, { 'upload-offset': '3', 'upload-length': '5', ...octets }, Buffer.from('de'));
      expect(last.statusCode).toBe(204);
      expect(last.headers['upload-offset']).toBe('5');
      // complete: its video went on to processing, and the finished upload is no longer resumable
      const videoId = (await tp.platform.videos.byUploadId(url.split('/').pop()!))?.id;
      expect(videoId).toBeTruthy();
      expect((await tp.platform.videos.row(videoId!))?.status).not.toBe('uploading');
    });

    it('termination: 204, then the upload is gone', async () => {
      const url = String((await tus('POST', '/api/uploads', { 'upload-length': '4' })).headers.location);
      expect((await tus('DELETE', url)).statusCode).toBe(204);
      expect([404, 410]).toContain((await tus('HEAD', url)).statusCode);
    });
  });
}
