/**
 * Durable task queue in the metadata database. Works on SQLite (one process) and PostgreSQL (many workers on
 * many machines: claims use FOR UPDATE SKIP LOCKED). Tasks are leased; a worker that stops heartbeating loses
 * its lease and the task goes back to the queue.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { backoffMs } from '../core/backoff.js';
import type { Db, TasksTable } from '../adapters/db/schema.js';
import type { DbDialect } from '../adapters/db/connect.js';

export type Task = TasksTable;

export interface EnqueueInput {
  videoId: string;
  kind: string;
  payload?: unknown;
  priority?: number;
  maxAttempts?: number;
}

export class TaskQueue {
  private listeners = new Set<() => void>();

  constructor(
    private readonly db: Db,
    private readonly dialect: DbDialect,
    private readonly opts: { maxAttempts: number; backoffBaseMs?: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** Called when a task is enqueued in this process, so in-process workers wake up at once. */
  onEnqueue(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async enqueue(input: EnqueueInput): Promise<string> {
    const id = randomUUID();
    await this.db
      .insertInto('tasks')
      .values({
        id,
        video_id: input.videoId,
        kind: input.kind,
        state: 'queued',
        priority: input.priority ?? 100,
        attempts: 0,
        max_attempts: input.maxAttempts ?? this.opts.maxAttempts,
        run_after: this.now(),
        lease_until: null,
        worker_id: null,
        payload: JSON.stringify(input.payload ?? {}),
        error: null,
        created_at: this.now(),
        started_at: null,
        finished_at: null,
      })
      .execute();
    for (const fn of this.listeners) fn();
    return id;
  }

  /** Claim the most urgent runnable task (lowest priority number first, then oldest). */
  async claim(workerId: string, leaseMs: number): Promise<Task | null> {
    const t = this.now();
    return this.db.transaction().execute(async (tx) => {
      let q = tx
        .selectFrom('tasks')
        .select('id')
        .where('state', '=', 'queued')
        .where('run_after', '<=', t)
        .orderBy('priority', 'asc')
        .orderBy('created_at', 'asc')
        .limit(1);
      if (this.dialect === 'postgres') q = q.modifyEnd(sql`for update skip locked`);
      const next = await q.executeTakeFirst();
      if (!next) return null;
      const updated = await tx
        .updateTable('tasks')
        .set((eb) => ({
          state: 'running',
          worker_id: workerId,
          lease_until: t + leaseMs,
          attempts: eb('attempts', '+', 1),
          started_at: t,
          error: null,
        }))
        .where('id', '=', next.id)
        .where('state', '=', 'queued')
        .returningAll()
        .executeTakeFirst();
      return updated ?? null;
    });
  }

  /** Extend the lease; false when the task is no longer ours (lease expired and re-queued, or deleted). */
  async heartbeat(taskId: string, workerId: string, leaseMs: number): Promise<boolean> {
    const res = await this.db
      .updateTable('tasks')
      .set({ lease_until: this.now() + leaseMs })
      .where('id', '=', taskId)
      .where('worker_id', '=', workerId)
      .where('state', '=', 'running')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async complete(taskId: string, workerId: string): Promise<boolean> {
    const res = await this.db
      .updateTable('tasks')
      .set({ state: 'done', finished_at: this.now(), lease_until: null })
      .where('id', '=', taskId)
      .where('worker_id', '=', workerId)
      .where('state', '=', 'running')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /**
   * Record a failure. Recoverable failures are retried with exponential backoff until max_attempts, then the
   * task is dead-lettered; non-recoverable ones fail at once. Returns the resulting state.
   */
  async fail(task: Task, workerId: string, message: string, recoverable: boolean): Promise<'queued' | 'failed' | 'dead'> {
    const t = this.now();
    const retry = recoverable && task.attempts < task.max_attempts;
    const state = retry ? 'queued' : recoverable ? 'dead' : 'failed';
    await this.db
      .updateTable('tasks')
      .set({
        state,
        error: message.slice(0, 2000),
        lease_until: null,
        worker_id: retry ? null : workerId,
        run_after: retry ? t + backoffMs(task.attempts, this.opts.backoffBaseMs) : task.run_after,
        finished_at: retry ? null : t,
      })
      .where('id', '=', task.id)
      .where('worker_id', '=', workerId)
      .where('state', '=', 'running')
      .execute();
    return state;
  }

  /** Put tasks whose lease ran out (their worker died) back in the queue. Returns how many. */
  async requeueExpired(): Promise<number> {
    const res = await this.db
      .updateTable('tasks')
      .set({ state: 'queued', worker_id: null, lease_until: null })
      .where('state', '=', 'running')
      .where('lease_until', '<', this.now())
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  /** Re-run a dead-lettered or failed task from scratch. */
  async rerun(taskId: string): Promise<boolean> {
    const res = await this.db
      .updateTable('tasks')
      .set({ state: 'queued', attempts: 0, run_after: this.now(), error: null, finished_at: null, worker_id: null })
      .where('id', '=', taskId)
      .where('state', 'in', ['dead', 'failed'])
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 1) for (const fn of this.listeners) fn();
    return Number(res.numUpdatedRows) === 1;
  }

  async forVideo(videoId: string): Promise<Task[]> {
    return this.db.selectFrom('tasks').selectAll().where('video_id', '=', videoId).orderBy('created_at', 'asc').execute();
  }

  async get(taskId: string): Promise<Task | undefined> {
    return this.db.selectFrom('tasks').selectAll().where('id', '=', taskId).executeTakeFirst();
  }
}
