/**
 * Channels by handle: GET /api/channels/by-handle/:handle (case-insensitive, with or without @) with subscriber and
 * public video counts, 404 in the standard error shape for an unknown handle; GET /api/channels/:id/videos lists
 * only public, ready videos; the web app answers /@handle. SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, dbKinds, registerUser, startTestPlatform, type TestPlatform } from '../support/platform.js';

for (const db of dbKinds()) {
  describe(`channels by handle on ${db}`, () => {
    let tp: TestPlatform;
    const app = () => tp.platform.app;
    beforeAll(async () => {
      tp = await startTestPlatform({ db });
    });
    afterAll(async () => tp?.close());

    async function video(token: string, title: string, visibility: string, ready = true): Promise<string> {
      const id = (await app().inject({ method: 'POST', url: '/api/videos', headers: bearer(token), payload: { title, visibility } })).json().video.id;
      if (ready) {
        await tp.platform.videos.setMediaInfo(id, { durationSec: 10, width: 640, height: 360 });
        await tp.platform.videos.markReady(id, null);
      }
      return id;
    }

    it('finds a channel by its handle with its counts, and lists its public videos', async () => {
      const owner = await registerUser(app(), 'Grace_Hopper');
      const fan = await registerUser(app(), 'fan1');
      const empty = await app().inject({ url: '/api/channels/by-handle/grace_hopper' });
      expect(empty.statusCode).toBe(200);
      const channel = empty.json();
      expect(channel).toMatchObject({ handle: 'grace_hopper', name: 'grace_hopper', subscriberCount: 0, videoCount: 0 });
      expect(channel.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Date.parse(channel.createdAt)).toBeGreaterThan(0);
      // case-insensitive, a leading @ allowed
      expect((await app().inject({ url: '/api/channels/by-handle/GRACE_HOPPER' })).json().id).toBe(channel.id);
      expect((await app().inject({ url: '/api/channels/by-handle/%40grace_hopper' })).json().id).toBe(channel.id);

      const pub = await video(owner.token, 'Nanoseconds', 'public');
      await video(owner.token, 'Unlisted talk', 'unlisted');
      await video(owner.token, 'Private notes', 'private');
      await video(owner.token, 'Still uploading', 'public', false);
      await app().inject({ method: 'PUT', url: `/api/channels/${channel.id}/subscription`, headers: bearer(fan.token) });

      expect((await app().inject({ url: '/api/channels/by-handle/grace_hopper' })).json()).toMatchObject({ subscriberCount: 1, videoCount: 1 });
      const list = await app().inject({ url: `/api/channels/${channel.id}/videos` });
      expect(list.statusCode).toBe(200);
      expect(list.json().items.map((v: any) => v.id)).toEqual([pub]);
      expect(list.json().next).toBeNull();
    });

    it('answers 404 in the standard error shape for an unknown handle', async () => {
      const res = await app().inject({ url: '/api/channels/by-handle/nobody-here' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'not_found', message: 'Channel not found' } });
      expect((await app().inject({ url: '/api/channels/not-a-uuid/videos' })).statusCode).toBe(400);
    });

    it('serves the web app at /@handle and /channel/handle', async () => {
      for (const path of ['/@grace_hopper', '/channel/grace_hopper']) {
        const page = await app().inject({ url: path });
        expect(page.statusCode, path).toBe(200);
        expect(page.headers['content-type']).toMatch(/^text\/html/);
      }
    });
  });
}
