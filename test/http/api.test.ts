/**
 * The HTTP API through Fastify's inject (no socket), on SQLite and PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import { dbKinds, registerUser, usePlatform, bearer } from '../support/platform.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

for (const db of dbKinds()) {
  describe(`HTTP API on ${db}`, () => {
    const p = usePlatform({ db });

    describe('accounts', () => {
      it('register signs in with a session cookie, login and logout work, /api/me reflects it', async () => {
        const reg = await p.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: 'Ann@Example.test', password: 'long enough pw', handle: 'ann', displayName: 'Ann' } });
        expect(reg.statusCode).toBe(201);
        expect(reg.json()).toMatchObject({ email: 'ann@example.test', channel: { handle: 'ann', name: 'Ann' } });
        const setCookie = String(reg.headers['set-cookie']);
        expect(setCookie).toMatch(/reel_session=.+HttpOnly/i);
        const cookie = setCookie.split(';')[0];
        expect((await p.app.inject({ url: '/api/me', headers: { cookie } })).json().channel.handle).toBe('ann');

        const login = await p.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'ann@example.test', password: 'long enough pw' } });
        expect(login.statusCode).toBe(200);
        const c2 = String(login.headers['set-cookie']).split(';')[0];
        expect((await p.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: c2 } })).statusCode).toBe(204);
        expect((await p.app.inject({ url: '/api/me', headers: { cookie: c2 } })).statusCode).toBe(401);
        expect((await p.app.inject({ url: '/api/me', headers: { cookie } })).statusCode).toBe(200);
      });

      it('refuses wrong passwords, duplicates and invalid input with clear codes', async () => {
        await registerUser(p.app, 'bob');
        const bad = await p.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'bob@example.test', password: 'wrong password' } });
        expect(bad.statusCode).toBe(401);
        expect(bad.json().error.code).toBe('bad_credentials');
        const unknown = await p.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'nobody@example.test', password: 'whatever123' } });
        expect(unknown.json().error.message).toBe(bad.json().error.message);

        const dupEmail = await p.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: 'bob@example.test', password: 'long enough pw', handle: 'bob2' } });
        expect(dupEmail.statusCode).toBe(409);
        expect(dupEmail.json().error.code).toBe('email_taken');
        const dupHandle = await p.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: 'bob3@example.test', password: 'long enough pw', handle: 'BOB' } });
        expect(dupHandle.json().error.code).toBe('handle_taken');

        for (const payload of [{}, { email: 'not-an-email', password: 'long enough pw', handle: 'x1x' }, { email: 'a@b.co', password: 'short', handle: 'abc' }, { email: 'a@b.co', password: 'long enough', handle: '../etc' }]) {
          const r = await p.app.inject({ method: 'POST', url: '/api/auth/register', payload });
          expect(r.statusCode).toBe(400);
          expect(r.json().error.code).toBe('invalid_request');
        }
        const garbage = await p.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"email":' });
        expect(garbage.statusCode).toBe(400);
        expect(garbage.json().error).toBeDefined();
      });

      it('API tokens authenticate scripts; a forged token does not', async () => {
        const u = await registerUser(p.app);
        expect((await p.app.inject({ url: '/api/me', headers: bearer(u.token) })).statusCode).toBe(200);
        expect((await p.app.inject({ url: '/api/me', headers: bearer('reel_forged') })).statusCode).toBe(401);
        expect((await p.app.inject({ method: 'POST', url: '/api/tokens', payload: { name: 'x' } })).statusCode).toBe(401);
      });
    });

    describe('videos', () => {
      it('create, read, edit, list and delete with owner-only rights and visibility', async () => {
        const owner = await registerUser(p.app);
        const other = await registerUser(p.app);
        const created = await p.app.inject({ method: 'POST', url: '/api/videos', headers: bearer(owner.token), payload: { title: 'My <b>film</b>', description: 'd', tags: ['a', 'b'], visibility: 'private' } });
        expect(created.statusCode).toBe(201);
        const { video, upload } = created.json();
        expect(video).toMatchObject({ title: 'My <b>film</b>', status: 'uploading', visibility: 'private', tags: ['a', 'b'], hlsUrl: null });
        expect(upload).toEqual({ endpoint: '/api/uploads', metadata: { videoId: video.id } });

        expect((await p.app.inject({ url: `/api/videos/${video.id}`, headers: bearer(owner.token) })).statusCode).toBe(200);
        expect((await p.app.inject({ url: `/api/videos/${video.id}`, headers: bearer(other.token) })).statusCode).toBe(404);
        expect((await p.app.inject({ url: `/api/videos/${video.id}` })).statusCode).toBe(404);

        const edited = await p.app.inject({ method: 'PATCH', url: `/api/videos/${video.id}`, headers: bearer(owner.token), payload: { title: 'Renamed', visibility: 'public' } });
        expect(edited.json()).toMatchObject({ title: 'Renamed', visibility: 'public' });
        // not ready yet: not in public listings, and not visible to others
        expect((await p.app.inject({ url: '/api/videos' })).json().items.map((v: any) => v.id)).not.toContain(video.id);
        expect((await p.app.inject({ method: 'PATCH', url: `/api/videos/${video.id}`, headers: bearer(other.token), payload: { title: 'hijack' } })).statusCode).toBe(404);
        expect((await p.app.inject({ url: '/api/me/videos', headers: bearer(owner.token) })).json().items[0].id).toBe(video.id);

        expect((await p.app.inject({ method: 'DELETE', url: `/api/videos/${video.id}`, headers: bearer(other.token) })).statusCode).toBe(404);
        expect((await p.app.inject({ method: 'DELETE', url: `/api/videos/${video.id}`, headers: bearer(owner.token) })).statusCode).toBe(204);
        expect((await p.app.inject({ url: `/api/videos/${video.id}`, headers: bearer(owner.token) })).statusCode).toBe(404);
      });

      it('validates metadata', async () => {
        const u = await registerUser(p.app);
        for (const payload of [{ title: '' }, { title: 'x'.repeat(201) }, { title: 'ok', visibility: 'secret' }, { title: 'ok', tags: 'notalist' }]) {
          const r = await p.app.inject({ method: 'POST', url: '/api/videos', headers: bearer(u.token), payload });
          expect(r.statusCode).toBe(400);
        }
        expect((await p.app.inject({ method: 'POST', url: '/api/videos', payload: { title: 'anon' } })).statusCode).toBe(401);
        expect((await p.app.inject({ url: '/api/videos/not-a-uuid' })).statusCode).toBe(400);
      });
    });

    describe('tus uploads', () => {
      it('refuses anonymous uploads', async () => {
        const r = await p.app.inject({ method: 'POST', url: '/api/uploads', headers: { 'tus-resumable': '1.0.0', 'upload-length': '10' } });
        expect(r.statusCode).toBe(401);
      });

      it('creates, resumes from the confirmed offset, and terminates (which removes the waiting video)', async () => {
        const u = await registerUser(p.app);
        const create = await p.app.inject({
          method: 'POST',
          url: '/api/uploads',
          headers: { ...bearer(u.token), 'tus-resumable': '1.0.0', 'upload-length': '11', 'upload-metadata': `title ${b64('tus test')},filename ${b64('x.mp4')}` },
        });
        expect(create.statusCode).toBe(201);
        const location = String(create.headers.location);
        expect(location).toMatch(/^\/api\/uploads\/\w+/);
        const mine = (await p.app.inject({ url: '/api/me/videos', headers: bearer(u.token) })).json().items;
        expect(mine).toHaveLength(1);
        expect(mine[0]).toMatchObject({ title: 'tus test', status: 'uploading' });

        const patch = await p.app.inject({
          method: 'PATCH',
          url: location,
          headers: { ...bearer(u.token), 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
          payload: Buffer.from('hello'),
        });
        expect(patch.statusCode).toBe(204);
        expect(patch.headers['upload-offset']).toBe('5');
        const head = await p.app.inject({ method: 'HEAD', url: location, headers: { ...bearer(u.token), 'tus-resumable': '1.0.0' } });
        expect(head.headers['upload-offset']).toBe('5');
        const conflict = await p.app.inject({
          method: 'PATCH',
          url: location,
          headers: { ...bearer(u.token), 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
          payload: Buffer.from('hello'),
        });
        expect(conflict.statusCode).toBe(409);

        const other = await registerUser(p.app);
        expect((await p.app.inject({ method: 'HEAD', url: location, headers: { ...bearer(other.token), 'tus-resumable': '1.0.0' } })).statusCode).toBe(404);

        const del = await p.app.inject({ method: 'DELETE', url: location, headers: { ...bearer(u.token), 'tus-resumable': '1.0.0' } });
        expect(del.statusCode).toBe(204);
        await new Promise((r) => setTimeout(r, 100));
        expect((await p.app.inject({ url: '/api/me/videos', headers: bearer(u.token) })).json().items).toHaveLength(0);
      });

      it('refuses an upload larger than the configured maximum with 413', async () => {
        const u = await registerUser(p.app);
        const r = await p.app.inject({
          method: 'POST',
          url: '/api/uploads',
          headers: { ...bearer(u.token), 'tus-resumable': '1.0.0', 'upload-length': String(p.tp.config.maxUploadBytes + 1) },
        });
        expect(r.statusCode).toBe(413);
        expect((await p.app.inject({ url: '/api/me/videos', headers: bearer(u.token) })).json().items).toHaveLength(0);
      });

      it("cannot attach an upload to another user's video", async () => {
        const owner = await registerUser(p.app);
        const thief = await registerUser(p.app);
        const { video } = (await p.app.inject({ method: 'POST', url: '/api/videos', headers: bearer(owner.token), payload: { title: 'mine' } })).json();
        const r = await p.app.inject({
          method: 'POST',
          url: '/api/uploads',
          headers: { ...bearer(thief.token), 'tus-resumable': '1.0.0', 'upload-length': '10', 'upload-metadata': `videoId ${b64(video.id)}` },
        });
        expect(r.statusCode).toBe(404);
      });
    });

    describe('platform endpoints', () => {
      it('serves the OpenAPI document with the API paths', async () => {
        const doc = (await p.app.inject({ url: '/api/openapi.json' })).json();
        expect(doc.openapi).toMatch(/^3\./);
        for (const path of ['/api/auth/register', '/api/auth/login', '/api/videos', '/api/videos/{id}', '/api/tokens']) expect(doc.paths[path]).toBeDefined();
        expect(doc.paths['/api/videos'].post.requestBody).toBeDefined();
      });

      it('health and readiness', async () => {
        expect((await p.app.inject({ url: '/healthz' })).json()).toEqual({ ok: true });
        const ready = (await p.app.inject({ url: '/readyz' })).json();
        expect(ready.ok).toBe(true);
        expect(ready.checks.database).toBe('ok');
      });

      it('media routes refuse traversal and unknown videos; pages are served', async () => {
        for (const url of ['/media/../../etc/passwd', '/media/00000000-0000-0000-0000-000000000000/master.m3u8', '/media/00000000-0000-0000-0000-000000000000/..%2f..%2freel.db', '/media/x/master.m3u8']) {
          const r = await p.app.inject({ url });
          expect(r.statusCode).toBe(404);
        }
        const page = await p.app.inject({ url: '/watch/00000000-0000-0000-0000-000000000000' });
        expect(page.statusCode).toBe(200);
        expect(page.headers['content-type']).toMatch(/text\/html/);
        // the watch page's HTML names the player chunks and the API reads, so the browser fetches them at once
        expect(page.body).toMatch(/<link rel="modulepreload" href="\/assets\/Watch-[^"]+\.js">/);
        expect(page.body).toMatch(/<link rel="modulepreload" href="\/assets\/hls-[^"]+\.js">/);
        expect(page.body).toContain('<link rel="preload" as="fetch" crossorigin="anonymous" href="/api/videos/00000000-0000-0000-0000-000000000000/playback">');
        // a path that is not an id is never written into the page
        const odd = await p.app.inject({ url: `/watch/${encodeURIComponent('"><script>alert(1)</script>')}` });
        expect(odd.statusCode).toBe(200);
        expect(odd.body).not.toContain('alert(1)');
        // and gets no watch page preloads (no player chunk, no API reads)
        expect(odd.body).not.toMatch(/Watch-[^"]*\.js|\/api\/videos\//);
        expect((await p.app.inject({ url: '/vendor/hls.min.js' })).statusCode).toBe(200);
        expect((await p.app.inject({ url: '/vendor/package.json' })).statusCode).toBe(404);
      });
    });
  });
}
