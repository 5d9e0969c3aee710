/**
 * Recommendations, "up next" and trending through the HTTP API on SQLite and PostgreSQL: co-watch candidates (from
 * the co-watch table, refreshed here as the background job would)
 * with explained scores, exclusion of watched videos (also long ago), never a private/unlisted/unpublished/deleted video, a
 * per-channel cap, subscriptions, anonymous viewers, the popular fallback, trending order and bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbKinds, registerUser, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { auth, publish, watch } from './catalogue.js';

type Rec = { items: Array<{ video: { id: string; visibility: string; status: string; channel: { id: string } }; score: number; reasons: Array<{ source: string; contribution: number }> }>; degraded: string[]; fallback: boolean };

for (const db of dbKinds()) {
  describe(`recommendations API on ${db}`, () => {
    let tp: TestPlatform;
    let creator: { token: string; handle: string };
    let n = 0;
    const viewer = () => `viewer-${db}-${++n}-abcdef`;
    beforeAll(async () => {
      tp = await startTestPlatform({ db, env: { DISCOVERY_CACHE_SECONDS: '0', RECOMMEND_BUDGET_MS: '5000' } });
      creator = await registerUser(tp.platform.app);
    });
    afterAll(async () => tp?.close());

    const get = async (url: string, token?: string): Promise<Rec> => {
      const res = await tp.platform.app.inject({ url, headers: token ? auth(token) : {} });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const ids = (r: Rec) => r.items.map((i) => i.video.id);
    // what the background job does every 30 s: the views so far into the co-watch table
    const refreshCowatch = () => tp.platform.discovery.cowatch.refresh({ lagMs: 0 });

    it('recommends what viewers of the same videos watched, explains why, and leaves out what was watched', async () => {
      const a = await publish(tp, creator.token, { title: 'Volcano documentary part one', tags: ['volcano'] });
      const b = await publish(tp, creator.token, { title: 'Glacier timelapse', tags: ['ice'] });
      const c = await publish(tp, creator.token, { title: 'Street food tour', tags: ['food'] });
      for (let i = 0; i < 4; i++) {
        const v = viewer();
        await watch(tp, a, v);
        await watch(tp, b, v);
      }
      const me = viewer();
      await watch(tp, a, me);
      await refreshCowatch();
      const home = await get(`/api/feed/home?viewerId=${me}&limit=10`);
      expect(ids(home)).not.toContain(a);
      expect(ids(home)[0]).toBe(b);
      expect(home.items[0].reasons.map((r) => r.source)).toContain('cowatch');
      const sum = home.items[0].reasons.reduce((s, r) => s + r.contribution, 0);
      expect(Math.abs(sum - home.items[0].score)).toBeLessThan(0.001);
      expect(ids(home)).toContain(c);
      expect(home.degraded).toEqual([]);

      const next = await get(`/api/videos/${a}/up-next?viewerId=${viewer()}`);
      expect(ids(next)[0]).toBe(b);
      expect(ids(next)).not.toContain(a);
    });

    it('never returns private, unlisted, unpublished, taken-down, deleted or already-watched videos', async () => {
      const seed = await publish(tp, creator.token, { title: 'Chess opening traps', tags: ['chess'] });
      const priv = await publish(tp, creator.token, { title: 'Chess private lesson', tags: ['chess'] });
      const unl = await publish(tp, creator.token, { title: 'Chess unlisted game', tags: ['chess'] });
      const gone = await publish(tp, creator.token, { title: 'Chess endgame study', tags: ['chess'] });
      const hidden = await publish(tp, creator.token, { title: 'Chess blitz', tags: ['chess'] });
      await publish(tp, creator.token, { title: 'Chess processing', tags: ['chess'], unpublished: true });
      const seen = await publish(tp, creator.token, { title: 'Chess puzzles', tags: ['chess'] });
      const removed = await publish(tp, creator.token, { title: 'Chess taken down', tags: ['chess'] });
      const fans = [viewer(), viewer(), viewer()];
      for (const v of fans) for (const id of [seed, gone, hidden, seen, removed]) await watch(tp, id, v);
      await tp.platform.videos.setModeration(removed, { status: 'removed', reason: 'test takedown' });
      const patch = (id: string, body: object) => tp.platform.app.inject({ method: 'PATCH', url: `/api/videos/${id}`, headers: auth(creator.token), payload: body });
      await patch(priv, { visibility: 'private' });
      await patch(unl, { visibility: 'unlisted' });
      await patch(hidden, { visibility: 'private' }); // co-watched, then hidden
      await tp.platform.app.inject({ method: 'DELETE', url: `/api/videos/${gone}`, headers: auth(creator.token) });
      const me = viewer();
      await watch(tp, seed, me);
      await watch(tp, seen, me);
      await refreshCowatch();
      for (const url of [`/api/feed/home?viewerId=${me}&limit=50`, `/api/videos/${seed}/up-next?viewerId=${me}&limit=50`]) {
        const r = await get(url);
        expect(r.items.length).toBeGreaterThan(0);
        for (const item of r.items) {
          expect(item.video.visibility).toBe('public');
          expect(item.video.status).toBe('ready');
        }
        for (const bad of [priv, unl, gone, hidden, seen, removed]) expect(ids(r), url).not.toContain(bad);
        if (url.includes('feed')) expect(ids(r)).not.toContain(seed);
      }
      // the owner of the private video does not get it recommended either
      expect(ids(await get(`/api/feed/home?limit=50`, creator.token))).not.toContain(priv);
    });

    it('leaves out a video watched long ago, behind many newer watches', async () => {
      const other = await registerUser(tp.platform.app);
      const seed = await publish(tp, creator.token, { title: 'Long history seed' });
      const old = await publish(tp, creator.token, { title: 'Long history first watch' });
      for (let i = 0; i < 3; i++) {
        const v = viewer();
        await watch(tp, seed, v);
        await watch(tp, old, v);
      }
      const me = viewer();
      await watch(tp, old, me);
      // more watches since than the recommender reads per request
      for (let i = 0; i < 35; i++) await watch(tp, await publish(tp, other.token, { title: `Long history filler ${i}` }), me);
      await refreshCowatch();
      // co-watched with the seed, so a candidate for anyone ...
      expect(ids(await get(`/api/videos/${seed}/up-next?viewerId=${viewer()}&limit=50`))).toContain(old);
      // ... but not for the viewer who watched it
      expect(ids(await get(`/api/videos/${seed}/up-next?viewerId=${me}&limit=50`))).not.toContain(old);
    });

    it('caps videos per channel so one channel cannot fill the list', async () => {
      const big = await registerUser(tp.platform.app);
      const small = await registerUser(tp.platform.app);
      const seed = await publish(tp, creator.token, { title: 'Diversity seed' });
      const bigIds: string[] = [];
      for (let i = 0; i < 8; i++) bigIds.push(await publish(tp, big.token, { title: `Big channel ${i}` }));
      const smallIds = [await publish(tp, small.token, { title: 'Small one' }), await publish(tp, small.token, { title: 'Small two' })];
      for (let i = 0; i < 3; i++) {
        const v = viewer();
        await watch(tp, seed, v);
        for (const id of [...bigIds, ...(i === 0 ? smallIds : [])]) await watch(tp, id, v);
      }
      await refreshCowatch();
      const r = await get(`/api/videos/${seed}/up-next?viewerId=${viewer()}&limit=8`);
      expect(r.items).toHaveLength(8);
      // by score alone the big channel's 8 videos (3 co-viewers each) would fill the list; the cap (2 per channel
      // for 8 places) lets the small channel in, and the big one only fills places nobody else can
      const first6 = r.items.slice(0, 6).filter((i) => bigIds.includes(i.video.id)).length;
      expect(first6).toBeLessThanOrEqual(2);
      for (const id of smallIds) expect(ids(r)).toContain(id);
      const perChannel = new Map<string, number>();
      for (const i of r.items) perChannel.set(i.video.channel.id, (perChannel.get(i.video.channel.id) ?? 0) + 1);
      expect(Math.max(...perChannel.values())).toBeLessThan(8);
    });

    it('puts new videos of subscribed channels in a signed-in home feed', async () => {
      const channelOwner = await registerUser(tp.platform.app);
      const fan = await registerUser(tp.platform.app);
      const video = await publish(tp, channelOwner.token, { title: 'Subscribed channel upload' });
      const channelId = (await tp.platform.app.inject({ url: `/api/videos/${video}` })).json().channel.id;
      expect((await tp.platform.app.inject({ method: 'PUT', url: `/api/channels/${channelId}/subscription`, headers: auth(fan.token) })).statusCode).toBe(200);
      const r = await get('/api/feed/home?limit=50', fan.token);
      const item = r.items.find((i) => i.video.id === video);
      expect(item?.reasons.map((x) => x.source)).toContain('subscribed');
    });

    it('keeps a video the account only opened in its home feed, and leaves it out once watched', async () => {
      const owner = await registerUser(tp.platform.app);
      const fan = await registerUser(tp.platform.app);
      const video = await publish(tp, owner.token, { title: 'Opened but not watched', durationSec: 120 });
      const channelId = (await tp.platform.app.inject({ url: `/api/videos/${video}` })).json().channel.id;
      expect((await tp.platform.app.inject({ method: 'PUT', url: `/api/channels/${channelId}/subscription`, headers: auth(fan.token) })).statusCode).toBe(200);
      const report = async (watchSeconds: number) => {
        const res = await tp.platform.app.inject({ method: 'POST', url: `/api/videos/${video}/views`, headers: auth(fan.token), payload: { event: 'heartbeat', watchSeconds, positionSec: watchSeconds } });
        expect(res.statusCode, res.body).toBe(200);
      };
      // two seconds in, then away: a resume position, no view, still recommended
      await report(2);
      expect(ids(await get('/api/feed/home?limit=50', fan.token))).toContain(video);
      // watched past the minimum watch time: left out
      await report(15);
      expect(ids(await get('/api/feed/home?limit=50', fan.token))).not.toContain(video);
    });

    it('serves anonymous viewers with no history', async () => {
      for (let i = 0; i < 5; i++) await publish(tp, creator.token, { title: `Anonymous pick ${i}` });
      const r = await get('/api/feed/home?limit=5');
      expect(r.items.length).toBe(5);
      expect(r.degraded).toEqual([]);
      for (const i of r.items) expect(i.video.visibility).toBe('public');
    });

    it('drops failing or slow candidate sources and falls back to popular within the budget', async () => {
      for (let i = 0; i < 5; i++) await publish(tp, creator.token, { title: `Fallback pick ${i}` });
      const rec = tp.platform.discovery.recommendations as any;
      const queries = rec.queries;
      const saved = { budget: rec.opts.budgetMs, candidateLists: queries.candidateLists, hourlyViews: queries.hourlyViews };
      const fail = async () => {
        throw new Error('injected failure');
      };
      const slow = () => new Promise<never>((_, reject) => setTimeout(() => reject(new Error('too late')), 400));
      Object.assign(queries, { candidateLists: fail, hourlyViews: slow });
      rec.opts.budgetMs = 100;
      try {
        const started = Date.now();
        const r = await get(`/api/feed/home?viewerId=${viewer()}&limit=5`);
        expect(Date.now() - started).toBeLessThan(390);
        expect(r.degraded).toEqual(expect.arrayContaining(['history', 'cowatch', 'trending']));
        expect(r.fallback).toBe(true);
        expect(r.items.length).toBe(5);
        for (const i of r.items) expect(i.video.visibility).toBe('public');
      } finally {
        await new Promise((r) => setTimeout(r, 500)); // let the slow query settle before restoring
        Object.assign(queries, { candidateLists: saved.candidateLists, hourlyViews: saved.hourlyViews });
        rec.opts.budgetMs = saved.budget;
      }
    });

    it('ranks trending by recent views, public videos only', async () => {
      const hot = await publish(tp, creator.token, { title: 'Trending hot' });
      const warm = await publish(tp, creator.token, { title: 'Trending warm' });
      const secret = await publish(tp, creator.token, { title: 'Trending secret' });
      for (let i = 0; i < 30; i++) await watch(tp, hot, viewer());
      for (let i = 0; i < 15; i++) await watch(tp, warm, viewer());
      for (let i = 0; i < 40; i++) await watch(tp, secret, viewer());
      await tp.platform.app.inject({ method: 'PATCH', url: `/api/videos/${secret}`, headers: auth(creator.token), payload: { visibility: 'unlisted' } });
      const res = await tp.platform.app.inject({ url: '/api/trending?limit=3' });
      expect(res.statusCode).toBe(200);
      const items = res.json().items as Array<{ video: { id: string }; score: number }>;
      expect(items.map((i) => i.video.id).slice(0, 2)).toEqual([hot, warm]);
      expect(items.map((i) => i.video.id)).not.toContain(secret);
      expect(items[0].score).toBeGreaterThan(items[1].score);
    });

    it('answers bad input with 400 and unknown or private videos with 404', async () => {
      for (const url of ['/api/feed/home?limit=0', '/api/feed/home?limit=500', '/api/feed/home?viewerId=x', '/api/videos/not-a-uuid/up-next', '/api/trending?limit=abc'])
        expect((await tp.platform.app.inject({ url })).statusCode, url).toBe(400);
      expect((await tp.platform.app.inject({ url: '/api/videos/00000000-0000-4000-8000-000000000000/up-next' })).statusCode).toBe(404);
      const priv = await publish(tp, creator.token, { title: 'Private seed', visibility: 'private' });
      expect((await tp.platform.app.inject({ url: `/api/videos/${priv}/up-next` })).statusCode).toBe(404);
      expect((await tp.platform.app.inject({ url: `/api/videos/${priv}/up-next`, headers: auth(creator.token) })).statusCode).toBe(200);
    });
  });
}
