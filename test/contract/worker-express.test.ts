/**
 * Express slots: while a long, ordinary task holds a worker's only normal slot, an urgent task (a new upload's
 * inspect, plan, fast-start chunk or audio pass) still starts at once; ordinary tasks never take the express slot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { openDatabase, type DatabaseHandle } from '../../src/adapters/db/connect.js';
import { TaskQueue } from '../../src/processing/task-queue.js';
import { EXPRESS_PRIORITY, Worker } from '../../src/processing/worker.js';
import { dbKinds, freshDatabaseUrl } from '../support/platform.js';

const VIDEO = '00000000-0000-4000-8000-0000000000e1';

for (const kind of dbKinds()) {
  describe(`worker express slot on ${kind}`, () => {
    let handle: DatabaseHandle;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      const db = await freshDatabaseUrl(kind, mkdtempSync(join(tmpdir(), 'reel-express-')));
      drop = db.drop;
      handle = await openDatabase(db.url);
    });
    afterAll(async () => {
      await handle?.close();
      await drop?.();
    });

    it('runs an urgent task beside a long one, and keeps ordinary tasks out of the express slot', async () => {
      const queue = new TaskQueue(handle.db, handle.dialect, { maxAttempts: 3 });
      const running = new Set<string>();
      const started: string[] = [];
      const release = new Map<string, () => void>();
      const hold = async ({ task }: { task: { key: string } }) => {
        running.add(task.key);
        started.push(task.key);
        await new Promise<void>((r) => release.set(task.key, r));
        running.delete(task.key);
      };
      const worker = new Worker(queue, { work: hold }, pino({ level: 'silent' }), { concurrency: 1, expressSlots: 1, pollMs: 30 });
      await queue.enqueue({ videoId: VIDEO, kind: 'work', key: 'long chunk', priority: 110 });
      worker.start();
      try {
        await expect.poll(() => [...running]).toEqual(['long chunk']);
        // another ordinary task waits: the express slot is not for it
        await queue.enqueue({ videoId: VIDEO, kind: 'work', key: 'next chunk', priority: 111 });
        await new Promise((r) => setTimeout(r, 300));
        expect([...running]).toEqual(['long chunk']);
        // an urgent task starts while the long one still runs
        await queue.enqueue({ videoId: VIDEO, kind: 'work', key: 'fast start', priority: EXPRESS_PRIORITY - 1 });
        await expect.poll(() => [...running].sort()).toEqual(['fast start', 'long chunk']);
        release.get('fast start')!();
        release.get('long chunk')!();
        await expect.poll(() => [...running]).toEqual(['next chunk']);
        release.get('next chunk')!();
        await expect.poll(() => running.size).toBe(0);
        expect(started).toEqual(['long chunk', 'fast start', 'next chunk']);
      } finally {
        for (const r of release.values()) r();
        await worker.stop();
      }
    });
  });
}
