/**
 * Flag → takedown → appeal → restore, as viewers, admins and owners see it: a taken-down video leaves playback,
 * the public listing, search and the media origin at once, its owner sees the reason; only admins
 * (ADMIN_EMAILS) can act; every action is audited. SQLite and PostgreSQL.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { dbKinds, registerUser, usePlatform, bearer } from '../support/platform.js';

for (const db of dbKinds()) {
  describe(`moderation on ${db}`, () => {
    const p = usePlatform({ db, env: { ADMIN_EMAILS: 'Boss@Example.test, other@example.test' } });
    let admin: { token: string; handle: string };
    beforeAll(async () => {
      admin = await registerUser(p.app, 'boss');
    });

    it('flags reach the admins; a takedown hides the video everywhere and tells the owner why; appeal and restore bring it back', async () => {
      const owner = await registerUser(p.app);
      const viewers = [await registerUser(p.app), await registerUser(p.app)];
      const id = (await p.app.inject({ method: 'POST', url: '/api/videos', headers: bearer(owner.token), payload: { title: 'questionable unicorn footage' } })).json().video.id;
      await p.tp.platform.videos.setMediaInfo(id, { durationSec: 30, width: 640, height: 360 });
      await p.tp.platform.blobs.put(`videos/${id}/360p/init.mp4`, Buffer.from('init'));
      await p.tp.platform.videos.markReady(id, null);

      expect((await p.app.inject({ method: 'POST', url: `/api/videos/${id}/flags`, payload: { reason: 'spam' } })).statusCode).toBe(401);
      expect((await p.app.inject({ method: 'POST', url: `/api/videos/${id}/flags`, headers: bearer(viewers[0].token), payload: { reason: 'nonsense' } })).statusCode).toBe(400);
      for (const [i, v] of viewers.entries()) {
        const r = await p.app.inject({ method: 'POST', url: `/api/videos/${id}/flags`, headers: bearer(v.token), payload: { reason: i ? 'misleading' : 'spam', note: `note ${i}` } });
        expect(r.statusCode).toBe(204);
      }
      // flagging again updates, it does not add
      await p.app.inject({ method: 'POST', url: `/api/videos/${id}/flags`, headers: bearer(viewers[0].token), payload: { reason: 'spam', note: 'really spam' } });

      expect((await p.app.inject({ url: '/api/admin/flags', headers: bearer(owner.token) })).statusCode).toBe(403);
      const queue = (await p.app.inject({ url: '/api/admin/flags', headers: bearer(admin.token) })).json().items;
      expect(queue).toHaveLength(1);
      expect(queue[0]).toMatchObject({ video: { id, title: 'questionable unicorn footage' }, flags: 2, reasons: { spam: 1, misleading: 1 } });
      expect(queue[0].notes.sort()).toEqual(['note 1', 'really spam']);

      expect((await p.app.inject({ method: 'POST', url: `/api/admin/videos/${id}/takedown`, headers: bearer(viewers[0].token), payload: { reason: 'not allowed' } })).statusCode).toBe(403);
      const down = await p.app.inject({ method: 'POST', url: `/api/admin/videos/${id}/takedown`, headers: bearer(admin.token), payload: { reason: 'Spam: misleading title' } });
      expect(down.statusCode).toBe(204);

      // gone for everyone else, at once
      expect((await p.app.inject({ url: `/api/videos/${id}`, headers: bearer(viewers[0].token) })).statusCode).toBe(404);
      expect((await p.app.inject({ url: `/api/videos/${id}/playback` })).statusCode).toBe(404);
      expect((await p.app.inject({ url: `/media/${id}/360p/init.mp4` })).statusCode).toBe(404);
      expect((await p.app.inject({ url: '/api/videos' })).json().items.map((v: any) => v.id)).not.toContain(id);
      const search = await p.app.inject({ url: '/api/search?q=unicorn' });
      if (search.statusCode !== 404) expect(JSON.stringify(search.json())).not.toContain(id);
      // the owner sees why, and can appeal once it is down
      const mine = (await p.app.inject({ url: `/api/videos/${id}`, headers: bearer(owner.token) })).json();
      expect(mine).toMatchObject({ status: 'removed', playable: false, error: { code: 'taken_down', message: 'Spam: misleading title' } });
      expect((await p.app.inject({ url: '/api/admin/flags', headers: bearer(admin.token) })).json().items).toEqual([]);
      expect((await p.app.inject({ method: 'POST', url: `/api/videos/${id}/appeal`, headers: bearer(viewers[1].token), payload: { message: 'not mine but' } })).statusCode).toBe(404);
      expect((await p.app.inject({ method: 'POST', url: `/api/videos/${id}/appeal`, headers: bearer(owner.token), payload: { message: 'It is real unicorn footage.' } })).statusCode).toBe(204);
      const appeals = (await p.app.inject({ url: '/api/admin/appeals', headers: bearer(admin.token) })).json().items;
      expect(appeals).toEqual([{ video: { id, title: 'questionable unicorn footage', channelHandle: expect.any(String) }, reason: 'Spam: misleading title', appeal: 'It is real unicorn footage.' }]);

      expect((await p.app.inject({ method: 'POST', url: `/api/admin/videos/${id}/restore`, headers: bearer(admin.token), payload: { note: 'appeal accepted' } })).statusCode).toBe(204);
      expect((await p.app.inject({ url: `/api/videos/${id}`, headers: bearer(viewers[0].token) })).json()).toMatchObject({ status: 'ready', error: null });
      expect((await p.app.inject({ url: `/media/${id}/360p/init.mp4` })).statusCode).toBe(200);
      expect((await p.app.inject({ url: '/api/admin/appeals', headers: bearer(admin.token) })).json().items).toEqual([]);
      expect((await p.app.inject({ method: 'POST', url: `/api/admin/videos/${id}/restore`, headers: bearer(admin.token), payload: {} })).statusCode).toBe(409);

      const log = await p.tp.platform.database.db.selectFrom('audit_log').select(['action', 'actor_handle']).where('target_id', '=', id).orderBy('seq').execute();
      expect(log.map((l) => l.action)).toEqual(['video.takedown', 'video.appeal', 'video.restore']);
      expect(log[0].actor_handle).toBe('boss');
    });
  });
}
