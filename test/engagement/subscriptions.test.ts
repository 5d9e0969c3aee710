/**
 * Subscriptions, the subscriptions feed and new-video notifications (fanned out by the pipeline's publish step
 * as wired for the worker), on SQLite and PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { dbKinds, registerUser, usePlatform, bearer } from '../support/platform.js';
import { taskHandlers } from '../../src/wiring/platform.js';
import type { Task } from '../../src/processing/task-queue.js';

for (const db of dbKinds()) {
  describe(`subscriptions and notifications on ${db}`, () => {
    const p = usePlatform({ db });

    const me = async (token: string) => (await p.app.inject({ url: '/api/me', headers: bearer(token) })).json();

    /** create a video and run the pipeline's real publish step on it (no media needed for that step) */
    async function publish(token: string, title: string, visibility = 'public'): Promise<string> {
      const id = (await p.app.inject({ method: 'POST', url: '/api/videos', headers: bearer(token), payload: { title, visibility } })).json().video.id;
      const publishStep = taskHandlers(p.tp.platform).publish;
      const ctx = { task: { video_id: id } as Task, payload: {}, signal: new AbortController().signal, log: pino({ level: 'silent' }), setOutput: async () => {} };
      await publishStep(ctx);
      await publishStep(ctx); // a re-run of the step notifies nobody twice
      return id;
    }

    it('subscribe, feed of ready public videos, notifications with unread count and mark read', async () => {
      const creator = await registerUser(p.app);
      const other = await registerUser(p.app);
      const fan = await registerUser(p.app);
      const channelId = (await me(creator.token)).channel.id;
      const sub = (token: string, method = 'PUT', ch = channelId) => p.app.inject({ method: method as any, url: `/api/channels/${ch}/subscription`, headers: bearer(token) });

      expect((await sub(fan.token)).json()).toEqual({ subscribed: true, subscribers: 1 });
      expect((await sub(fan.token)).json()).toEqual({ subscribed: true, subscribers: 1 });
      expect((await p.app.inject({ url: `/api/channels/${channelId}/subscription` })).json()).toEqual({ subscribed: false, subscribers: 1 });
      expect((await p.app.inject({ url: '/api/me/subscriptions', headers: bearer(fan.token) })).json().items).toEqual([{ id: channelId, handle: creator.handle, name: creator.handle }]);

      const first = await publish(creator.token, 'first');
      await publish(creator.token, 'hidden', 'private');
      await publish(creator.token, 'link only', 'unlisted');
      await publish(other.token, 'not subscribed');
      const second = await publish(creator.token, 'second');
      // a draft (still uploading) is not in the feed
      await p.app.inject({ method: 'POST', url: '/api/videos', headers: bearer(creator.token), payload: { title: 'draft' } });

      const feed = (await p.app.inject({ url: '/api/me/feed', headers: bearer(fan.token) })).json();
      expect(feed.items.map((v: any) => v.title)).toEqual(['second', 'first']);
      const p1 = (await p.app.inject({ url: '/api/me/feed?limit=1', headers: bearer(fan.token) })).json();
      expect(p1.items.map((v: any) => v.id)).toEqual([second]);
      const p2 = (await p.app.inject({ url: `/api/me/feed?limit=1&before=${p1.next}`, headers: bearer(fan.token) })).json();
      expect(p2.items.map((v: any) => v.id)).toEqual([first]);

      const inbox = (await p.app.inject({ url: '/api/me/notifications', headers: bearer(fan.token) })).json();
      expect(inbox.unread).toBe(2);
      expect(inbox.items.map((n: any) => [n.kind, n.video.title, n.read])).toEqual([
        ['new_video', 'second', false],
        ['new_video', 'first', false],
      ]);
      expect((await p.app.inject({ url: '/api/me/notifications/unread-count', headers: bearer(fan.token) })).json()).toEqual({ unread: 2 });
      expect((await p.app.inject({ url: '/api/me/notifications', headers: bearer(other.token) })).json().items).toEqual([]);

      const readOne = await p.app.inject({ method: 'POST', url: '/api/me/notifications/read', headers: bearer(fan.token), payload: { ids: [inbox.items[1].id] } });
      expect(readOne.json()).toEqual({ unread: 1 });
      expect((await p.app.inject({ url: '/api/me/notifications?unread=true', headers: bearer(fan.token) })).json().items.map((n: any) => n.video.title)).toEqual(['second']);
      expect((await p.app.inject({ method: 'POST', url: '/api/me/notifications/read', headers: bearer(fan.token), payload: {} })).json()).toEqual({ unread: 0 });

      expect((await sub(fan.token, 'DELETE')).json()).toEqual({ subscribed: false, subscribers: 0 });
      await publish(creator.token, 'third');
      expect((await p.app.inject({ url: '/api/me/feed', headers: bearer(fan.token) })).json().items).toEqual([]);
      expect((await p.app.inject({ url: '/api/me/notifications/unread-count', headers: bearer(fan.token) })).json()).toEqual({ unread: 0 });
    });

    it('refuses unknown channels, self-subscription, anonymous use and bad input', async () => {
      const u = await registerUser(p.app);
      const own = (await me(u.token)).channel.id;
      expect((await p.app.inject({ method: 'PUT', url: `/api/channels/${own}/subscription`, headers: bearer(u.token) })).json().error.code).toBe('own_channel');
      expect((await p.app.inject({ method: 'PUT', url: '/api/channels/00000000-0000-4000-8000-000000000000/subscription', headers: bearer(u.token) })).statusCode).toBe(404);
      expect((await p.app.inject({ method: 'PUT', url: '/api/channels/nope/subscription', headers: bearer(u.token) })).statusCode).toBe(400);
      expect((await p.app.inject({ method: 'PUT', url: `/api/channels/${own}/subscription` })).statusCode).toBe(401);
      expect((await p.app.inject({ url: '/api/me/feed' })).statusCode).toBe(401);
      expect((await p.app.inject({ url: '/api/me/notifications' })).statusCode).toBe(401);
      expect((await p.app.inject({ method: 'POST', url: '/api/me/notifications/read', headers: bearer(u.token), payload: { ids: 'all' } })).statusCode).toBe(400);
      expect((await p.app.inject({ url: '/api/me/feed?limit=0', headers: bearer(u.token) })).statusCode).toBe(400);
    });
  });
}
