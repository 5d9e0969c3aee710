/**
 * Search and autocomplete through the HTTP API on SQLite and PostgreSQL: ranking order on a hand-made catalogue
 * (text, then views, then freshness), visibility rules, freshness of the index (publish, edit, hide, delete are
 * visible to the very next search), filters, spelling correction, suggestions and bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbKinds, registerUser, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { auth, publish, watch } from './catalogue.js';

for (const db of dbKinds()) {
  describe(`search API on ${db}`, () => {
    let tp: TestPlatform;
    let owner: { token: string; handle: string };
    beforeAll(async () => {
      tp = await startTestPlatform({ db, env: { DISCOVERY_CACHE_SECONDS: '0' } });
      owner = await registerUser(tp.platform.app);
    });
    afterAll(async () => tp?.close());

    const search = async (qs: string) => {
      const res = await tp.platform.app.inject({ url: `/api/search?${qs}` });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { items: Array<{ video: { id: string; title: string }; score: number; parts: Record<string, number> }>; correctedQuery: string | null };
    };
    const ids = async (qs: string) => (await search(qs)).items.map((i) => i.video.id);

    it('ranks by text relevance first, then views, then freshness', async () => {
      const popular = await publish(tp, owner.token, { title: 'Sourdough alpha' });
      const fresh = await publish(tp, owner.token, { title: 'Sourdough bravo' });
      const old = await publish(tp, owner.token, { title: 'Sourdough charl', ageDays: 120 });
      const descOnly = await publish(tp, owner.token, { title: 'Kitchen diary', description: 'we talk about sourdough a little' });
      for (let i = 0; i < 5; i++) await watch(tp, popular, `viewer-pop-${i}`);
      for (let i = 0; i < 20; i++) await watch(tp, descOnly, `viewer-desc-${i}`);
      const r = await search('q=sourdough');
      expect(r.items.map((i) => i.video.id)).toEqual([popular, fresh, old, descOnly]);
      expect(r.items[0].parts.popularity).toBeGreaterThan(0);
      expect(r.items[1].parts.freshness).toBeGreaterThan(r.items[2].parts.freshness);
      expect(r.items[0].parts.text).toBe(1);
      expect(r.items[3].parts.text).toBeLessThan(0.5);
      // other orders on request
      expect((await ids('q=sourdough&sort=views'))[0]).toBe(descOnly);
      expect((await ids('q=sourdough&sort=newest')).at(-1)).toBe(old);
    });

    it('never finds unlisted, private or unpublished videos', async () => {
      const pub = await publish(tp, owner.token, { title: 'Zeppelin public' });
      await publish(tp, owner.token, { title: 'Zeppelin unlisted', visibility: 'unlisted' });
      await publish(tp, owner.token, { title: 'Zeppelin private', visibility: 'private' });
      await publish(tp, owner.token, { title: 'Zeppelin processing', unpublished: true });
      const removed = await publish(tp, owner.token, { title: 'Zeppelin taken down' });
      expect((await ids('q=zeppelin')).sort()).toEqual([pub, removed].sort());
      await tp.platform.videos.setModeration(removed, { status: 'removed', reason: 'test takedown' });
      expect(await ids('q=zeppelin')).toEqual([pub]);
      // even for their owner: search is the public catalogue
      const res = await tp.platform.app.inject({ url: '/api/search?q=zeppelin', headers: auth(owner.token) });
      expect(res.json().items.map((i: any) => i.video.id)).toEqual([pub]);
    });

    it('reflects publish, edit, visibility changes and deletion in the very next search', async () => {
      const id = await publish(tp, owner.token, { title: 'Quokka selfies' });
      expect(await ids('q=quokka')).toEqual([id]); // no wait: indexed by the publish step's call
      const patch = (body: object) => tp.platform.app.inject({ method: 'PATCH', url: `/api/videos/${id}`, headers: auth(owner.token), payload: body });
      expect((await patch({ title: 'Wombat burrows', tags: ['marsupial'] })).statusCode).toBe(200);
      expect(await ids('q=quokka')).toEqual([]);
      expect(await ids('q=wombat')).toEqual([id]);
      expect(await ids('q=marsupial')).toEqual([id]);
      await patch({ visibility: 'private' });
      expect(await ids('q=wombat')).toEqual([]);
      await patch({ visibility: 'public' });
      expect(await ids('q=wombat')).toEqual([id]);
      expect((await tp.platform.app.inject({ method: 'DELETE', url: `/api/videos/${id}`, headers: auth(owner.token) })).statusCode).toBeLessThan(300);
      expect(await ids('q=wombat')).toEqual([]);
    });

    it('finds a video by its channel name and reconciles an index that missed changes', async () => {
      const other = await registerUser(tp.platform.app, `nebula${Date.now() % 100000}`);
      const id = await publish(tp, other.token, { title: 'Episode one' });
      expect(await ids(`q=${other.handle}`)).toContain(id);
      await tp.platform.searchIndex.remove([id]);
      expect(await ids(`q=${other.handle}`)).toEqual([]);
      expect((await tp.platform.indexer.reconcile()).indexed).toBeGreaterThanOrEqual(1);
      expect(await ids(`q=${other.handle}`)).toContain(id);
    });

    it('searches caption text, updated when a track is added or removed', async () => {
      const id = await publish(tp, owner.token, { title: 'Lecture seven' });
      expect(await ids('q=perihelion')).toEqual([]);
      const put = await tp.platform.app.inject({
        method: 'PUT',
        url: `/api/videos/${id}/captions/en`,
        headers: auth(owner.token),
        payload: { label: 'English', content: 'WEBVTT\n\n00:00.000 --> 00:02.000\nThe comet reaches perihelion in March.\n' },
      });
      expect(put.statusCode, put.body).toBe(200);
      expect(await ids('q=perihelion')).toEqual([id]);
      await tp.platform.app.inject({ method: 'DELETE', url: `/api/videos/${id}/captions/en`, headers: auth(owner.token) });
      expect(await ids('q=perihelion')).toEqual([]);
    });

    it('filters by duration, upload date and channel', async () => {
      const other = await registerUser(tp.platform.app);
      const short = await publish(tp, owner.token, { title: 'Origami crane', durationSec: 90 });
      const long = await publish(tp, owner.token, { title: 'Origami masterclass', durationSec: 3600, ageDays: 60 });
      const theirs = await publish(tp, other.token, { title: 'Origami boat', durationSec: 600 });
      expect(await ids('q=origami&duration=short')).toEqual([short]);
      expect(await ids('q=origami&duration=long')).toEqual([long]);
      expect((await ids('q=origami&uploaded=week')).sort()).toEqual([short, theirs].sort());
      const channelId = (await tp.platform.app.inject({ url: `/api/videos/${theirs}` })).json().channel.id;
      expect(await ids(`q=origami&channel=${channelId}`)).toEqual([theirs]);
    });

    it('corrects spelling when nothing matches as typed', async () => {
      const id = await publish(tp, owner.token, { title: 'Hummingbird migration' });
      const r = await search('q=humingbird');
      expect(r.items.map((i) => i.video.id)).toEqual([id]);
      expect(r.correctedQuery).toBe('hummingbird');
    });

    it('suggests popular queries and titles from two characters', async () => {
      await publish(tp, owner.token, { title: 'Kayak rolling technique' });
      await search('q=kayak+rolling');
      let s = (await tp.platform.app.inject({ url: '/api/search/suggestions?q=ka' })).json().suggestions;
      expect(s).toEqual([{ text: 'Kayak rolling technique', kind: 'title', videoId: expect.any(String) }]);
      await search('q=kayak+rolling');
      s = (await tp.platform.app.inject({ url: '/api/search/suggestions?q=kay' })).json().suggestions;
      expect(s.map((x: any) => [x.kind, x.text])).toEqual([
        ['query', 'kayak rolling'],
        ['title', 'Kayak rolling technique'],
      ]);
      // a query that found nothing is not remembered
      await search('q=kayzzz');
      await search('q=kayzzz');
      expect((await tp.platform.app.inject({ url: '/api/search/suggestions?q=kayz' })).json().suggestions).toEqual([]);
    });

    it('answers bad input with 400', async () => {
      for (const url of [
        '/api/search',
        '/api/search?q=',
        `/api/search?q=${'x'.repeat(201)}`,
        '/api/search?q=a&limit=0',
        '/api/search?q=a&limit=1000',
        '/api/search?q=a&offset=-1',
        '/api/search?q=a&duration=forever',
        '/api/search?q=a&uploaded=century',
        '/api/search?q=a&sort=random',
        '/api/search?q=a&channel=not-a-uuid',
        '/api/search/suggestions?q=a',
        '/api/search/suggestions',
      ]) {
        const res = await tp.platform.app.inject({ url });
        expect(res.statusCode, url).toBe(400);
        expect(res.json().error.code, url).toBeTruthy();
      }
    });

    it('documents the discovery endpoints in OpenAPI', async () => {
      const doc = (await tp.platform.app.inject({ url: '/api/openapi.json' })).json();
      for (const p of ['/api/search', '/api/search/suggestions', '/api/feed/home', '/api/videos/{id}/up-next', '/api/trending']) expect(doc.paths[p]?.get, p).toBeTruthy();
    });
  });
}
