/**
 * Upload admission (quotas, rate limit, size), pre-signed upload URLs and SHA-256 de-duplication,
 * on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dbKinds, MEDIA_DIR, registerUser, startTestPlatform, waitForVideo, type TestPlatform } from '../support/platform.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const tusHeaders = { 'tus-resumable': '1.0.0' };

for (const db of dbKinds()) {
  describe(`upload policy on ${db}`, () => {
    let tp: TestPlatform;
    beforeAll(async () => {
      tp = await startTestPlatform({
        db,
        worker: true,
        env: { UPLOAD_QUOTA_DAILY_BYTES: '1000', UPLOAD_QUOTA_TOTAL_BYTES: '1500', UPLOADS_PER_HOUR: '3', MAX_UPLOAD_BYTES: String(256 * 2 ** 30) },
      });
    });
    afterAll(async () => tp?.close());

    const create = (auth: Record<string, string>, length: number, url = '/api/uploads', meta = '') =>
      tp.platform.app.inject({ method: 'POST', url, headers: { ...auth, ...tusHeaders, 'upload-length': String(length), ...(meta ? { 'upload-metadata': meta } : {}) } });

    it('enforces the daily quota, the total quota and the hourly rate limit with clear errors, creating nothing', async () => {
      const u = await registerUser(tp.platform.app);
      const auth = { authorization: `Bearer ${u.token}` };
      expect((await create(auth, 600)).statusCode).toBe(201);
      const daily = await create(auth, 600);
      expect(daily.statusCode).toBe(413);
      expect(JSON.parse(daily.body).error).toMatchObject({ code: 'daily_quota_exceeded' });
      expect(JSON.parse(daily.body).error.message).toMatch(/daily quota/);
      expect((await create(auth, 300)).statusCode).toBe(201);
      const usage = (await tp.platform.app.inject({ url: '/api/me/upload-usage', headers: auth })).json();
      expect(usage).toMatchObject({ bytesToday: 900, bytesTotal: 900, uploadsLastHour: 2, limits: { dailyBytes: 1000, totalBytes: 1500, perHour: 3 } });
      expect((await create(auth, 50)).statusCode).toBe(201);
      const rate = await create(auth, 10);
      expect(rate.statusCode).toBe(429);
      expect(JSON.parse(rate.body).error.code).toBe('rate_limited');
      expect((await tp.platform.app.inject({ url: '/api/me/videos', headers: auth })).json().items).toHaveLength(3);
    });

    it('accepts a 256 GiB declaration when configured (without writing it) and refuses one byte more', async () => {
      // the shared platform has tiny quotas; this needs one with only the size limit
      const big = await startTestPlatform({ db, env: { MAX_UPLOAD_BYTES: String(256 * 2 ** 30) } });
      try {
        const v = await registerUser(big.platform.app);
        const ok = await big.platform.app.inject({ method: 'POST', url: '/api/uploads', headers: { authorization: `Bearer ${v.token}`, ...tusHeaders, 'upload-length': String(256 * 2 ** 30) } });
        expect(ok.statusCode).toBe(201);
        const head = await big.platform.app.inject({ method: 'HEAD', url: String(ok.headers.location), headers: { authorization: `Bearer ${v.token}`, ...tusHeaders } });
        expect(head.headers['upload-offset']).toBe('0');
        const tooBig = await big.platform.app.inject({ method: 'POST', url: '/api/uploads', headers: { authorization: `Bearer ${v.token}`, ...tusHeaders, 'upload-length': String(256 * 2 ** 30 + 1) } });
        expect(tooBig.statusCode).toBe(413);
      } finally {
        await big.close();
      }
      // default limit (1 GiB) refuses a larger declaration
      const small = await startTestPlatform({ db });
      try {
        const w = await registerUser(small.platform.app);
        const r = await small.platform.app.inject({ method: 'POST', url: '/api/uploads', headers: { authorization: `Bearer ${w.token}`, ...tusHeaders, 'upload-length': String(2 ** 30 + 1) } });
        expect(r.statusCode).toBe(413);
      } finally {
        await small.close();
      }
    });

    it('pre-signed upload URLs work without a session and refuse altered, reused, expired or mismatched use', async () => {
      const app = tp.platform.app;
      const u = await registerUser(app);
      const grant = await app.inject({ method: 'POST', url: '/api/upload-grants', headers: { authorization: `Bearer ${u.token}` }, payload: { size: 5, type: 'video/mp4' } });
      expect(grant.statusCode).toBe(201);
      const { url } = grant.json();
      expect(url).toMatch(/^\/api\/uploads\?grant=rg_/);
      const meta = `filetype ${b64('video/mp4')},title ${b64('granted')}`;
      expect((await create({}, 6, url, meta)).statusCode).toBe(403); // wrong size
      expect((await create({}, 5, url, `filetype ${b64('text/html')}`)).statusCode).toBe(403); // wrong type
      expect((await create({}, 5, url.replace(/.$/, (c: string) => (c === 'a' ? 'b' : 'a')), meta)).statusCode).toBe(403); // altered
      const made = await create({}, 5, url, meta);
      expect(made.statusCode).toBe(201);
      const location = String(made.headers.location);
      expect(location).toContain('?grant=');
      const patch = await app.inject({ method: 'PATCH', url: location, headers: { ...tusHeaders, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, payload: Buffer.from('hello') });
      expect(patch.statusCode).toBe(204);
      const reused = await create({}, 5, url, meta);
      expect(reused.statusCode).toBe(403);
      expect(JSON.parse(reused.body).error.code).toBe('grant_used');
      // the upload belongs to the granting account
      const mine = (await app.inject({ url: '/api/me/videos', headers: { authorization: `Bearer ${u.token}` } })).json().items;
      expect(mine.map((v: any) => v.title)).toContain('granted');

      const late = (await app.inject({ method: 'POST', url: '/api/upload-grants', headers: { authorization: `Bearer ${u.token}` }, payload: { size: 5, type: 'video/mp4' } })).json();
      await tp.platform.database.db.updateTable('upload_grants').set({ expires_at: Date.now() - 1 }).where('upload_id', 'is', null).execute();
      const expired = await create({}, 5, late.url, meta);
      expect(expired.statusCode).toBe(403);
      expect(JSON.parse(expired.body).error.code).toBe('grant_expired');
      expect((await app.inject({ method: 'POST', url: '/api/upload-grants', payload: { size: 5, type: 'video/mp4' } })).statusCode).toBe(401);
      expect((await app.inject({ method: 'POST', url: '/api/upload-grants', headers: { authorization: `Bearer ${u.token}` }, payload: { size: 5, type: 'text/html' } })).statusCode).toBe(400);
    });

    it('never transcodes the same bytes twice for an account: by declared hash (no bytes sent) and by the server-computed hash', async () => {
      const big = await startTestPlatform({ db, worker: true });
      try {
        const a = big.platform.app;
        const u = await registerUser(a);
        const auth = { authorization: `Bearer ${u.token}` };
        const bytes = readFileSync(MEDIA_DIR + 'video_short.mp4');
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        const send = async () => {
          const up = await a.inject({ method: 'POST', url: '/api/uploads', headers: { ...auth, ...tusHeaders, 'upload-length': String(bytes.length), 'content-type': 'application/offset+octet-stream' }, payload: bytes });
          return String(up.headers['reel-video-id']);
        };
        expect((await a.inject({ method: 'POST', url: '/api/upload-checks', headers: auth, payload: { sha256, size: bytes.length, title: 'first' } })).json()).toEqual({ duplicate: false });
        const first = await waitForVideo(a, await send(), u.token);
        expect(first.status).toBe('ready');

        // 1. declared hash: a new ready video at once, nothing uploaded, no task
        const check = await a.inject({ method: 'POST', url: '/api/upload-checks', headers: auth, payload: { sha256, size: bytes.length, title: 'again', visibility: 'unlisted' } });
        expect(check.statusCode).toBe(201);
        const dup = check.json().video;
        expect(dup).toMatchObject({ title: 'again', visibility: 'unlisted', status: 'ready', playable: true });
        expect(dup.id).not.toBe(first.id);
        expect(dup.renditions).toEqual(first.renditions);
        expect((await a.inject({ url: `/api/videos/${dup.id}/tasks`, headers: auth })).json().items).toEqual([]);
        expect((await a.inject({ url: `/media/${dup.id}/master.m3u8`, headers: auth })).body).toBe((await a.inject({ url: `/media/${first.id}/master.m3u8` })).body);

        // 2. same bytes uploaded without declaring: the server's hash finds the twin; no encoding task runs
        const second = await waitForVideo(a, await send(), u.token);
        expect(second.status).toBe('ready');
        // inspect makes the copy ready, then finishes a moment later
        const taskList = async () => (await a.inject({ url: `/api/videos/${second.id}/tasks`, headers: auth })).json().items;
        await expect.poll(async () => (await taskList()).find((t: any) => t.key === 'inspect').state, { timeout: 15_000 }).toBe('done');
        const tasks = await taskList();
        expect(tasks.filter((t: any) => t.key !== 'inspect').every((t: any) => t.state === 'cancelled')).toBe(true);
        expect((await a.inject({ url: `/media/${second.id}/720p/init.mp4` })).statusCode).toBe(200);

        // 3. a wrong claim gets nothing: another account's bytes are never shared, and an unknown hash means "upload it"
        const other = await registerUser(a);
        const claim = await a.inject({ method: 'POST', url: '/api/upload-checks', headers: { authorization: `Bearer ${other.token}` }, payload: { sha256, size: bytes.length, title: 'theft' } });
        expect(claim.json()).toEqual({ duplicate: false });
        // deleting the original leaves the copies intact
        expect((await a.inject({ method: 'DELETE', url: `/api/videos/${first.id}`, headers: auth })).statusCode).toBe(204);
        expect((await a.inject({ url: `/media/${dup.id}/720p/init.mp4`, headers: auth })).statusCode).toBe(200);
      } finally {
        await big.close();
      }
    });
  });
}
