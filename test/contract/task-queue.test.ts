/**
 * Task queue behaviour on every database: priority, leases, expiry, retries with backoff, dead letter,
 * non-recoverable failure, and that concurrent claimers never get the same task.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type DatabaseHandle } from '../../src/adapters/db/connect.js';
import { TaskQueue } from '../../src/processing/task-queue.js';
import { dbKinds, freshDatabaseUrl } from '../support/platform.js';

for (const kind of dbKinds()) {
  describe(`TaskQueue on ${kind}`, () => {
    let handle: DatabaseHandle;
    let drop: () => Promise<void>;
    let clock = 1_000_000;
    const now = () => clock;
    const queue = () => new TaskQueue(handle.db, handle.dialect, { maxAttempts: 3, backoffBaseMs: 1000 }, now);

    beforeAll(async () => {
      const db = await freshDatabaseUrl(kind, mkdtempSync(join(tmpdir(), 'reel-q-')));
      drop = db.drop;
      handle = await openDatabase(db.url);
    });
    afterAll(async () => {
      await handle.close();
      await drop();
    });

    /** finish everything earlier tests left queued or running */
    const drain = async (q: TaskQueue) => {
      for (const t of await handle.db.selectFrom('tasks').selectAll().where('state', 'in', ['queued', 'running']).execute()) {
        await handle.db.updateTable('tasks').set({ state: 'done' }).where('id', '=', t.id).execute();
      }
      expect(await q.claim('drain', 1000)).toBeNull();
    };

    it('claims by priority, then age; a claimed task is not handed out twice', async () => {
      const q = queue();
      await drain(q);
      const low = await q.enqueue({ videoId: 'v1', kind: 'k', priority: 100 });
      clock += 1;
      const high = await q.enqueue({ videoId: 'v1', kind: 'k', priority: 10 });
      clock += 1;
      const low2 = await q.enqueue({ videoId: 'v1', kind: 'k', priority: 100 });
      expect((await q.claim('w', 1000))!.id).toBe(high);
      expect((await q.claim('w', 1000))!.id).toBe(low);
      const third = await q.claim('w', 1000);
      expect(third!.id).toBe(low2);
      expect(third!.attempts).toBe(1);
      expect(third!.state).toBe('running');
      expect(await q.claim('w', 1000)).toBeNull();
    });

    it('concurrent claimers get distinct tasks', async () => {
      const q = queue();
      await drain(q);
      const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => q.enqueue({ videoId: 'c', kind: 'k', payload: { i } })));
      const claims = await Promise.all(Array.from({ length: 16 }, (_, i) => q.claim(`w${i}`, 1000)));
      const got = claims.filter(Boolean).map((t) => t!.id);
      expect(new Set(got).size).toBe(got.length);
      expect(got.sort()).toEqual([...ids].sort());
    });

    it('a lease that is not renewed expires and the task is re-queued; the old worker can no longer complete it', async () => {
      const q = queue();
      await drain(q);
      const id = await q.enqueue({ videoId: 'v2', kind: 'k' });
      const t = await q.claim('dead-worker', 5000);
      expect(t!.id).toBe(id);
      clock += 3000;
      expect(await q.heartbeat(id, 'dead-worker', 5000)).toBe(true);
      expect(await q.requeueExpired()).toBe(0);
      clock += 6000;
      expect(await q.requeueExpired()).toBe(1);
      const again = await q.claim('live-worker', 5000);
      expect(again!.id).toBe(id);
      expect(again!.attempts).toBe(2);
      expect(await q.complete(id, 'dead-worker')).toBe(false);
      expect(await q.heartbeat(id, 'dead-worker', 5000)).toBe(false);
      expect(await q.complete(id, 'live-worker')).toBe(true);
      expect((await q.get(id))!.state).toBe('done');
    });

    it('retries recoverable failures with exponential backoff, then dead-letters; re-run revives', async () => {
      const q = queue();
      await drain(q);
      const id = await q.enqueue({ videoId: 'v3', kind: 'k' });
      let t = await q.claim('w', 1000);
      expect(await q.fail(t!, 'w', 'flaky', true)).toBe('queued');
      expect(await q.claim('w', 1000)).toBeNull(); // backing off 1 s
      clock += 1000;
      t = await q.claim('w', 1000);
      expect(t!.attempts).toBe(2);
      expect(await q.fail(t!, 'w', 'flaky', true)).toBe('queued');
      clock += 1999;
      expect(await q.claim('w', 1000)).toBeNull(); // second backoff is 2 s
      clock += 1;
      t = await q.claim('w', 1000);
      expect(await q.fail(t!, 'w', 'still flaky', true)).toBe('dead');
      const dead = await q.get(id);
      expect(dead).toMatchObject({ state: 'dead', attempts: 3, error: 'still flaky' });
      expect(await q.rerun(id)).toBe(true);
      const revived = await q.claim('w', 1000);
      expect(revived).toMatchObject({ id, attempts: 1 });
    });

    it('non-recoverable failures fail at once', async () => {
      const q = queue();
      await drain(q);
      const id = await q.enqueue({ videoId: 'v4', kind: 'k' });
      const t = await q.claim('w', 1000);
      expect(await q.fail(t!, 'w', 'not a video', false)).toBe('failed');
      expect((await q.get(id))!.state).toBe('failed');
      expect(await q.claim('w', 1000)).toBeNull();
    });
  });
}
