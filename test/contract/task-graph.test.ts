/**
 * The task queue as a DAG, on every database: addGraph queues what is runnable and parks the rest as waiting,
 * completing the last dependency (and only the last) promotes a dependent, parallel completions on PostgreSQL
 * still promote a join exactly once, addGraph is idempotent by key, cancelVideo stops unfinished work, and
 * outputs are readable by key and writable only by the running owner.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { openDatabase, type DatabaseHandle } from '../../src/adapters/db/connect.js';
import type { TaskSpec } from '../../src/core/pipeline.js';
import { TaskQueue, type Task } from '../../src/processing/task-queue.js';
import { dbKinds, freshDatabaseUrl } from '../support/platform.js';

const spec = (key: string, after: string[] = [], priority = 10, payload: Record<string, unknown> = {}): TaskSpec => ({
  key,
  step: key.split(/[#:]/)[0],
  kind: `k-${key.split(/[#:]/)[0]}`,
  after,
  priority,
  payload,
});

for (const kind of dbKinds()) {
  describe(`TaskQueue DAG on ${kind}`, () => {
    let handle: DatabaseHandle;
    let drop: () => Promise<void>;
    let clock = 5_000_000;
    const now = () => clock;
    const queue = () => new TaskQueue(handle.db, handle.dialect, { maxAttempts: 3, backoffBaseMs: 1000 }, now);
    /** every test works on its own video, and claims only the kinds of its own tasks */
    const video = () => `vid-${randomUUID()}`;

    beforeAll(async () => {
      const db = await freshDatabaseUrl(kind, mkdtempSync(join(tmpdir(), 'reel-dag-')));
      drop = db.drop;
      handle = await openDatabase(db.url);
    });
    afterAll(async () => {
      await handle?.close();
      await drop?.();
    });

    const states = async (q: TaskQueue, videoId: string) => Object.fromEntries((await q.forVideo(videoId)).map((t) => [t.key, t.state]));
    const byKey = async (q: TaskQueue, videoId: string, key: string): Promise<Task> => (await q.forVideo(videoId)).find((t) => t.key === key)!;
    /** claim the given task as `worker`, whatever else is queued (other tests' leftovers included) */
    const claimKey = async (q: TaskQueue, videoId: string, key: string, worker: string): Promise<Task> => {
      const t = await byKey(q, videoId, key);
      expect(t.state).toBe('queued');
      const claimed: Task[] = [];
      try {
        for (;;) {
          const c = await q.claim(worker, 60_000, [t.kind]);
          if (!c) throw new Error(`${key} could not be claimed`);
          if (c.id === t.id) return c;
          claimed.push(c);
        }
      } finally {
        // hand back anything else claimed on the way
        for (const c of claimed) await handle.db.updateTable('tasks').set({ state: 'queued', worker_id: null, lease_until: null }).where('id', '=', c.id).execute();
      }
    };
    const runKey = async (q: TaskQueue, videoId: string, key: string, output?: unknown) => {
      const t = await claimKey(q, videoId, key, `w-${key}`);
      expect(await q.complete(t.id, `w-${key}`, output)).toBe(true);
    };

    it('addGraph queues tasks whose dependencies are done and parks the others as waiting', async () => {
      const q = queue();
      const v = video();
      expect(await q.addGraph(v, [spec('inspect'), spec('plan', ['inspect'])])).toBe(2);
      expect(await states(q, v)).toEqual({ inspect: 'queued', plan: 'waiting' });
      await runKey(q, v, 'inspect');
      await runKey(q, v, 'plan');
      // the planner adds the rest: tasks after `plan` (done) are queued at once, joins wait
      const added = await q.addGraph(v, [
        spec('audio', ['plan'], 0),
        spec('video#0:144p', ['plan'], 0),
        spec('video#0', ['plan'], 10),
        spec('video#1', ['plan'], 11),
        spec('package', ['video#0:144p', 'video#0', 'video#1', 'audio'], 5),
        spec('publish', ['package'], 5),
        spec('standalone', [], 50),
      ]);
      expect(added).toBe(7);
      expect(await states(q, v)).toEqual({
        inspect: 'done',
        plan: 'done',
        audio: 'queued',
        'video#0:144p': 'queued',
        'video#0': 'queued',
        'video#1': 'queued',
        package: 'waiting',
        publish: 'waiting',
        standalone: 'queued',
      });
      const pkg = await byKey(q, v, 'package');
      expect(JSON.parse(pkg.deps)).toEqual(['video#0:144p', 'video#0', 'video#1', 'audio']);
      expect(pkg).toMatchObject({ step: 'package', kind: 'k-package', priority: 5, attempts: 0, worker_id: null });
    });

    it('applies the priority bias to every added task', async () => {
      const q = queue();
      const v = video();
      await q.addGraph(v, [spec('a', [], 0), spec('b', ['a'], 7)], 100);
      expect((await q.forVideo(v)).map((t) => [t.key, t.priority])).toEqual([
        ['a', 100],
        ['b', 107],
      ]);
    });

    it('completing the last dependency promotes the dependents, and not before', async () => {
      const q = queue();
      const v = video();
      await q.addGraph(v, [spec('a'), spec('b'), spec('c'), spec('join', ['a', 'b', 'c']), spec('after-a', ['a']), spec('tail', ['join'])]);
      expect(await states(q, v)).toMatchObject({ a: 'queued', b: 'queued', c: 'queued', join: 'waiting', 'after-a': 'waiting', tail: 'waiting' });

      await runKey(q, v, 'a');
      expect(await states(q, v)).toMatchObject({ join: 'waiting', 'after-a': 'queued', tail: 'waiting' });
      // a waiting task is never handed out
      expect(await q.claim('nobody', 1000, ['k-join', 'k-tail'])).toBeNull();

      // a running (not yet done) dependency does not count
      const b = await claimKey(q, v, 'b', 'wb');
      expect(await states(q, v)).toMatchObject({ b: 'running', join: 'waiting' });
      expect(await q.complete(b.id, 'wb')).toBe(true);
      expect(await states(q, v)).toMatchObject({ join: 'waiting' });

      // a failed attempt that will be retried does not count either
      const c1 = await claimKey(q, v, 'c', 'wc');
      expect(await q.fail(c1, 'wc', 'flaky', true)).toBe('queued');
      expect(await states(q, v)).toMatchObject({ c: 'queued', join: 'waiting' });
      clock += 1000;

      clock += 10;
      await runKey(q, v, 'c');
      const join = await byKey(q, v, 'join');
      expect(join.state).toBe('queued');
      expect(join.run_after).toBe(clock); // promoted now, not at its creation time
      expect(await states(q, v)).toMatchObject({ tail: 'waiting' });

      await runKey(q, v, 'join');
      expect(await states(q, v)).toMatchObject({ tail: 'queued' });
    });

    it('promotes only within the same video', async () => {
      const q = queue();
      const [v1, v2] = [video(), video()];
      await q.addGraph(v1, [spec('a'), spec('b', ['a'])]);
      await q.addGraph(v2, [spec('a'), spec('b', ['a'])]);
      await runKey(q, v1, 'a');
      expect(await states(q, v1)).toEqual({ a: 'done', b: 'queued' });
      expect(await states(q, v2)).toEqual({ a: 'queued', b: 'waiting' });
    });

    it('a dependency that is dead-lettered or failed leaves its dependents waiting', async () => {
      const q = new TaskQueue(handle.db, handle.dialect, { maxAttempts: 1 }, now);
      const v = video();
      await q.addGraph(v, [spec('x'), spec('y'), spec('j', ['x', 'y'])]);
      await runKey(q, v, 'x');
      const y = await claimKey(q, v, 'y', 'wy');
      expect(await q.fail(y, 'wy', 'gave up', true)).toBe('dead');
      expect(await states(q, v)).toEqual({ x: 'done', y: 'dead', j: 'waiting' });
      // re-running the dead task and finishing it releases the join
      expect(await q.rerun(y.id)).toBe(true);
      await runKey(q, v, 'y');
      expect(await states(q, v)).toEqual({ x: 'done', y: 'done', j: 'queued' });
    });

    it('parallel completions of a join’s dependencies promote it exactly once', async () => {
      const q = queue();
      for (let round = 0; round < 8; round++) {
        const v = video();
        const parts = Array.from({ length: 6 }, (_, i) => spec(`part#${i}`, [], 10 + i));
        await q.addGraph(v, [...parts, spec('join', parts.map((p) => p.key), 1)]);
        const claimed = [];
        for (const p of parts) claimed.push(await claimKey(q, v, p.key, `w${p.key}`));
        // every dependency finishes at the same moment, each on its own connection (on PostgreSQL)
        const done = await Promise.all(claimed.map((t) => q.complete(t.id, `w${t.key}`, { key: t.key })));
        expect(done).toEqual(parts.map(() => true));
        const tasks = await q.forVideo(v);
        expect(tasks.filter((t) => t.key === 'join')).toHaveLength(1);
        expect(tasks.find((t) => t.key === 'join')!.state).toBe('queued');
        // ...and it is handed out once
        const first = await q.claim('joiner-1', 60_000, ['k-join']);
        expect(first).toMatchObject({ key: 'join', video_id: v, attempts: 1 });
        expect(await q.claim('joiner-2', 60_000, ['k-join'])).toBeNull();
        expect(await q.complete(first!.id, 'joiner-1')).toBe(true);
      }
    });

    it('concurrent planners add a graph once (addGraph is idempotent by key)', async () => {
      const q = queue();
      const v = video();
      const graph = [spec('a'), spec('b', ['a']), spec('c', ['b'])];
      expect(await q.addGraph(v, graph)).toBe(3);
      expect(await q.addGraph(v, graph)).toBe(0);
      // a re-run planner that adds one new step only adds that one; existing rows keep their state
      await runKey(q, v, 'a');
      expect(await q.addGraph(v, [...graph, spec('d', ['a'])])).toBe(1);
      expect(await states(q, v)).toEqual({ a: 'done', b: 'queued', c: 'waiting', d: 'queued' });
      // the same graph added by several planners at once
      const v2 = video();
      const counts = await Promise.all(Array.from({ length: 4 }, () => q.addGraph(v2, graph)));
      expect(counts.reduce((s, n) => s + n, 0)).toBe(3);
      expect((await q.forVideo(v2)).map((t) => t.key).sort()).toEqual(['a', 'b', 'c']);
    });

    it('cancelVideo cancels waiting, queued and running tasks, but not done ones, and only of that video', async () => {
      const q = queue();
      const v = video();
      const other = video();
      await q.addGraph(v, [spec('done'), spec('running'), spec('queued'), spec('waiting', ['queued'])]);
      await q.addGraph(other, [spec('queued')]);
      await runKey(q, v, 'done', { kept: true });
      const running = await claimKey(q, v, 'running', 'wr');
      expect(await states(q, v)).toEqual({ done: 'done', running: 'running', queued: 'queued', waiting: 'waiting' });
      clock += 5;
      await q.cancelVideo(v);
      expect(await states(q, v)).toEqual({ done: 'done', running: 'cancelled', queued: 'cancelled', waiting: 'cancelled' });
      expect(await states(q, other)).toEqual({ queued: 'queued' });
      const r = await byKey(q, v, 'running');
      expect(r).toMatchObject({ lease_until: null, finished_at: clock });
      expect((await byKey(q, v, 'done')).output).toBe(JSON.stringify({ kept: true }));
      // the worker of the cancelled task can no longer finish it, renew it, or write output
      expect(await q.heartbeat(running.id, 'wr', 1000)).toBe(false);
      await q.setOutput(running.id, 'wr', { late: true });
      expect(await q.complete(running.id, 'wr', { late: true })).toBe(false);
      expect(await byKey(q, v, 'running')).toMatchObject({ state: 'cancelled', output: null });
      // nothing of the cancelled video is handed out
      expect(await q.claim('w', 1000, ['k-queued', 'k-waiting'])).toMatchObject({ video_id: other });
    });

    it('outputs() returns every task of the video by key, with state, kind, payload and output', async () => {
      const q = queue();
      const v = video();
      await q.addGraph(v, [spec('video#0', [], 10, { chunk: 0, rungs: ['144p'] }), spec('video#1', [], 11, { chunk: 1 }), spec('package', ['video#0', 'video#1'])]);
      await runKey(q, v, 'video#0', { chunk: 0, rungs: { '144p': [{ uri: '144p/c00000_000.m4s', durationSec: 2, bytes: 10 }] } });
      const out = await q.outputs(v);
      expect([...out.keys()].sort()).toEqual(['package', 'video#0', 'video#1']);
      expect(out.get('video#0')).toEqual({
        state: 'done',
        kind: 'k-video',
        payload: { chunk: 0, rungs: ['144p'] },
        output: { chunk: 0, rungs: { '144p': [{ uri: '144p/c00000_000.m4s', durationSec: 2, bytes: 10 }] } },
      });
      expect(out.get('video#1')).toEqual({ state: 'queued', kind: 'k-video', payload: { chunk: 1 }, output: null });
      expect(out.get('package')).toEqual({ state: 'waiting', kind: 'k-package', payload: {}, output: null });
      expect((await q.outputs(video())).size).toBe(0);
    });

    it('setOutput only works for the running owner; complete without output keeps the partial output', async () => {
      const q = queue();
      const v = video();
      await q.addGraph(v, [spec('audio')]);
      const t = await claimKey(q, v, 'audio', 'owner');
      await q.setOutput(t.id, 'owner', { segments: 1, complete: false });
      expect((await q.outputs(v)).get('audio')).toMatchObject({ state: 'running', output: { segments: 1, complete: false } });
      await q.setOutput(t.id, 'intruder', { segments: 99 });
      expect((await q.outputs(v)).get('audio')!.output).toEqual({ segments: 1, complete: false });
      await q.setOutput(t.id, 'owner', { segments: 2, complete: false });
      expect((await q.outputs(v)).get('audio')!.output).toEqual({ segments: 2, complete: false });
      expect(await q.complete(t.id, 'owner')).toBe(true);
      expect((await q.outputs(v)).get('audio')).toMatchObject({ state: 'done', output: { segments: 2, complete: false } });
      // once done, not even the owner can change it
      await q.setOutput(t.id, 'owner', { segments: 3 });
      expect((await q.outputs(v)).get('audio')!.output).toEqual({ segments: 2, complete: false });
    });

    it('after a lease expires, the old worker can no longer write output', async () => {
      const q = queue();
      const v = video();
      await q.addGraph(v, [spec('slow')]);
      const t = await claimKey(q, v, 'slow', 'old');
      clock += 120_000;
      expect(await q.requeueExpired()).toBeGreaterThanOrEqual(1);
      await q.setOutput(t.id, 'old', { stale: true });
      expect((await q.outputs(v)).get('slow')).toEqual({ state: 'queued', kind: 'k-slow', payload: {}, output: null });
    });
  });
}
