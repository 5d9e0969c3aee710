/** Playlists and Watch later through the HTTP API, on SQLite and PostgreSQL. */
import { describe, expect, it } from 'vitest';
import { dbKinds, registerUser, usePlatform, bearer } from '../support/platform.js';

for (const db of dbKinds()) {
  describe(`playlists on ${db}`, () => {
    const p = usePlatform({ db });

    async function video(token: string, title: string, visibility = 'public'): Promise<string> {
      const id = (await p.app.inject({ method: 'POST', url: '/api/videos', headers: bearer(token), payload: { title, visibility } })).json().video.id;
      await p.tp.platform.videos.markReady(id, null);
      return id;
    }
    const titles = (p: any) => p.items.map((i: any) => i.video.title);

    it('create, add, order, remove, visibility', async () => {
      const owner = await registerUser(p.app);
      const other = await registerUser(p.app);
      const [a, b, c] = [await video(owner.token, 'A'), await video(other.token, 'B'), await video(owner.token, 'C')];
      const created = await p.app.inject({ method: 'POST', url: '/api/playlists', headers: bearer(owner.token), payload: { title: 'Mix <i>1</i>' } });
      expect(created.statusCode).toBe(201);
      const pl = created.json();
      expect(pl).toMatchObject({ title: 'Mix <i>1</i>', visibility: 'private', kind: 'custom', itemCount: 0, items: [] });
      const add = (videoId: string, position?: number) => p.app.inject({ method: 'POST', url: `/api/playlists/${pl.id}/items`, headers: bearer(owner.token), payload: { videoId, position } });
      await add(a);
      await add(b);
      expect(titles((await add(c, 0)).json())).toEqual(['C', 'A', 'B']);
      const moved = await p.app.inject({ method: 'PUT', url: `/api/playlists/${pl.id}/items/${c}`, headers: bearer(owner.token), payload: { position: 2 } });
      expect(titles(moved.json())).toEqual(['A', 'B', 'C']);
      expect(moved.json().items.map((i: any) => i.position)).toEqual([0, 1, 2]);
      expect(titles((await add(a, 1)).json())).toEqual(['B', 'A', 'C']); // adding again moves, no duplicate
      const removed = await p.app.inject({ method: 'DELETE', url: `/api/playlists/${pl.id}/items/${b}`, headers: bearer(owner.token) });
      expect(titles(removed.json())).toEqual(['A', 'C']);
      expect(removed.json().itemCount).toBe(2);

      // private: others cannot see it; public: listed on the channel; unlisted: reachable, not listed
      expect((await p.app.inject({ url: `/api/playlists/${pl.id}`, headers: bearer(other.token) })).statusCode).toBe(404);
      const me = (await p.app.inject({ url: '/api/me', headers: bearer(owner.token) })).json();
      await p.app.inject({ method: 'PATCH', url: `/api/playlists/${pl.id}`, headers: bearer(owner.token), payload: { visibility: 'public', title: 'Mix' } });
      expect(titles((await p.app.inject({ url: `/api/playlists/${pl.id}` })).json())).toEqual(['A', 'C']);
      expect((await p.app.inject({ url: `/api/channels/${me.channel.id}/playlists` })).json().items.map((p: any) => p.title)).toEqual(['Mix']);
      await p.app.inject({ method: 'PATCH', url: `/api/playlists/${pl.id}`, headers: bearer(owner.token), payload: { visibility: 'unlisted' } });
      expect((await p.app.inject({ url: `/api/playlists/${pl.id}` })).statusCode).toBe(200);
      expect((await p.app.inject({ url: `/api/channels/${me.channel.id}/playlists` })).json().items).toEqual([]);
      // a private video in a public playlist is shown only to those who can see it
      const hidden = await video(owner.token, 'H', 'private');
      await add(hidden);
      expect(titles((await p.app.inject({ url: `/api/playlists/${pl.id}` })).json())).toEqual(['A', 'C']);
      expect(titles((await p.app.inject({ url: `/api/playlists/${pl.id}`, headers: bearer(owner.token) })).json())).toEqual(['A', 'C', 'H']);

      // only the owner changes it
      expect((await p.app.inject({ method: 'POST', url: `/api/playlists/${pl.id}/items`, headers: bearer(other.token), payload: { videoId: b } })).statusCode).toBe(403);
      expect((await p.app.inject({ method: 'DELETE', url: `/api/playlists/${pl.id}`, headers: bearer(other.token) })).statusCode).toBe(403);
      // someone else's private video cannot be added
      const theirs = await video(other.token, 'P', 'private');
      expect((await add(theirs)).statusCode).toBe(404);
      expect((await p.app.inject({ method: 'PUT', url: `/api/playlists/${pl.id}/items/${b}`, headers: bearer(owner.token), payload: { position: 0 } })).statusCode).toBe(404);
      for (const payload of [{}, { title: '' }, { title: 'x'.repeat(151) }, { title: 'ok', visibility: 'friends' }]) {
        expect((await p.app.inject({ method: 'POST', url: '/api/playlists', headers: bearer(owner.token), payload })).statusCode).toBe(400);
      }
      expect((await p.app.inject({ method: 'POST', url: `/api/playlists/${pl.id}/items`, headers: bearer(owner.token), payload: { videoId: a, position: -1 } })).statusCode).toBe(400);
      expect((await p.app.inject({ method: 'POST', url: '/api/playlists', payload: { title: 'anon' } })).statusCode).toBe(401);

      expect((await p.app.inject({ method: 'DELETE', url: `/api/playlists/${pl.id}`, headers: bearer(owner.token) })).statusCode).toBe(204);
      expect((await p.app.inject({ url: `/api/playlists/${pl.id}`, headers: bearer(owner.token) })).statusCode).toBe(404);
    });

    it('watch later: one private list per account, created on first use, cannot be deleted or made public', async () => {
      const u = await registerUser(p.app);
      const v = await video(u.token, 'later');
      const [wl1, wl2] = await Promise.all([p.app.inject({ url: '/api/me/watch-later', headers: bearer(u.token) }), p.app.inject({ url: '/api/me/watch-later', headers: bearer(u.token) })]);
      expect(wl1.json().id).toBe(wl2.json().id);
      const wl = wl1.json();
      expect(wl).toMatchObject({ kind: 'watch_later', title: 'Watch later', visibility: 'private' });
      await p.app.inject({ method: 'POST', url: `/api/playlists/${wl.id}/items`, headers: bearer(u.token), payload: { videoId: v } });
      expect(titles((await p.app.inject({ url: '/api/me/watch-later', headers: bearer(u.token) })).json())).toEqual(['later']);
      expect((await p.app.inject({ url: '/api/me/playlists', headers: bearer(u.token) })).json().items.map((p: any) => p.kind)).toEqual(['watch_later']);
      expect((await p.app.inject({ method: 'DELETE', url: `/api/playlists/${wl.id}`, headers: bearer(u.token) })).json().error.code).toBe('watch_later_fixed');
      expect((await p.app.inject({ method: 'PATCH', url: `/api/playlists/${wl.id}`, headers: bearer(u.token), payload: { visibility: 'public' } })).statusCode).toBe(409);
      expect((await p.app.inject({ url: '/api/me/watch-later' })).statusCode).toBe(401);
    });
  });
}
