/**
 * Flag → takedown → appeal → restore, as viewers, admins and owners see it: a taken-down video leaves playback,
 * the public listing, search and the media origin at once, its owner sees the reason; only admins
 * (ADMIN_EMAILS) can act; every action is audited. SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbKinds, registerUser, startTestPlatform, type TestPlatform } from '../support/platform.js';

for (const db of dbKinds()) {
  describe(`moderation on ${db}`, () => {
    let tp: TestPlatform;
    let app: TestPlatform['platform']['app'];
    let admin: { token: string; handle: string };
    beforeAll(async () => {
      tp = await startTestPlatform({ db, env: { ADMIN_EMAILS: 'Boss@Example.test, other@example.test' } });
      app = tp.platform.app;
      admin = await registerUser(app, 'boss');
    });
    afterAll(async () => tp?.close());
    const auth = (t: string) => ({ authorization: `Bearer ${t}` });

    it('flags reach the admins; a takedown hides the video everywhere and tells the owner why; appeal and restore bring it back', async () => {
      const owner = await registerUser(app);
      const viewers = [await registerUser(app), await registerUser(app)];
      const id = (await app.inject({ method: 'POST', url: '/api/videos', headers: auth(owner.token), payload: { title: 'questionable unicorn footage' } })).json().video.id;
      await tp.platform.videos.setMediaInfo(id, { durationSec: 30, width: 640, height: 360 });
      await tp.platform.blobs.put(`videos/${id}/360p/init.mp4`, Buffer.from('init'));
      await tp.platform.videos.markReady(id, null);

      expect((await app.inject({ method: 'POST', url: `/api/videos/${id}/flags`, payload: { reason: 'spam' } })).statusCode).toBe(401);
      expect((await app.inject({ method: 'POST', url: `/api/videos/${id}/flags`, headers: auth(viewers[0].token), payload: { reason: 'nonsense' } })).statusCode).toBe(400);
      for (const [i, v] of viewers.entries()) {
        const r = await app.inject({ method: 'POST', url: `/api/videos/${id}/flags`, headers: auth(v.token), payload: { reason: i ? 'misleading' : 'spam', note: `note ${i}` } });
        expect(r.statusCode).toBe(204);
      }
      // flagging again updates, it does not add
      await app.inject({ method: 'POST', url: `/api/videos/${id}/flags`, headers: auth(viewers[0].token), payload: { reason: 'spam', note: 'really spam' } });

      expect((await app.inject({ url: '/api/admin/flags', headers: auth(owner.token) })).statusCode).toBe(403);
      const queue = (await app.inject({ url: '/api/admin/flags', headers: auth(admin.token) })).json().items;
      expect(queue).toHaveLength(1);
      expect(queue[0]).toMatchObject({ video: { id, title: 'questionable unicorn footage' }, flags: 2, reasons: { spam: 1, misleading: 1 } });
      expect(queue[0].notes.sort()).toEqual(['note 1', 'really spam']);

      expect((await app.inject({ method: 'POST', url: `/api/admin/videos/${id}/takedown`, headers: auth(viewers[0].token), payload: { reason: 'not allowed' } })).statusCode).toBe(403);
      const down = await app.inject({ method: 'POST', url: `/api/admin/videos/${id}/takedown`, headers: auth(admin.token), payload: { reason: 'Spam: misleading title' } });
      expect(down.statusCode).toBe(204);

      // gone for everyone else, at once
      expect((await app.inject({ url: `/api/videos/${id}`, headers: auth(viewers[0].token) })).statusCode).toBe(404);
      expect((await app.inject({ url: `/api/videos/${id}/playback` })).statusCode).toBe(404);
      expect((await app.inject({ url: `/media/${id}/360p/init.mp4` })).statusCode).toBe(404);
      expect((await app.inject({ url: '/api/videos' })).json().items.map((v: any) => v.id)).not.toContain(id);
      const search = await app.inject({ url: '/api/search?q=unicorn' });
      if (search.statusCode !== 404) expect(JSON.stringify(search.json())).not.toContain(id);
      // the owner sees why, and can appeal once it is down
      const mine = (await app.inject({ url: `/api/videos/${id}`, headers: auth(owner.token) })).json();
      expect(mine).toMatchObject({ status: 'removed', playable: false, error: { code: 'taken_down', message: 'Spam: misleading title' } });
      expect((await app.inject({ url: '/api/admin/flags', headers: auth(admin.token) })).json().items).toEqual([]);
      expect((await app.inject({ method: 'POST', url: `/api/videos/${id}/appeal`, headers: auth(viewers[1].token), payload: { message: 'not mine but' } })).statusCode).toBe(404);
      expect((await app.inject({ method: 'POST', url: `/api/videos/${id}/appeal`, headers: auth(owner.token), payload: { message: 'It is real unicorn footage.' } })).statusCode).toBe(204);
      const appeals = (await app.inject({ url: '/api/admin/appeals', headers: auth(admin.token) })).json().items;
      expect(appeals).toEqual([{ video: { id, title: 'questionable unicorn footage', channelHandle: expect.any(String) }, reason: 'Spam: misleading title', appeal: 'It is real unicorn footage.' }]);

      expect((await app.inject({ method: 'POST', url: `/api/admin/videos/${id}/restore`, headers: auth(admin.token), payload: { note: 'appeal accepted' } })).statusCode).toBe(204);
      expect((await app.inject({ url: `/api/videos/${id}`, headers: auth(viewers[0].token) })).json()).toMatchObject({ status: 'ready', error: null });
      expect((await app.inject({ url: `/media/${id}/360p/init.mp4` })).statusCode).toBe(200);
      expect((await app.inject({ url: '/api/admin/appeals', headers: auth(admin.token) })).json().items).toEqual([]);
      expect((await app.inject({ method: 'POST', url: `/api/admin/videos/${id}/restore`, headers: auth(admin.token), payload: {} })).statusCode).toBe(409);

      const log = await tp.platform.database.db.selectFrom('audit_log').select(['action', 'actor_handle']).where('target_id', '=', id).orderBy('seq').execute();
      expect(log.map((l) => l.action)).toEqual(['video.takedown', 'video.appeal', 'video.restore']);
      expect(log[0].actor_handle).toBe('boss');
    });
  });
}
