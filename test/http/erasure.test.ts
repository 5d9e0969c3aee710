/**
 * Erasure as users see it: deleting a video takes its files and everything around it; erasing an account
 * (password confirmed) deletes its videos, leaves "[deleted]" where its comments were (threads stay readable),
 * takes back its votes, likes and subscriptions, keeps view counts right, and signs it out everywhere. Each
 * erasure is in the audit log, which the database refuses to alter. SQLite and PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { dbKinds, registerUser, usePlatform, bearer } from '../support/platform.js';

for (const db of dbKinds()) {
  describe(`erasure on ${db}`, () => {
    const p = usePlatform({ db });
    const me = async (t: string) => (await p.app.inject({ url: '/api/me', headers: bearer(t) })).json();

    async function readyVideo(token: string, title: string): Promise<string> {
      const id = (await p.app.inject({ method: 'POST', url: '/api/videos', headers: bearer(token), payload: { title } })).json().video.id;
      await p.tp.platform.videos.setMediaInfo(id, { durationSec: 60, width: 640, height: 360 });
      await p.tp.platform.blobs.put(`videos/${id}/360p/init.mp4`, Buffer.from('init'));
      await p.tp.platform.videos.markReady(id, null);
      return id;
    }
    const comment = async (token: string, videoId: string, body: string, parentId?: string) =>
      (await p.app.inject({ method: 'POST', url: `/api/videos/${videoId}/comments`, headers: bearer(token), payload: { body, ...(parentId ? { parentId } : {}) } })).json();
    const comments = async (videoId: string, parentId?: string) => (await p.app.inject({ url: `/api/videos/${videoId}/comments${parentId ? `?parentId=${parentId}` : ''}` })).json().items;

    it('deleting a video removes its files, comments, ratings and playlist entries, and is audited', async () => {
      const a = await registerUser(p.app);
      const b = await registerUser(p.app);
      const id = await readyVideo(a.token, 'to delete');
      await comment(b.token, id, 'nice one');
      await p.app.inject({ method: 'PUT', url: `/api/videos/${id}/rating`, headers: bearer(b.token), payload: { rating: 'like' } });
      const wl = (await p.app.inject({ url: '/api/me/watch-later', headers: bearer(b.token) })).json();
      expect((await p.app.inject({ method: 'POST', url: `/api/playlists/${wl.id}/items`, headers: bearer(b.token), payload: { videoId: id } })).statusCode).toBeLessThan(300);

      expect((await p.app.inject({ method: 'DELETE', url: `/api/videos/${id}`, headers: bearer(b.token) })).statusCode).toBe(403);
      expect((await p.app.inject({ method: 'DELETE', url: `/api/videos/${id}`, headers: bearer(a.token) })).statusCode).toBe(204);
      expect(await p.tp.platform.blobs.list(`videos/${id}/`)).toEqual([]);
      expect((await p.app.inject({ url: `/api/videos/${id}/comments` })).statusCode).toBe(404);
      const d = p.tp.platform.database.db;
      for (const table of ['comments', 'video_ratings', 'playlist_items'] as const) {
        expect(await d.selectFrom(table).select('video_id').where('video_id', '=', id).execute(), table).toEqual([]);
      }
      const log = (await p.app.inject({ url: '/api/me/audit', headers: bearer(a.token) })).json().items;
      expect(log[0]).toMatchObject({ action: 'video.delete', target: { type: 'video', id }, detail: { title: 'to delete' }, actor: { handle: a.handle } });
    });

    it('erasing an account: password first; then videos gone, comments "[deleted]", votes, likes and subscriptions taken back, views kept', async () => {
      const a = await registerUser(p.app);
      const b = await registerUser(p.app);
      const aVideo = await readyVideo(a.token, 'by a');
      const bVideo = await readyVideo(b.token, 'by b');
      const aComment = await comment(a.token, bVideo, 'a says hi');
      await comment(b.token, bVideo, 'b replies', aComment.id);
      const bComment = await comment(b.token, bVideo, 'b says hi');
      await p.app.inject({ method: 'PUT', url: `/api/comments/${bComment.id}/vote`, headers: bearer(a.token), payload: { vote: 'up' } });
      await p.app.inject({ method: 'PUT', url: `/api/videos/${bVideo}/rating`, headers: bearer(a.token), payload: { rating: 'like' } });
      const bChannel = (await me(b.token)).channel.id;
      await p.app.inject({ method: 'PUT', url: `/api/channels/${bChannel}/subscription`, headers: bearer(a.token) });
      const view = await p.app.inject({ method: 'POST', url: `/api/videos/${bVideo}/views`, headers: bearer(a.token), payload: { watchSeconds: 30, positionSec: 30 } });
      expect(view.json().counted).toBe(true);
      expect((await comments(bVideo)).find((c: any) => c.id === bComment.id).score).toBe(1);

      const wrong = await p.app.inject({ method: 'DELETE', url: '/api/me', headers: bearer(a.token), payload: { password: 'not my password' } });
      expect(wrong.statusCode).toBe(401);
      expect((await me(a.token)).id).toBeTruthy();

      const erased = await p.app.inject({ method: 'DELETE', url: '/api/me', headers: bearer(a.token), payload: { password: 'correct horse battery' } });
      expect(erased.statusCode).toBe(200);
      expect(erased.json()).toEqual({ videos: 1, comments: 1 });

      // signed out everywhere, the channel's video gone with its files
      expect((await p.app.inject({ url: '/api/me', headers: bearer(a.token) })).statusCode).toBe(401);
      expect((await p.app.inject({ url: `/api/videos/${aVideo}` })).statusCode).toBe(404);
      expect(await p.tp.platform.blobs.list(`videos/${aVideo}/`)).toEqual([]);
      // the thread stays readable, without the person
      const top = await comments(bVideo);
      const placeholder = top.find((c: any) => c.id === aComment.id);
      expect(placeholder).toMatchObject({ deleted: true, body: '[deleted]', author: { handle: '' }, replyCount: 1 });
      expect((await comments(bVideo, aComment.id)).map((c: any) => c.body)).toEqual(['b replies']);
      expect(top.find((c: any) => c.id === bComment.id).score).toBe(0);
      const stats = (await p.app.inject({ url: `/api/videos/${bVideo}/stats` })).json();
      expect(stats).toMatchObject({ likes: 0, views: 1 });
      expect((await p.app.inject({ url: `/api/channels/${bChannel}/subscription` })).json().subscribers).toBe(0);
      const d = p.tp.platform.database.db;
      expect(await d.selectFrom('view_events').select('user_id').where('video_id', '=', bVideo).execute()).toEqual([{ user_id: null }]);
      expect(await d.selectFrom('watch_history').select('video_id').where('video_id', '=', bVideo).execute()).toEqual([]);
    });

    it('keeps the audit log append-only in the database itself', async () => {
      const d = p.tp.platform.database.db;
      const rows = await d.selectFrom('audit_log').select(['seq', 'action']).execute();
      expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['video.delete', 'account.erase']));
      await expect(sql`update audit_log set action = 'nothing'`.execute(d)).rejects.toThrow(/append-only/);
      await expect(sql`delete from audit_log`.execute(d)).rejects.toThrow(/append-only/);
      expect(await d.selectFrom('audit_log').select('seq').execute()).toHaveLength(rows.length);
    });
  });
}
