/**
 * The admin console's API on SQLite and PostgreSQL: only site admins (ADMIN_EMAILS) get in (403 for everyone
 * else, whatever they send); accounts are searched, paginated and suspended (a suspended account is signed out,
 * cannot sign in, cannot upload) and unsuspended; channels; videos by state with cursors; the task queue with
 * failed and dead-lettered tasks and their re-run; site settings that take effect on the next request (a
 * lowered upload limit refuses a larger tus upload with 413, uploads per hour, comments per minute, the ladder
 * of new uploads). Every change is in the audit log.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createWorker } from '../../src/wiring/platform.js';
import { dbKinds, MEDIA_DIR, registerUser, waitForVideo, usePlatform, bearer } from '../support/platform.js';

const tusHeaders = (token: string, length: number, extra: Record<string, string> = {}) => ({ ...bearer(token), 'tus-resumable': '1.0.0', 'upload-length': String(length), ...extra });

for (const db of dbKinds()) {
  describe(`admin console API on ${db}`, () => {
    const p = usePlatform({ db, env: { ADMIN_EMAILS: 'chief@example.test', TASK_MAX_ATTEMPTS: '1' } });
    let admin: { token: string; cookie: string; handle: string };
    let user: { token: string; cookie: string; handle: string };

    beforeAll(async () => {
      admin = await registerUser(p.app, 'chief');
      user = await registerUser(p.app);
    });

    const get = (url: string, token = admin.token) => p.app.inject({ url, headers: bearer(token) });
    const send = (method: 'POST' | 'PATCH', url: string, payload?: unknown, token = admin.token) => p.app.inject({ method, url, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) });

    it('lets only site admins in: 401 signed out, 403 for others even with bad input; tells the web p.app who is an admin', async () => {
      expect((await p.app.inject({ url: '/api/admin/access' })).statusCode).toBe(401);
      expect((await get('/api/admin/access', user.token)).json()).toEqual({ admin: false });
      expect((await get('/api/admin/access')).json()).toEqual({ admin: true });
      const someId = '00000000-0000-4000-8000-000000000000';
      const calls: Array<[string, string, unknown?]> = [
        ['GET', '/api/admin/users'],
        ['GET', '/api/admin/users?limit=0'],
        ['GET', '/api/admin/channels'],
        ['GET', '/api/admin/videos?status=bogus'],
        ['GET', '/api/admin/queue'],
        ['GET', '/api/admin/tasks?state=nope'],
        ['GET', '/api/admin/settings'],
        ['PATCH', '/api/admin/settings', { maxUploadBytes: 1 }],
        ['PATCH', '/api/admin/settings', { maxUploadBytes: -1 }],
        ['POST', `/api/admin/users/${someId}/suspend`, { reason: 'spam account' }],
        ['POST', `/api/admin/users/${someId}/unsuspend`],
        ['POST', `/api/admin/tasks/${someId}/rerun`],
        ['PATCH', `/api/admin/channels/${someId}`, { priority: 5 }],
      ];
      for (const [method, url, payload] of calls) {
        const anon = await p.app.inject({ method: method as 'GET', url, ...(payload ? { payload: payload as object } : {}) });
        expect(anon.statusCode, `${method} ${url} signed out`).toBe(401);
        const r = await p.app.inject({ method: method as 'GET', url, headers: bearer(user.token), ...(payload ? { payload: payload as object } : {}) });
        expect(r.statusCode, `${method} ${url}`).toBe(403);
        expect(r.json().error.code).toBe('forbidden');
      }
      // the console's routes are in the OpenAPI document
      const doc = (await p.app.inject({ url: '/api/openapi.json' })).json();
      for (const path of ['/api/admin/users', '/api/admin/videos', '/api/admin/tasks', '/api/admin/settings', '/api/admin/tasks/{id}/rerun']) expect(doc.paths[path], path).toBeDefined();
    });

    it('lists and searches accounts with cursors; suspension signs the account out, blocks sign-in and uploads; unsuspend restores', async () => {
      const handles = ['zeta-one', 'zeta-two', 'zeta-three'];
      const made = [];
      for (const h of handles) made.push(await registerUser(p.app, h));
      const first = (await get('/api/admin/users?q=ZETA&limit=2')).json();
      expect(first.items.map((u: any) => u.channel.handle)).toEqual(['zeta-three', 'zeta-two']);
      expect(first.next).toEqual(expect.any(String));
      const second = (await get(`/api/admin/users?q=zeta&limit=2&cursor=${first.next}`)).json();
      expect(second.items.map((u: any) => u.channel.handle)).toEqual(['zeta-one']);
      expect(second.next).toBeNull();
      expect((await get('/api/admin/users?q=zeta-two@example')).json().items.map((u: any) => u.email)).toEqual(['zeta-two@example.test']);
      // LIKE wildcards are literal
      expect((await get('/api/admin/users?q=%25')).json().items).toEqual([]);
      expect((await get('/api/admin/users?q=zeta_one')).json().items).toEqual([]);
      expect((await get('/api/admin/users?cursor=garbage')).statusCode).toBe(400);
      expect((await get('/api/admin/users?limit=500')).statusCode).toBe(400);
      const me = (await get('/api/admin/users?q=chief')).json().items[0];
      expect(me).toMatchObject({ email: 'chief@example.test', admin: true, suspended: null });

      const target = made[0];
      const row = (await get('/api/admin/users?q=zeta-one')).json().items[0];
      expect(row).toMatchObject({ admin: false, suspended: null, videoCount: 0 });
      // an upload URL issued before the suspension, and an upload started with another one
      const grant = await send('POST', '/api/upload-grants', { size: 100, type: 'video/mp4' }, target.token);
      expect(grant.statusCode).toBe(201);
      const grant2 = await send('POST', '/api/upload-grants', { size: 100, type: 'video/mp4' }, target.token);
      const started = await p.app.inject({ method: 'POST', url: grant2.json().url, headers: { 'tus-resumable': '1.0.0', 'upload-length': '100', 'upload-metadata': `filetype ${Buffer.from('video/mp4').toString('base64')}` } });
      expect(started.statusCode).toBe(201);

      expect((await send('POST', `/api/admin/users/${row.id}/suspend`, { reason: 'x' })).statusCode).toBe(400);
      expect((await send('POST', `/api/admin/users/${row.id}/suspend`, {})).statusCode).toBe(400);
      expect((await send('POST', '/api/admin/users/not-a-uuid/suspend', { reason: 'spam account' })).statusCode).toBe(400);
      expect((await send('POST', '/api/admin/users/00000000-0000-4000-8000-000000000000/suspend', { reason: 'spam account' })).statusCode).toBe(404);
      expect((await send('POST', `/api/admin/users/${me.id}/suspend`, { reason: 'oops mine' })).statusCode).toBe(409);
      expect((await send('POST', `/api/admin/users/${row.id}/suspend`, { reason: 'Spam uploads' })).statusCode).toBe(204);
      expect((await send('POST', `/api/admin/users/${row.id}/suspend`, { reason: 'Spam uploads' })).statusCode).toBe(409);

      // signed out everywhere (API token and browser session), and cannot sign in again
      expect((await get('/api/me', target.token)).statusCode).toBe(401);
      expect((await p.app.inject({ url: '/api/me', headers: { cookie: target.cookie } })).statusCode).toBe(401);
      const login = await p.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'zeta-one@example.test', password: 'correct horse battery' } });
      expect(login.statusCode).toBe(403);
      expect(login.json().error).toMatchObject({ code: 'account_suspended', message: expect.stringContaining('Spam uploads') });
      // a wrong password still says only that
      expect((await p.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'zeta-one@example.test', password: 'wrong password!' } })).statusCode).toBe(401);
      // the pre-signed upload URL no longer creates an upload
      const viaGrant = await p.app.inject({ method: 'POST', url: grant.json().url, headers: { 'tus-resumable': '1.0.0', 'upload-length': '100', 'upload-metadata': `filetype ${Buffer.from('video/mp4').toString('base64')}` } });
      expect(viaGrant.statusCode).toBe(403);
      expect(viaGrant.body).toContain('account_suspended');
      // nor do the bytes of the upload started before
      const bytes = await p.app.inject({ method: 'PATCH', url: String(started.headers.location), headers: { 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, payload: Buffer.alloc(100) });
      expect(bytes.statusCode).toBe(403);
      expect(bytes.body).toContain('account_suspended');
      expect((await get('/api/admin/users?suspended=true')).json().items.map((u: any) => u.id)).toEqual([row.id]);
      expect((await get(`/api/admin/users?q=zeta-one`)).json().items[0].suspended).toMatchObject({ reason: 'Spam uploads', at: expect.any(String) });
      expect((await get('/api/admin/users?suspended=false&q=zeta')).json().items.map((u: any) => u.channel.handle)).toEqual(['zeta-three', 'zeta-two']);

      expect((await send('POST', `/api/admin/users/${row.id}/unsuspend`)).statusCode).toBe(204);
      expect((await send('POST', `/api/admin/users/${row.id}/unsuspend`)).statusCode).toBe(409);
      const again = await p.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'zeta-one@example.test', password: 'correct horse battery' } });
      expect(again.statusCode).toBe(200);
      const cookie = String(again.headers['set-cookie']).split(';')[0];
      const up = await p.app.inject({ method: 'POST', url: '/api/uploads', headers: { cookie, 'tus-resumable': '1.0.0', 'upload-length': '100', 'upload-metadata': `title ${Buffer.from('back').toString('base64')}` } });
      expect(up.statusCode).toBe(201);

      const log = await p.tp.platform.database.db.selectFrom('audit_log').select(['action', 'actor_handle']).where('target_id', '=', row.id).orderBy('seq').execute();
      expect(log).toEqual([{ action: 'account.suspend', actor_handle: 'chief' }, { action: 'account.unsuspend', actor_handle: 'chief' }]);
    });

    it('lists channels with owners and counts; sets a channel’s processing priority', async () => {
      const r = (await get(`/api/admin/channels?q=${user.handle}`)).json();
      expect(r.items).toHaveLength(1);
      const ch = r.items[0];
      expect(ch).toMatchObject({ handle: user.handle, owner: { email: `${user.handle}@example.test`, suspended: false }, priority: 0, videoCount: 0, subscriberCount: 0 });
      const all = (await get('/api/admin/channels?limit=2')).json();
      expect(all.items).toHaveLength(2);
      const rest = (await get(`/api/admin/channels?limit=200&cursor=${all.next}`)).json();
      const handles = [...all.items, ...rest.items].map((c: any) => c.handle);
      expect(handles).toEqual([...handles].sort());
      expect(new Set(handles).size).toBe(handles.length);
      expect((await send('PATCH', `/api/admin/channels/${ch.id}`, { priority: 5000 })).statusCode).toBe(400);
      expect((await send('PATCH', `/api/admin/channels/${ch.id}`, { priority: -10, extra: 1 })).statusCode).toBe(400);
      expect((await send('PATCH', `/api/admin/channels/${ch.id}`, { priority: -10 })).statusCode).toBe(204);
      expect((await get(`/api/admin/channels?q=${user.handle}`)).json().items[0].priority).toBe(-10);
      await send('PATCH', `/api/admin/channels/${ch.id}`, { priority: 0 });
    });

    it('lists videos of every visibility by state, newest first, with cursors', async () => {
      const owner = await registerUser(p.app, `vids-${db}`);
      const ids: Record<string, string[]> = { ready: [], uploading: [], failed: [] };
      for (const [i, state] of ['ready', 'uploading', 'ready', 'failed', 'ready'].entries()) {
        const id = (await send('POST', '/api/videos', { title: `admin list ${i}`, visibility: i === 0 ? 'private' : 'public' }, owner.token)).json().video.id;
        if (state === 'ready') await p.tp.platform.videos.markReady(id, null);
        if (state === 'failed') await p.tp.platform.videos.markFailed(id, 'bad_media', 'not a video');
        ids[state].unshift(id);
        await new Promise((r) => setTimeout(r, 5));
      }
      const p1 = (await get(`/api/admin/videos?status=ready&q=${owner.handle}&limit=2`)).json();
      expect(p1.items.map((v: any) => v.id)).toEqual(ids.ready.slice(0, 2));
      const p2 = (await get(`/api/admin/videos?status=ready&q=${owner.handle}&limit=2&cursor=${p1.next}`)).json();
      expect(p2.items.map((v: any) => v.id)).toEqual(ids.ready.slice(2));
      expect(p2.next).toBeNull();
      expect(p2.items[0]).toMatchObject({ visibility: 'private', status: 'ready', channel: { handle: owner.handle } });
      const failed = (await get(`/api/admin/videos?status=failed&q=${owner.handle}`)).json().items;
      expect(failed).toEqual([expect.objectContaining({ id: ids.failed[0], error: { code: 'bad_media', message: 'not a video' } })]);
      expect((await get(`/api/admin/videos?q=${ids.uploading[0]}`)).json().items.map((v: any) => v.status)).toEqual(['uploading']);
      expect((await get('/api/admin/videos?status=bogus')).statusCode).toBe(400);
      const summary = (await get('/api/admin/queue')).json();
      expect(summary.videos.ready).toBeGreaterThanOrEqual(3);
      expect(summary.videos.failed).toBeGreaterThanOrEqual(1);
    });

    it('shows the task queue by state and priority, lists dead-lettered tasks with their error and re-runs them', async () => {
      const { queue, pipeline } = p.tp.platform;
      const bytes = readFileSync(`${MEDIA_DIR}video_short.mp4`);
      const up = await p.app.inject({ method: 'POST', url: '/api/uploads', headers: tusHeaders(user.token, bytes.length, { 'content-type': 'application/offset+octet-stream' }), payload: bytes });
      expect(up.statusCode).toBe(201);
      const videoId = String(up.headers['reel-video-id']);
      const before = (await get('/api/admin/queue')).json();
      expect(before.byState.queued).toBeGreaterThanOrEqual(1);
      expect(before.byPriority).toContainEqual(expect.objectContaining({ state: 'queued', priority: expect.any(Number), count: expect.any(Number) }));
      expect(Object.keys(before.byState).sort()).toEqual(['cancelled', 'dead', 'done', 'failed', 'queued', 'running', 'waiting']);

      // the inspect task fails for a recoverable reason and, with one attempt allowed, is dead-lettered
      let task = await queue.claim('admin-test-worker', 10_000);
      while (task && task.video_id !== videoId) task = await queue.claim('admin-test-worker', 10_000);
      expect(task?.key).toBe('inspect');
      expect(await queue.fail(task!, 'admin-test-worker', 'blob store timed out', true)).toBe('dead');
      await pipeline.gaveUp((await queue.get(task!.id))!, new Error('blob store timed out'), 'dead');

      const summary = (await get('/api/admin/queue')).json();
      expect(summary.byState.dead).toBeGreaterThanOrEqual(1);
      const dead = (await get('/api/admin/tasks')).json().items.find((t: any) => t.id === task!.id);
      expect(dead).toMatchObject({ key: 'inspect', kind: 'inspect', state: 'dead', attempts: 1, maxAttempts: 1, error: 'blob store timed out', video: { id: videoId, status: 'failed' } });
      expect((await get('/api/admin/tasks?state=queued,waiting')).json().items.map((t: any) => t.id)).not.toContain(task!.id);
      expect((await get('/api/admin/tasks?state=dead&limit=1')).json().items).toHaveLength(1);
      expect((await get('/api/admin/tasks?state=dead,bogus')).statusCode).toBe(400);

      expect((await send('POST', '/api/admin/tasks/00000000-0000-4000-8000-000000000000/rerun')).statusCode).toBe(404);
      const rerun = await send('POST', `/api/admin/tasks/${task!.id}/rerun`);
      expect(rerun.statusCode).toBe(202);
      expect((await queue.get(task!.id))).toMatchObject({ state: 'queued', attempts: 0, error: null });
      expect((await get(`/api/videos/${videoId}`, user.token)).json()).toMatchObject({ status: 'processing', error: null });
      const twice = await send('POST', `/api/admin/tasks/${task!.id}/rerun`);
      expect(twice.statusCode).toBe(409);
      expect(twice.json().error.code).toBe('not_rerunnable');
      const log = await p.tp.platform.database.db.selectFrom('audit_log').select(['action', 'detail']).where('target_id', '=', task!.id).execute();
      expect(log.map((l) => l.action)).toEqual(['task.rerun']);
      await queue.cancelVideo(videoId);
    });

    it('stores site settings that the next request obeys: upload size (413), uploads per hour, comments per minute; validates and resets', async () => {
      const view = (await get('/api/admin/settings')).json();
      expect(view.settings).toEqual(view.defaults);
      expect(view.defaults).toMatchObject({ maxUploadBytes: p.tp.config.maxUploadBytes, uploadsPerHour: p.tp.config.uploadsPerHour, ladderMaxRung: '2160p' });
      expect(view.overridden).toEqual([]);

      for (const bad of [{}, { maxUploadBytes: 0 }, { maxUploadBytes: 1.5 }, { maxUploadBytes: '100' }, { maxUploadBytes: 300 * 2 ** 30 }, { uploadsPerHour: -1 }, { loginAttemptsPerMinute: 0 }, { ladderMaxRung: '4320p' }, { somethingElse: 1 }, { commentsPerMinute: 0 }]) {
        const r = await send('PATCH', '/api/admin/settings', bad);
        expect(r.statusCode, JSON.stringify(bad)).toBe(400);
        expect(r.json().error.code).toBeTruthy();
      }
      const uploader = await registerUser(p.app);
      const tryUpload = (length: number) => p.app.inject({ method: 'POST', url: '/api/uploads', headers: tusHeaders(uploader.token, length) });

      expect((await tryUpload(5000)).statusCode).toBe(201);
      const set = await send('PATCH', '/api/admin/settings', { maxUploadBytes: 4096 });
      expect(set.statusCode).toBe(200);
      expect(set.json()).toMatchObject({ settings: { maxUploadBytes: 4096 }, overridden: ['maxUploadBytes'], updatedBy: 'chief', updatedAt: expect.any(String) });
      // at once: a larger tus upload is refused, a smaller one still fits; the limit is announced
      expect((await tryUpload(5000)).statusCode).toBe(413);
      expect((await tryUpload(4096)).statusCode).toBe(201);
      expect((await p.app.inject({ method: 'OPTIONS', url: '/api/uploads', headers: { 'tus-resumable': '1.0.0' } })).headers['tus-max-size']).toBe('4096');
      // a pre-signed upload URL for a larger file is refused the same way, with a clear reason
      const grant = await send('POST', '/api/upload-grants', { size: 5000, type: 'video/mp4' }, uploader.token);
      expect(grant.statusCode).toBe(413);
      expect(grant.json().error.code).toBe('too_large');
      expect((await get('/api/me/upload-usage', uploader.token)).json().limits.maxBytes).toBe(4096);

      // uploads per hour: this channel started 2 in the last hour
      expect((await send('PATCH', '/api/admin/settings', { uploadsPerHour: 2 })).statusCode).toBe(200);
      const limited = await tryUpload(10);
      expect(limited.statusCode).toBe(429);
      expect(limited.body).toContain('rate_limited');

      // null goes back to the configured default
      const reset = (await send('PATCH', '/api/admin/settings', { maxUploadBytes: null, uploadsPerHour: null })).json();
      expect(reset.settings.maxUploadBytes).toBe(p.tp.config.maxUploadBytes);
      expect(reset.overridden).toEqual([]);
      expect((await tryUpload(5000)).statusCode).toBe(201);

      // comments per minute
      const vid = (await send('POST', '/api/videos', { title: 'comment me', visibility: 'public' }, uploader.token)).json().video.id;
      await p.tp.platform.videos.markReady(vid, null);
      expect((await send('PATCH', '/api/admin/settings', { commentsPerMinute: 1 })).statusCode).toBe(200);
      expect((await send('POST', `/api/videos/${vid}/comments`, { body: 'first!' }, user.token)).statusCode).toBe(201);
      const second = await send('POST', `/api/videos/${vid}/comments`, { body: 'second' }, user.token);
      expect(second.statusCode).toBe(429);
      expect(second.json().error.message).toContain('At most 1 comments a minute');
      await send('PATCH', '/api/admin/settings', { commentsPerMinute: null });

      // sign-in attempts per minute (per address and per email)
      expect((await send('PATCH', '/api/admin/settings', { loginAttemptsPerMinute: 2 })).statusCode).toBe(200);
      const login = (password: string) => p.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: `10.9.8.${db === 'sqlite' ? 1 : 2}`, payload: { email: `nobody-${db}@example.test`, password } });
      expect((await login('wrong password 1')).statusCode).toBe(401);
      expect((await login('wrong password 2')).statusCode).toBe(401);
      expect((await login('wrong password 3')).statusCode).toBe(429);
      await send('PATCH', '/api/admin/settings', { loginAttemptsPerMinute: null });

      const log = await p.tp.platform.database.db.selectFrom('audit_log').select(['action', 'detail']).where('action', '=', 'settings.update').orderBy('seq').execute();
      expect(JSON.parse(log[0].detail)).toEqual({ maxUploadBytes: { from: p.tp.config.maxUploadBytes, to: 4096 } });
    });

    it('gives new uploads the ladder the settings name (the plan task carries it)', async () => {
      expect((await send('PATCH', '/api/admin/settings', { ladderMaxRung: '240p' })).statusCode).toBe(200);
      const bytes = readFileSync(`${MEDIA_DIR}video_short.mp4`);
      const up = await p.app.inject({ method: 'POST', url: '/api/uploads', headers: tusHeaders(user.token, bytes.length, { 'content-type': 'application/offset+octet-stream' }), payload: bytes });
      expect(up.statusCode).toBe(201);
      const id = String(up.headers['reel-video-id']);
      // the setting is fixed when the upload finishes: changing it afterwards does not change this video
      await send('PATCH', '/api/admin/settings', { ladderMaxRung: null });
      const plan = (await p.tp.platform.queue.forVideo(id)).find((t) => t.kind === 'plan')!;
      expect(JSON.parse(plan.payload)).toMatchObject({ maxRung: '240p' });
      if (db !== 'sqlite') return await p.tp.platform.queue.cancelVideo(id);
      // one real transcode (SQLite run): a 720p source gets 144p and 240p only
      const worker = createWorker(p.tp.platform);
      worker.start();
      try {
        const v = await waitForVideo(p.app, id, user.token);
        expect(v.status).toBe('ready');
        expect(v.renditions.map((r: any) => r.name).sort()).toEqual(['144p', '240p']);
      } finally {
        await worker.stop();
      }
    });
  });
}
