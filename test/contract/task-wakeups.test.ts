/**
 * Workers in other processes start new tasks at once on PostgreSQL (LISTEN/NOTIFY), not at their next poll:
 * a worker whose poll interval is a minute still picks up a task enqueued through another connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { openDatabase, type DatabaseHandle } from '../../src/adapters/db/connect.js';
import { listenForTasks } from '../../src/adapters/db/task-wakeups.js';
import { TASKS_CHANNEL, TaskQueue } from '../../src/processing/task-queue.js';
import { Worker } from '../../src/processing/worker.js';
import { freshDatabaseUrl } from '../support/platform.js';

describe('cross-process task wake-ups (PostgreSQL)', () => {
  let url: string;
  let drop: () => Promise<void>;
  const handles: DatabaseHandle[] = [];
  beforeAll(async () => {
    ({ url, drop } = await freshDatabaseUrl('postgres', mkdtempSync(join(tmpdir(), 'reel-wake-'))));
    for (let i = 0; i < 2; i++) handles.push(await openDatabase(url));
  });
  afterAll(async () => {
    for (const h of handles) await h.close();
    await drop?.();
  });

  it('a worker polling once a minute runs a task enqueued by another process within seconds', async () => {
    const log = pino({ level: 'silent' });
    const producer = new TaskQueue(handles[0].db, 'postgres', { maxAttempts: 3 });
    const consumer = new TaskQueue(handles[1].db, 'postgres', { maxAttempts: 3 });
    const ran: string[] = [];
    const worker = new Worker(consumer, { probe: async ({ task }) => void ran.push(task.id) }, log, {
      concurrency: 1,
      pollMs: 60_000,
      remoteWakeups: (wake) => listenForTasks(url, TASKS_CHANNEL, wake, log),
    });
    worker.start();
    try {
      await new Promise((r) => setTimeout(r, 500)); // the first poll found nothing; LISTEN is in place
      const id = await producer.enqueue({ videoId: '00000000-0000-4000-8000-000000000001', kind: 'probe' });
      await expect.poll(() => ran, { timeout: 10_000, interval: 50 }).toEqual([id]);
    } finally {
      await worker.stop();
    }
  });
});
