/**
 * The precomputed "similar videos" lists (src/discovery/similar.ts) on SQLite and PostgreSQL: computed from titles
 * and tags by the background refresh past a watermark (with a lag), recomputed when a video changes, dropped when
 * it is hidden; a video without a list yet gets its similar videos from the index at request time; and hidden
 * videos in a list never come out of recommendations (the eligibility gate).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbKinds, registerUser, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { auth, publish } from './catalogue.js';

type Rec = { items: Array<{ video: { id: string }; reasons: Array<{ source: string }> }> };

for (const db of dbKinds()) {
  describe(`similar lists on ${db}`, () => {
    let tp: TestPlatform;
    let creator: { token: string };
    beforeAll(async () => {
      tp = await startTestPlatform({ db, env: { DISCOVERY_CACHE_SECONDS: '0', RECOMMEND_BUDGET_MS: '5000' } });
      creator = await registerUser(tp.platform.app);
    });
    afterAll(async () => tp?.close());

    const table = () => tp.platform.discovery.similar;
    const listOf = async (id: string) => (await table().lists([id])).get(id);
    const patch = (id: string, body: object) => tp.platform.app.inject({ method: 'PATCH', url: `/api/videos/${id}`, headers: auth(creator.token), payload: body });
    const upNext = async (id: string): Promise<Rec> => {
      const res = await tp.platform.app.inject({ url: `/api/videos/${id}/up-next?limit=20` });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const similarIds = (r: Rec) => r.items.filter((i) => i.reasons.some((x) => x.source === 'similar')).map((i) => i.video.id);

    it("computes each video's list from titles and tags, and recomputes it when the video changes", async () => {
      const a = await publish(tp, creator.token, { title: 'Sourdough bread starter', tags: ['sourdough', 'baking'] });
      const b = await publish(tp, creator.token, { title: 'Sourdough baking at home', tags: ['sourdough', 'bread'] });
      const c = await publish(tp, creator.token, { title: 'Mountain bike repair', tags: ['bike'] });
      // within the lag nothing is taken yet
      expect((await table().refresh({ lagMs: 60_000 })).computed).toBe(0);
      expect(await listOf(a)).toBeUndefined();
      const r = await table().refresh({ lagMs: 0 });
      expect(r.caughtUp).toBe(true);
      expect([...(await listOf(a))!.keys()]).toEqual([b]);
      expect([...(await listOf(b))!.keys()]).toEqual([a]);
      expect((await listOf(c))!.size).toBe(0);
      // nothing changed: nothing is recomputed
      expect((await table().refresh({ lagMs: 0 })).computed).toBe(0);
      // an edit is picked up by the next refresh
      expect((await patch(c, { title: 'Sourdough bread for cyclists', tags: ['sourdough', 'bike'] })).statusCode).toBe(200);
      await table().refresh({ lagMs: 0 });
      expect([...(await listOf(c))!.keys()].sort()).toEqual([a, b].sort());
      // a hidden video's own list is dropped
      expect((await patch(c, { visibility: 'private' })).statusCode).toBe(200);
      await table().refresh({ lagMs: 0 });
      expect(await listOf(c)).toBeUndefined();
    });

    it('recommends similar videos of a video published since the last refresh, from the index', async () => {
      const seed = await publish(tp, creator.token, { title: 'Volcano eruption footage', tags: ['volcano', 'lava'] });
      const twin = await publish(tp, creator.token, { title: 'Lava flow of a volcano', tags: ['volcano', 'lava'] });
      expect(await listOf(seed)).toBeUndefined();
      expect(similarIds(await upNext(seed))).toContain(twin);
    });

    it('never recommends a hidden video from a list computed before it was hidden', async () => {
      const seed = await publish(tp, creator.token, { title: 'Origami crane folding', tags: ['origami', 'paper'] });
      const ok = await publish(tp, creator.token, { title: 'Origami paper boat', tags: ['origami', 'paper'] });
      const priv = await publish(tp, creator.token, { title: 'Origami paper frog', tags: ['origami', 'paper'] });
      const removed = await publish(tp, creator.token, { title: 'Origami paper star', tags: ['origami', 'paper'] });
      const gone = await publish(tp, creator.token, { title: 'Origami paper box', tags: ['origami', 'paper'] });
      await table().refresh({ lagMs: 0 });
      expect([...(await listOf(seed))!.keys()].sort()).toEqual([ok, priv, removed, gone].sort());
      await patch(priv, { visibility: 'private' });
      await tp.platform.videos.setModeration(removed, { status: 'removed', reason: 'test takedown' });
      await tp.platform.app.inject({ method: 'DELETE', url: `/api/videos/${gone}`, headers: auth(creator.token) });
      // the seed's list still holds them (ids only) ...
      expect([...(await listOf(seed))!.keys()]).toContain(priv);
      // ... its recommendations never do
      const r = await upNext(seed);
      expect(similarIds(r)).toContain(ok);
      for (const bad of [priv, removed, gone]) expect(r.items.map((i) => i.video.id)).not.toContain(bad);
    });
  });
}
