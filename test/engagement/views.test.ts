/**
 * View counting through the HTTP API (and, where time must move, through the service with a fixed clock on
 * the same database): minimum watch time, de-dup per viewer per hour, exact counts under concurrency,
 * analytics, recount, resume positions, likes. SQLite and PostgreSQL.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dbKinds, registerUser, usePlatform, bearer } from '../support/platform.js';
import { ViewsService } from '../../src/engagement/views-service.js';
import { ViewStore } from '../../src/engagement/view-store.js';
import { HOUR_MS } from '../../src/core/view-rules.js';

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148';
const DESKTOP = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36';

/**
 * The API counts by clock hour on the real clock: a test that crossed an hour boundary would see a repeat viewer
 * count again. Tests here take a few seconds, so close to the end of an hour they first wait for the next one.
 */
async function avoidHourBoundary(marginMs = 60_000): Promise<void> {
  const left = HOUR_MS - (Date.now() % HOUR_MS);
  if (left < marginMs) await new Promise((r) => setTimeout(r, left + 1000));
}

for (const db of dbKinds()) {
  describe(`views on ${db}`, () => {
    const p = usePlatform({ db });
    let owner: { token: string };
    beforeAll(async () => {
      owner = await registerUser(p.app);
    });
    beforeEach(() => avoidHourBoundary(), 2 * 60_000);

    /** a published video (the pipeline's last step, called directly: no media needed for engagement) */
    async function publishedVideo(opts: { durationSec?: number; visibility?: string; title?: string; token?: string } = {}): Promise<string> {
      const token = opts.token ?? owner.token;
      const res = await p.app.inject({ method: 'POST', url: '/api/videos', headers: bearer(token), payload: { title: opts.title ?? 'v', visibility: opts.visibility ?? 'public' } });
      const id = res.json().video.id as string;
      if (opts.durationSec) await p.tp.platform.videos.setMediaInfo(id, { durationSec: opts.durationSec, width: 640, height: 360 });
      await p.tp.platform.videos.markReady(id, null);
      return id;
    }

    const view = (id: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
      p.app.inject({ method: 'POST', url: `/api/videos/${id}/views`, payload, headers: { 'user-agent': DESKTOP, ...headers } });
    const stats = async (id: string, token?: string) => (await p.app.inject({ url: `/api/videos/${id}/stats`, headers: token ? bearer(token) : {} })).json();

    it('counts a playback once it passes the minimum watch time, once per viewer per hour', async () => {
      const id = await publishedVideo({ durationSec: 600 });
      const start = await view(id, { viewerId: 'viewer-aaaa', event: 'start', watchSeconds: 0 });
      expect(start.statusCode).toBe(200);
      expect(start.json()).toEqual({ counted: false, minWatchSeconds: 10 });
      expect((await view(id, { viewerId: 'viewer-aaaa', watchSeconds: 9.5 })).json().counted).toBe(false);
      expect((await stats(id)).views).toBe(0);

      expect((await view(id, { viewerId: 'viewer-aaaa', watchSeconds: 10 })).json().counted).toBe(true);
      // more heartbeats, a replay in the same hour: the same viewer
      expect((await view(id, { viewerId: 'viewer-aaaa', watchSeconds: 20 })).json().counted).toBe(false);
      expect((await view(id, { viewerId: 'viewer-aaaa', event: 'end', watchSeconds: 300 })).json().counted).toBe(false);
      expect((await stats(id)).views).toBe(1);

      // another anonymous id, the same id from another IP, and a client with no id at all (IP + user agent)
      expect((await view(id, { viewerId: 'viewer-bbbb', watchSeconds: 11 })).json().counted).toBe(true);
      expect((await view(id, { viewerId: 'viewer-aaaa', watchSeconds: 11 }, { 'x-forwarded-for': '203.0.113.9' })).json().counted).toBe(true);
      expect((await view(id, { watchSeconds: 11 }, { 'x-forwarded-for': '203.0.113.10' })).json().counted).toBe(true);
      expect((await view(id, { watchSeconds: 30 }, { 'x-forwarded-for': '203.0.113.10' })).json().counted).toBe(false);
      // the cookie is an alternative to the body field
      expect((await view(id, { watchSeconds: 12 }, { cookie: 'reel_viewer=viewer-bbbb' })).json().counted).toBe(false);

      // a signed-in account is one viewer whatever its anonymous id
      const u = await registerUser(p.app);
      expect((await view(id, { viewerId: 'viewer-cccc', watchSeconds: 15 }, bearer(u.token))).json().counted).toBe(true);
      expect((await view(id, { viewerId: 'viewer-dddd', watchSeconds: 15 }, bearer(u.token))).json().counted).toBe(false);
      expect((await stats(id)).views).toBe(5);
      // the count is also on the video itself, in every listing
      expect((await p.app.inject({ url: `/api/videos/${id}` })).json().viewCount).toBe(5);
      expect((await p.app.inject({ url: '/api/videos?limit=100' })).json().items.find((v: any) => v.id === id).viewCount).toBe(5);
    });

    it('short videos count after 30% of their duration', async () => {
      const id = await publishedVideo({ durationSec: 20 });
      const r = await view(id, { viewerId: 'short-viewer-1', watchSeconds: 5.9 });
      expect(r.json()).toEqual({ counted: false, minWatchSeconds: 6 });
      expect((await view(id, { viewerId: 'short-viewer-1', watchSeconds: 6 })).json().counted).toBe(true);
    });

    it('after an hour the same viewer counts again (clock hours, server time)', async () => {
      const id = await publishedVideo({ durationSec: 600 });
      const base = Math.floor(Date.now() / HOUR_MS) * HOUR_MS + 60_000; // one minute into an hour
      let t = base;
      const { database, videos } = p.tp.platform;
      const svc = new ViewsService(new ViewStore(database.db, database.dialect), videos, { now: () => t, lingerMs: 1 });
      const ctx = { user: null, anonId: 'hourly-viewer', ip: '198.51.100.7', userAgent: DESKTOP };
      expect((await svc.report(id, ctx, { event: 'heartbeat', watchSeconds: 12 })).counted).toBe(true);
      t = base + 58 * 60_000; // same hour
      expect((await svc.report(id, ctx, { event: 'heartbeat', watchSeconds: 12 })).counted).toBe(false);
      t = base + HOUR_MS; // the next hour
      expect((await svc.report(id, ctx, { event: 'heartbeat', watchSeconds: 12 })).counted).toBe(true);
      t = base + HOUR_MS + 1000;
      expect((await svc.report(id, ctx, { event: 'heartbeat', watchSeconds: 40 })).counted).toBe(false);
      // below the minimum, never
      t = base + 2 * HOUR_MS;
      expect((await svc.report(id, ctx, { event: 'heartbeat', watchSeconds: 3 })).counted).toBe(false);
      await svc.close();
      expect((await stats(id)).views).toBe(2);
      // a second process (another service on the same database) does not count the same viewer again
      const other = new ViewsService(new ViewStore(database.db, database.dialect), videos, { now: () => base + HOUR_MS + 5000, lingerMs: 1 });
      expect((await other.report(id, ctx, { event: 'heartbeat', watchSeconds: 12 })).counted).toBe(false);
      await other.close();
    });

    it('a batch mixing viewers another process already counted with new ones counts only the new ones', async () => {
      const id = await publishedVideo({ durationSec: 600 });
      const { database, videos } = p.tp.platform;
      const ctx = (i: number) => ({ user: null, anonId: `mixed-viewer-${i}`, ip: '198.51.100.8', userAgent: DESKTOP });
      const beat = (svc: ViewsService, i: number) => svc.report(id, ctx(i), { event: 'heartbeat', watchSeconds: 12 });
      const first = new ViewsService(new ViewStore(database.db, database.dialect), videos, { lingerMs: 1 });
      expect((await Promise.all([0, 1, 2].map((i) => beat(first, i)))).map((r) => r.counted)).toEqual([true, true, true]);
      await first.close();
      // another process knows nothing of viewers 0-2; its reports gather into one batch
      const second = new ViewsService(new ViewStore(database.db, database.dialect), videos, { lingerMs: 50 });
      expect((await Promise.all([0, 1, 2, 3, 4, 5].map((i) => beat(second, i)))).map((r) => r.counted)).toEqual([false, false, false, true, true, true]);
      // and it goes on counting exactly
      expect((await beat(second, 6)).counted).toBe(true);
      expect((await beat(second, 6)).counted).toBe(false);
      expect((await beat(second, 0)).counted).toBe(false);
      await second.close();
      expect((await stats(id)).views).toBe(7);
      const recount = await p.app.inject({ method: 'POST', url: `/api/videos/${id}/views/recount`, headers: bearer(owner.token) });
      expect(recount.json()).toEqual({ before: 7, after: 7 });
    });

    it('500 simultaneous views of one video by distinct viewers (plus repeats) give the exact count', async () => {
      const id = await publishedVideo({ durationSec: 600 });
      const n = 500;
      const posts = Array.from({ length: n }, (_, i) => view(id, { viewerId: `crowd-${String(i).padStart(5, '0')}`, watchSeconds: 12 }));
      // the first 100 viewers report twice at the same time: still one view each
      const repeats = Array.from({ length: 100 }, (_, i) => view(id, { viewerId: `crowd-${String(i).padStart(5, '0')}`, watchSeconds: 13 }));
      const results = await Promise.all([...posts, ...repeats]);
      expect(results.every((r) => r.statusCode === 200)).toBe(true);
      expect(results.filter((r) => r.json().counted).length).toBe(n);
      expect((await stats(id)).views).toBe(n);
      const recount = await p.app.inject({ method: 'POST', url: `/api/videos/${id}/views/recount`, headers: bearer(owner.token) });
      expect(recount.json()).toEqual({ before: n, after: n });
      expect((await stats(id)).views).toBe(n);
      expect((await p.app.inject({ url: `/api/videos/${id}` })).json().viewCount).toBe(n);
    });

    it('creator analytics by hour, country and device; owner only', async () => {
      const id = await publishedVideo({ durationSec: 600 });
      await view(id, { viewerId: 'analytics-1', watchSeconds: 12 }, { 'cf-ipcountry': 'FR', 'user-agent': IPHONE });
      await view(id, { viewerId: 'analytics-2', watchSeconds: 12 }, { 'cf-ipcountry': 'fr', 'user-agent': DESKTOP });
      await view(id, { viewerId: 'analytics-3', watchSeconds: 12 }, { 'x-country': 'JP', 'user-agent': IPHONE });
      await view(id, { viewerId: 'analytics-4', watchSeconds: 12 }, { 'user-agent': DESKTOP });
      await view(id, { viewerId: 'analytics-5', watchSeconds: 2 }, { 'cf-ipcountry': 'DE' }); // not a view

      const res = await p.app.inject({ url: `/api/videos/${id}/analytics`, headers: bearer(owner.token) });
      expect(res.statusCode).toBe(200);
      const a = res.json();
      expect(a.totalViews).toBe(4);
      expect(a.hours).toHaveLength(1);
      expect(a.hours[0]).toEqual({ hour: new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS).toISOString(), views: 4 });
      expect(a.countries).toEqual([
        { country: 'FR', views: 2 },
        { country: 'JP', views: 1 },
        { country: 'ZZ', views: 1 },
      ]);
      expect(a.devices).toEqual(expect.arrayContaining([{ device: 'mobile', views: 2 }, { device: 'desktop', views: 2 }]));
      expect(Date.parse(a.to) - Date.parse(a.from)).toBe(30 * 24 * HOUR_MS);

      const other = await registerUser(p.app);
      expect((await p.app.inject({ url: `/api/videos/${id}/analytics`, headers: bearer(other.token) })).statusCode).toBe(403);
      expect((await p.app.inject({ url: `/api/videos/${id}/analytics` })).statusCode).toBe(401);
      expect((await p.app.inject({ method: 'POST', url: `/api/videos/${id}/views/recount`, headers: bearer(other.token) })).statusCode).toBe(403);
      expect((await p.app.inject({ url: `/api/videos/${id}/analytics?days=0`, headers: bearer(owner.token) })).statusCode).toBe(400);
    });

    it('rejects bad reports with clear errors and hides videos the viewer cannot see', async () => {
      const id = await publishedVideo();
      for (const payload of [{}, { watchSeconds: -1 }, { watchSeconds: 'ten' }, { watchSeconds: 12, viewerId: 'x' }, { watchSeconds: 12, viewerId: '<script>alert(1)</script>' }, { watchSeconds: 12, event: 'pause' }]) {
        const r = await view(id, payload);
        expect(r.statusCode).toBe(400);
        expect(r.json().error.code).toBe('invalid_request');
      }
      expect((await view('00000000-0000-4000-8000-000000000000', { watchSeconds: 12 })).statusCode).toBe(404);
      expect((await view('not-a-uuid', { watchSeconds: 12 })).statusCode).toBe(400);
      const priv = await publishedVideo({ visibility: 'private' });
      expect((await view(priv, { viewerId: 'private-viewer', watchSeconds: 12 })).statusCode).toBe(404);
      expect((await p.app.inject({ url: `/api/videos/${priv}/stats` })).statusCode).toBe(404);
      // the owner's own unfinished upload cannot be watched yet
      const draft = (await p.app.inject({ method: 'POST', url: '/api/videos', headers: bearer(owner.token), payload: { title: 'draft' } })).json().video.id;
      const r = await view(draft, { watchSeconds: 12 }, bearer(owner.token));
      expect(r.statusCode).toBe(409);
      expect(r.json().error.code).toBe('not_playable');
    });

    it('heartbeats of a signed-in viewer keep the resume position and the watch history, which can be cleared', async () => {
      const a = await publishedVideo({ durationSec: 300, title: 'first' });
      const b = await publishedVideo({ durationSec: 300, title: 'second' });
      const u = await registerUser(p.app);
      await view(a, { event: 'start', watchSeconds: 0, positionSec: 0 }, bearer(u.token));
      await view(a, { watchSeconds: 30, positionSec: 42.5 }, bearer(u.token));
      await view(b, { watchSeconds: 5, positionSec: 5 }, bearer(u.token));
      expect((await stats(a, u.token)).resumePositionSec).toBe(42.5);
      expect((await stats(b, u.token)).resumePositionSec).toBe(5);
      expect((await stats(a)).resumePositionSec).toBeNull();

      const hist = (await p.app.inject({ url: '/api/me/history', headers: bearer(u.token) })).json();
      expect(hist.items.map((i: any) => i.video.title)).toEqual(['second', 'first']);
      expect(hist.items[1]).toMatchObject({ positionSec: 42.5, watchedSec: 30 });
      const page1 = (await p.app.inject({ url: '/api/me/history?limit=1', headers: bearer(u.token) })).json();
      expect(page1.items.map((i: any) => i.video.title)).toEqual(['second']);
      const page2 = (await p.app.inject({ url: `/api/me/history?limit=1&before=${page1.next}`, headers: bearer(u.token) })).json();
      expect(page2.items.map((i: any) => i.video.title)).toEqual(['first']);

      expect((await p.app.inject({ method: 'DELETE', url: `/api/me/history?videoId=${b}`, headers: bearer(u.token) })).statusCode).toBe(204);
      expect((await p.app.inject({ url: '/api/me/history', headers: bearer(u.token) })).json().items).toHaveLength(1);
      expect((await p.app.inject({ method: 'DELETE', url: '/api/me/history', headers: bearer(u.token) })).statusCode).toBe(204);
      expect((await p.app.inject({ url: '/api/me/history', headers: bearer(u.token) })).json().items).toHaveLength(0);
      expect((await stats(a, u.token)).resumePositionSec).toBeNull();
      expect((await p.app.inject({ url: '/api/me/history' })).statusCode).toBe(401);
      expect((await p.app.inject({ method: 'DELETE', url: '/api/me/history?videoId=nope', headers: bearer(u.token) })).statusCode).toBe(400);
    });

    it('likes and dislikes: one per account, changeable and removable, counted on the video', async () => {
      const id = await publishedVideo();
      const [u1, u2, u3] = [await registerUser(p.app), await registerUser(p.app), await registerUser(p.app)];
      const rate = (token: string, rating: unknown) => p.app.inject({ method: 'PUT', url: `/api/videos/${id}/rating`, headers: bearer(token), payload: { rating } });
      expect((await rate(u1.token, 'like')).json()).toEqual({ likes: 1, dislikes: 0, myRating: 'like' });
      expect((await rate(u1.token, 'like')).json()).toEqual({ likes: 1, dislikes: 0, myRating: 'like' });
      await rate(u2.token, 'like');
      expect((await rate(u3.token, 'dislike')).json()).toEqual({ likes: 2, dislikes: 1, myRating: 'dislike' });
      expect((await rate(u1.token, 'dislike')).json()).toEqual({ likes: 1, dislikes: 2, myRating: 'dislike' });
      expect((await rate(u2.token, null)).json()).toEqual({ likes: 0, dislikes: 2, myRating: null });
      expect(await stats(id, u3.token)).toMatchObject({ likes: 0, dislikes: 2, myRating: 'dislike' });
      expect(await stats(id)).toMatchObject({ likes: 0, dislikes: 2, myRating: null });

      expect((await rate(u1.token, 'love')).statusCode).toBe(400);
      expect((await p.app.inject({ method: 'PUT', url: `/api/videos/${id}/rating`, payload: { rating: 'like' } })).statusCode).toBe(401);
      const priv = await publishedVideo({ visibility: 'private' });
      expect((await p.app.inject({ method: 'PUT', url: `/api/videos/${priv}/rating`, headers: bearer(u1.token), payload: { rating: 'like' } })).statusCode).toBe(404);
    });

    it('every engagement endpoint is in the OpenAPI document', async () => {
      const doc = (await p.app.inject({ url: '/api/openapi.json' })).json();
      for (const path of ['/api/videos/{id}/views', '/api/videos/{id}/stats', '/api/videos/{id}/analytics', '/api/videos/{id}/views/recount', '/api/videos/{id}/rating', '/api/me/history', '/api/videos/{id}/comments', '/api/comments/{id}/moderation', '/api/channels/{channelId}/subscription', '/api/me/feed', '/api/me/notifications', '/api/playlists/{id}/items/{videoId}', '/api/me/watch-later']) {
        expect(doc.paths[path], path).toBeDefined();
      }
      expect(doc.paths['/api/videos/{id}/views'].post.requestBody.content['application/json'].schema.properties.watchSeconds).toBeDefined();
    });

    it('HTML in titles comes back as the same inert text in JSON', async () => {
      const title = '<script>alert("x")</script><img src=x onerror=alert(1)>';
      const id = await publishedVideo({ title });
      const res = await p.app.inject({ url: `/api/videos/${id}` });
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      // stored and returned as text, byte for byte; JSON is never rendered as HTML by a browser
      expect(res.json().title).toBe(title);
      expect((await p.app.inject({ url: `/api/videos?limit=100` })).json().items.find((v: any) => v.id === id).title).toBe(title);
    });
  });
}
