/**
 * The co-watch table (src/discovery/cowatch.ts) on SQLite and PostgreSQL: built from view_events, refreshed
 * incrementally past a watermark (no double counting, also with two refreshes at once), a commit lag, the bulk
 * rebuild agreeing with the increments, pruning to the best of each list, and the eligibility gate keeping
 * private, unlisted, taken-down and deleted videos out of recommendations although their pairs are in the table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbKinds, registerUser, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { CowatchTable } from '../../src/discovery/cowatch.js';
import { viewerKey } from '../../src/core/view-rules.js';
import { CandidateQueries } from '../../src/discovery/candidates.js';
import { auth, publish, watch } from './catalogue.js';

for (const db of dbKinds()) {
  describe(`co-watch table on ${db}`, () => {
    let tp: TestPlatform;
    let creator: { token: string };
    let n = 0;
    const viewer = () => `cw-${db}-${++n}-abcdef`;
    beforeAll(async () => {
      tp = await startTestPlatform({ db, env: { DISCOVERY_CACHE_SECONDS: '0', RECOMMEND_BUDGET_MS: '5000' } });
      creator = await registerUser(tp.platform.app);
    });
    afterAll(async () => tp?.close());

    const table = () => tp.platform.discovery.cowatch;
    const scores = async (id: string) => Object.fromEntries((await table().listOf(id)).map((r) => [r.otherId, r.score]));

    it('is built from view events and refreshed incrementally, each pair counted once', async () => {
      const [a, b, c] = [await publish(tp, creator.token, { title: 'Cowatch A' }), await publish(tp, creator.token, { title: 'Cowatch B' }), await publish(tp, creator.token, { title: 'Cowatch C' })];
      const abViewers: string[] = [];
      for (let i = 0; i < 3; i++) {
        const v = viewer();
        abViewers.push(v);
        await watch(tp, a, v);
        await watch(tp, b, v);
      }
      // within the commit lag nothing is taken yet; then the events are
      const before = await table().watermark();
      expect((await table().refresh({ lagMs: 60_000 })).events).toBe(0);
      const r = await table().refresh({ lagMs: 0 });
      expect(r.caughtUp).toBe(true);
      expect(r.watermark).toBeGreaterThan(before);
      expect(await scores(a)).toEqual({ [b]: 3 });
      expect(await scores(b)).toEqual({ [a]: 3 });
      // nothing new: nothing changes
      expect((await table().refresh({ lagMs: 0 })).events).toBe(0);
      expect(await scores(a)).toEqual({ [b]: 3 });
      // a new view is counted once, also when two refreshes run at the same time
      const v = viewer();
      await watch(tp, a, v);
      await watch(tp, c, v);
      const other = new CowatchTable(tp.platform.database.db);
      await Promise.all([table().refresh({ lagMs: 0 }), other.refresh({ lagMs: 0 })]);
      expect(await scores(a)).toEqual({ [b]: 3, [c]: 1 });
      expect(await scores(c)).toEqual({ [a]: 1 });
      // the bulk rebuild finds the same lists
      const rebuilt = new CowatchTable(tp.platform.database.db);
      await rebuilt.rebuild({ lagMs: 0 });
      expect(await scores(a)).toEqual({ [b]: 3, [c]: 1 });
      expect(await scores(b)).toEqual({ [a]: 3 });
      // what a recommendation reads: co-watch summed over the seeds, the seeds themselves left out (seed a alone; seed
      // a with the recent watches of a viewer who also watched b)
      const cowatchOf = async (videoId: string, viewerId: string | null) =>
        (
          await new CandidateQueries(tp.platform.database.reader).candidateLists({
            viewerKey: viewerId ? viewerKey({ anonId: viewerId, ip: '127.0.0.1' }) : null,
            userId: null,
            videoId,
            historyLimit: 30,
            seeds: 5,
            cowatchLimit: 10,
            channelLimit: 0,
          })
        ).cowatch;
      expect(await cowatchOf(a, null)).toEqual(new Map([[b, 3], [c, 1]]));
      expect(await cowatchOf(a, abViewers[0])).toEqual(new Map([[c, 1]]));
    });

    it('prunes each list to its best entries', async () => {
      const seed = await publish(tp, creator.token, { title: 'Prune seed' });
      const others = [];
      for (let i = 0; i < 4; i++) others.push(await publish(tp, creator.token, { title: `Prune other ${i}` }));
      // others[i] is co-watched with the seed by 4 - i viewers
      for (let i = 0; i < 4; i++) {
        for (let k = 0; k < 4 - i; k++) {
          const v = viewer();
          await watch(tp, seed, v);
          await watch(tp, others[i], v);
        }
      }
      const small = new CowatchTable(tp.platform.database.db, { keep: 2, pruneAbove: 3 });
      await small.refresh({ lagMs: 0 });
      expect(await scores(seed)).toEqual({ [others[0]]: 4, [others[1]]: 3 });
      await small.rebuild({ lagMs: 0 });
      expect(await scores(seed)).toEqual({ [others[0]]: 4, [others[1]]: 3 });
      await table().rebuild({ lagMs: 0 });
      expect(Object.keys(await scores(seed))).toHaveLength(4);
    });

    it('keeps pairs of hidden videos out of recommendations (the eligibility gate)', async () => {
      const seed = await publish(tp, creator.token, { title: 'Gate seed' });
      const ok = await publish(tp, creator.token, { title: 'Gate fine' });
      const priv = await publish(tp, creator.token, { title: 'Gate private' });
      const unl = await publish(tp, creator.token, { title: 'Gate unlisted' });
      const removed = await publish(tp, creator.token, { title: 'Gate taken down' });
      const gone = await publish(tp, creator.token, { title: 'Gate deleted' });
      for (let i = 0; i < 3; i++) {
        const v = viewer();
        for (const id of [seed, ok, priv, unl, removed, gone]) await watch(tp, id, v);
      }
      await table().refresh({ lagMs: 0 });
      const patch = (id: string, body: object) => tp.platform.app.inject({ method: 'PATCH', url: `/api/videos/${id}`, headers: auth(creator.token), payload: body });
      await patch(priv, { visibility: 'private' });
      await patch(unl, { visibility: 'unlisted' });
      await tp.platform.videos.setModeration(removed, { status: 'removed', reason: 'test takedown' });
      await tp.platform.app.inject({ method: 'DELETE', url: `/api/videos/${gone}`, headers: auth(creator.token) });
      // the table still has them (it holds ids only) ...
      expect(Object.keys(await scores(seed))).toEqual(expect.arrayContaining([ok, priv, unl, removed]));
      // ... recommendations never do
      const me = viewer();
      await watch(tp, seed, me);
      await table().refresh({ lagMs: 0 });
      for (const url of [`/api/videos/${seed}/up-next?limit=50`, `/api/feed/home?viewerId=${me}&limit=50`]) {
        const res = await tp.platform.app.inject({ url });
        expect(res.statusCode).toBe(200);
        const items = res.json().items as Array<{ video: { id: string }; reasons: Array<{ source: string }> }>;
        const ids = items.map((i) => i.video.id);
        expect(ids[0]).toBe(ok);
        expect(items[0].reasons.map((x) => x.source)).toContain('cowatch');
        for (const bad of [priv, unl, removed, gone]) expect(ids).not.toContain(bad);
      }
    });
  });
}
