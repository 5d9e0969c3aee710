/**
 * Comments through the HTTP API on SQLite and PostgreSQL: threads, votes and top/new order with cursors,
 * edit/delete by the author, moderation by the channel owner, limits and the per-account rate limit, and HTML
 * that comes back as the same inert text.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { dbKinds, registerUser, usePlatform, bearer } from '../support/platform.js';

for (const db of dbKinds()) {
  describe(`comments on ${db}`, () => {
    const p = usePlatform({ db });
    let owner: { token: string; handle: string };
    let videoId: string;
    beforeAll(async () => {
      owner = await registerUser(p.app);
      videoId = await publishedVideo();
    });

    async function publishedVideo(visibility = 'public'): Promise<string> {
      const id = (await p.app.inject({ method: 'POST', url: '/api/videos', headers: bearer(owner.token), payload: { title: 'c', visibility } })).json().video.id;
      await p.tp.platform.videos.markReady(id, null);
      return id;
    }
    const post = (token: string, body: unknown, vid = videoId) => p.app.inject({ method: 'POST', url: `/api/videos/${vid}/comments`, headers: bearer(token), payload: body as any });
    const list = async (qs: string, token?: string, vid = videoId) => (await p.app.inject({ url: `/api/videos/${vid}/comments?${qs}`, headers: token ? bearer(token) : {} })).json();
    const vote = (token: string, id: string, v: unknown) => p.app.inject({ method: 'PUT', url: `/api/comments/${id}/vote`, headers: bearer(token), payload: { vote: v } });

    it('threads, votes, top and new order, cursor pages', async () => {
      const vid = await publishedVideo();
      const users = [await registerUser(p.app), await registerUser(p.app), await registerUser(p.app)];
      const ids: string[] = [];
      for (let i = 0; i < 9; i++) {
        const r = await post(users[i % 3].token, { body: `comment ${i}` }, vid);
        expect(r.statusCode).toBe(201);
        ids.push(r.json().id);
      }
      // votes: comment 2 gets +3, comment 5 gets +1, comment 7 gets -1; changing and withdrawing a vote
      for (const u of users) expect((await vote(u.token, ids[2], 'up')).statusCode).toBe(200);
      expect((await vote(users[0].token, ids[5], 'down')).json()).toEqual({ score: -1, myVote: 'down' });
      expect((await vote(users[0].token, ids[5], 'up')).json()).toEqual({ score: 1, myVote: 'up' });
      await vote(users[1].token, ids[7], 'down');
      await vote(users[2].token, ids[8], 'up');
      expect((await vote(users[2].token, ids[8], null)).json()).toEqual({ score: 0, myVote: null });

      // comments posted in the same millisecond tie on time: the order then falls back to the id, so the
      // expectations are built from the full listing rather than from the posting order
      const all = (await list('sort=new&limit=100', undefined, vid)).items;
      expect(all).toHaveLength(9);
      const times = all.map((c: any) => Date.parse(c.createdAt));
      expect([...times].sort((x, y) => y - x)).toEqual(times);
      const pages = async (sort: string) => {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: any = await list(`sort=${sort}&limit=4${cursor ? `&cursor=${cursor}` : ''}`, users[0].token, vid);
          seen.push(...page.items.map((c: any) => c.body));
          cursor = page.next;
        } while (cursor);
        return seen;
      };
      const newOrder = all.map((c: any) => c.body);
      expect(await pages('new')).toEqual(newOrder);
      expect(await pages('old')).toEqual([...newOrder].reverse());
      const zero = newOrder.filter((b: string) => !['comment 2', 'comment 5', 'comment 7'].includes(b));
      expect(await pages('top')).toEqual(['comment 2', 'comment 5', ...zero, 'comment 7']);
      const top = await list('sort=top&limit=1', users[0].token, vid);
      expect(top.items[0]).toMatchObject({ body: 'comment 2', score: 3, myVote: 'up' });

      // replies: a reply to a reply joins the thread of the top-level comment
      const r1 = (await post(users[1].token, { body: 'reply one', parentId: ids[2] }, vid)).json();
      const r2 = (await post(users[2].token, { body: 'reply two', parentId: r1.id }, vid)).json();
      expect(r1.parentId).toBe(ids[2]);
      expect(r2.parentId).toBe(ids[2]);
      expect((await list('sort=top&limit=1', undefined, vid)).items[0].replyCount).toBe(2);
      expect((await list(`parentId=${ids[2]}&sort=old`, undefined, vid)).items.map((c: any) => c.body)).toEqual(['reply one', 'reply two']);
      expect((await list('sort=new&limit=100', undefined, vid)).items).toHaveLength(9); // replies are not top-level

      expect((await p.app.inject({ url: `/api/videos/${vid}/comments?cursor=garbage` })).json().error.code).toBe('invalid_cursor');
      expect((await p.app.inject({ url: `/api/videos/${vid}/comments?sort=best` })).statusCode).toBe(400);
      expect((await post(users[0].token, { body: 'x', parentId: '00000000-0000-4000-8000-000000000000' }, vid)).statusCode).toBe(404);
      expect((await vote(users[0].token, ids[1], 'sideways')).statusCode).toBe(400);
    });

    it('edit and delete by the author only; a deleted comment with replies leaves a placeholder', async () => {
      const [a, b] = [await registerUser(p.app), await registerUser(p.app)];
      const c = (await post(a.token, { body: 'frist' })).json();
      const edited = await p.app.inject({ method: 'PATCH', url: `/api/comments/${c.id}`, headers: bearer(a.token), payload: { body: 'first' } });
      expect(edited.json()).toMatchObject({ body: 'first', state: 'approved' });
      expect(edited.json().editedAt).not.toBeNull();
      expect((await p.app.inject({ method: 'PATCH', url: `/api/comments/${c.id}`, headers: bearer(b.token), payload: { body: 'mine now' } })).statusCode).toBe(403);
      expect((await p.app.inject({ method: 'DELETE', url: `/api/comments/${c.id}`, headers: bearer(b.token) })).statusCode).toBe(403);

      await post(b.token, { body: 'a reply', parentId: c.id });
      expect((await p.app.inject({ method: 'DELETE', url: `/api/comments/${c.id}`, headers: bearer(a.token) })).statusCode).toBe(204);
      const placeholder = (await p.app.inject({ url: `/api/comments/${c.id}` })).json();
      expect(placeholder).toMatchObject({ deleted: true, body: '[deleted]', replyCount: 1, author: { handle: '' } });
      expect((await list(`parentId=${c.id}`)).items.map((x: any) => x.body)).toEqual(['a reply']);

      const lone = (await post(a.token, { body: 'gone soon' })).json();
      expect((await p.app.inject({ method: 'DELETE', url: `/api/comments/${lone.id}`, headers: bearer(a.token) })).statusCode).toBe(204);
      expect((await p.app.inject({ url: `/api/comments/${lone.id}` })).statusCode).toBe(404);
    });

    it('moderation: links wait for approval; the channel owner approves, holds and removes', async () => {
      const [a, b] = [await registerUser(p.app), await registerUser(p.app)];
      const spam = (await post(a.token, { body: 'cheap pills at https://spam.example' })).json();
      expect(spam.state).toBe('pending');
      // the author sees their pending comment; others do not; the owner does
      expect((await list('sort=new&limit=100', a.token)).items.map((c: any) => c.id)).toContain(spam.id);
      expect((await list('sort=new&limit=100', b.token)).items.map((c: any) => c.id)).not.toContain(spam.id);
      expect((await list('sort=new&limit=100')).items.map((c: any) => c.id)).not.toContain(spam.id);
      expect((await list('state=pending', owner.token)).items.map((c: any) => c.id)).toEqual([spam.id]);
      expect((await p.app.inject({ url: `/api/videos/${videoId}/comments?state=pending`, headers: bearer(b.token) })).statusCode).toBe(403);
      expect((await vote(b.token, spam.id, 'up')).statusCode).toBe(404);

      const moderate = (token: string, id: string, state: string) => p.app.inject({ method: 'POST', url: `/api/comments/${id}/moderation`, headers: bearer(token), payload: { state } });
      expect((await moderate(b.token, spam.id, 'approved')).statusCode).toBe(403);
      expect((await moderate(owner.token, spam.id, 'approved')).json().state).toBe('approved');
      expect((await list('sort=new&limit=100', b.token)).items.map((c: any) => c.id)).toContain(spam.id);
      expect((await moderate(owner.token, spam.id, 'removed')).json().state).toBe('removed');
      expect((await list('sort=new&limit=100', a.token)).items.map((c: any) => c.id)).not.toContain(spam.id);
      expect((await list('state=removed', owner.token)).items.map((c: any) => c.id)).toEqual([spam.id]);
      expect((await p.app.inject({ url: `/api/comments/${spam.id}`, headers: bearer(b.token) })).statusCode).toBe(404);
      expect((await moderate(owner.token, spam.id, 'deleted')).statusCode).toBe(400);
      // the owner's own links are not held
      expect((await post(owner.token, { body: 'merch: https://shop.example' })).json().state).toBe('approved');
    });

    it('length limits, rate limit, and no comments on videos the account cannot see', async () => {
      const a = await registerUser(p.app);
      for (const body of ['', '   \n\t  ', 'x'.repeat(5001), undefined]) {
        const r = await post(a.token, body === undefined ? {} : { body });
        expect(r.statusCode).toBe(400);
        expect(['invalid_comment', 'invalid_request']).toContain(r.json().error.code);
      }
      expect((await post(a.token, { body: 'x'.repeat(5000) })).statusCode).toBe(201);
      expect((await p.app.inject({ method: 'POST', url: `/api/videos/${videoId}/comments`, payload: { body: 'anon' } })).statusCode).toBe(401);
      const priv = await publishedVideo('private');
      expect((await post(a.token, { body: 'hello' }, priv)).statusCode).toBe(404);
      for (let i = 0; i < 4; i++) expect((await post(a.token, { body: `n${i}` })).statusCode).toBe(201);
      const limited = await post(a.token, { body: 'one too many' });
      expect(limited.statusCode).toBe(429);
      expect(limited.json().error.code).toBe('rate_limited');
    });

    it('HTML and scripts in comments come back as the same inert text', async () => {
      const a = await registerUser(p.app);
      const text = '<script>alert(document.cookie)</script><img src=x onerror="alert(1)"> & <b>bold</b>';
      const c = (await post(a.token, { body: `  ${text}\r\n` })).json();
      expect(c.body).toBe(text);
      const res = await p.app.inject({ url: `/api/comments/${c.id}` });
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json().body).toBe(text);
      expect((await list('sort=new&limit=100')).items.find((x: any) => x.id === c.id).body).toBe(text);
    });
  });
}
