/**
 * Durable task queue in the metadata database. Works on SQLite (one process) and PostgreSQL (many workers on
 * many machines: claims use FOR UPDATE SKIP LOCKED). Tasks form a DAG per video: a task waits until every task
 * it depends on is done. Tasks are leased; a worker that stops heartbeating loses its lease and the task goes
 * back to the queue.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { backoffMs } from '../core/backoff.js';
import type { Database, Db, TasksTable } from '../adapters/db/schema.js';
import type { DbDialect } from '../adapters/db/connect.js';
import type { TaskSpec } from '../core/pipeline.js';

export type Task = TasksTable;

export interface EnqueueInput {
  videoId: string;
  kind: string;
  key?: string;
  step?: string;
  payload?: unknown;
  priority?: number;
  maxAttempts?: number;
}

/** the PostgreSQL NOTIFY channel on which runnable tasks are announced */
export const TASKS_CHANNEL = 'reel_tasks';

export class TaskQueue {
  private listeners = new Set<() => void>();

  constructor(
    private readonly db: Db,
    private readonly dialect: DbDialect,
    private readonly opts: { maxAttempts: number; backoffBaseMs?: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** Called when tasks become runnable in this process, so in-process workers wake up at once. */
  onEnqueue(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Wake this process's workers (another process made tasks runnable). */
  wakeLocal(): void {
    for (const fn of this.listeners) fn();
  }

  private notify() {
    this.wakeLocal();
    // workers in other processes: PostgreSQL tells their listeners (see adapters/db/task-wakeups.ts)
    if (this.dialect === 'postgres') void sql`select pg_notify(${TASKS_CHANNEL}, '')`.execute(this.db).catch(() => {});
  }

  private row(videoId: string, spec: { key: string; step: string; kind: string; priority: number; payload: unknown; deps: string[]; state: 'queued' | 'waiting' }, maxAttempts?: number): TasksTable {
    return {
      id: randomUUID(),
      video_id: videoId,
      key: spec.key,
      step: spec.step,
      kind: spec.kind,
      state: spec.state,
      deps: JSON.stringify(spec.deps),
      priority: spec.priority,
      attempts: 0,
      max_attempts: maxAttempts ?? this.opts.maxAttempts,
      run_after: this.now(),
      lease_until: null,
      worker_id: null,
      payload: JSON.stringify(spec.payload ?? {}),
      output: null,
      error: null,
      created_at: this.now(),
      started_at: null,
      finished_at: null,
    };
  }

  async enqueue(input: EnqueueInput): Promise<string> {
    const key = input.key ?? input.kind;
    const r = this.row(input.videoId, { key, step: input.step ?? key, kind: input.kind, priority: input.priority ?? 100, payload: input.payload, deps: [], state: 'queued' }, input.maxAttempts);
    await this.db.insertInto('tasks').values(r).execute();
    this.notify();
    return r.id;
  }

  /**
   * Add a graph of tasks for a video. Dependencies may name tasks of the video that already exist. Idempotent:
   * a key that already exists is skipped, so a re-run planner never duplicates tasks.
   */
  async addGraph(videoId: string, specs: TaskSpec[], priorityBias = 0): Promise<number> {
    const added = await this.db.transaction().execute(async (tx) => {
      await this.lockVideo(tx, videoId);
      const existing = await tx.selectFrom('tasks').select(['key', 'state']).where('video_id', '=', videoId).execute();
      const done = new Set(existing.filter((t) => t.state === 'done').map((t) => t.key));
      const have = new Set(existing.map((t) => t.key));
      const rows = specs
        .filter((s) => !have.has(s.key))
        .map((s) => this.row(videoId, { ...s, deps: s.after, priority: s.priority + priorityBias, state: s.after.every((d) => done.has(d)) ? 'queued' : 'waiting' }));
      for (let i = 0; i < rows.length; i += 200) await tx.insertInto('tasks').values(rows.slice(i, i + 200)).execute();
      return rows.length;
    });
    this.notify();
    return added;
  }

  /** Serialise completions of one video's tasks, so the last finishing dependency always promotes its dependents. */
  private async lockVideo(tx: Transaction<Database>, videoId: string) {
    if (this.dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${videoId}))`.execute(tx);
  }

  /** Claim the most urgent runnable task (lowest priority number first, then oldest), of `kinds` and at most `maxPriority` when given. */
  async claim(workerId: string, leaseMs: number, kinds?: string[], maxPriority?: number): Promise<Task | null> {
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
      if (kinds?.length) q = q.where('kind', 'in', kinds);
      if (maxPriority !== undefined) q = q.where('priority', '<=', maxPriority);
      if (this.dialect === 'postgres') q = q.modifyEnd(sql`for update skip locked`);
      const next = await q.executeTakeFirst();
      if (!next) return null;
      const updated = await tx
        .updateTable('tasks')
        .set((eb) => ({ state: 'running', worker_id: workerId, lease_until: t + leaseMs, attempts: eb('attempts', '+', 1), started_at: t, error: null }))
        .where('id', '=', next.id)
        .where('state', '=', 'queued')
        .returningAll()
        .executeTakeFirst();
      return updated ?? null;
    });
  }

  /** Extend the lease; false when the task is no longer ours (lease expired and re-queued, or cancelled). */
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

  /** Store (partial) output of a running task, e.g. the segments published so far. */
  async setOutput(taskId: string, workerId: string, output: unknown): Promise<void> {
    await this.db.updateTable('tasks').set({ output: JSON.stringify(output) }).where('id', '=', taskId).where('worker_id', '=', workerId).where('state', '=', 'running').execute();
  }

  /** Mark done with its output and release the tasks that were waiting only for it. */
  async complete(taskId: string, workerId: string, output?: unknown): Promise<boolean> {
    let ok = false;
    await this.db.transaction().execute(async (tx) => {
      const task = await tx.selectFrom('tasks').select(['video_id']).where('id', '=', taskId).executeTakeFirst();
      if (!task) return;
      await this.lockVideo(tx, task.video_id);
      const values: Partial<TasksTable> = { state: 'done', finished_at: this.now(), lease_until: null };
      if (output !== undefined) values.output = JSON.stringify(output);
      const res = await tx.updateTable('tasks').set(values).where('id', '=', taskId).where('worker_id', '=', workerId).where('state', '=', 'running').executeTakeFirst();
      ok = Number(res.numUpdatedRows) === 1;
      if (ok) await this.promote(tx, task.video_id);
    });
    if (ok) this.notify();
    return ok;
  }

  private async promote(tx: Transaction<Database>, videoId: string) {
    const tasks = await tx.selectFrom('tasks').select(['id', 'key', 'state', 'deps']).where('video_id', '=', videoId).execute();
    const done = new Set(tasks.filter((t) => t.state === 'done').map((t) => t.key));
    const ready = tasks.filter((t) => t.state === 'waiting' && (JSON.parse(t.deps) as string[]).every((d) => done.has(d))).map((t) => t.id);
    if (ready.length) await tx.updateTable('tasks').set({ state: 'queued', run_after: this.now() }).where('id', 'in', ready).where('state', '=', 'waiting').execute();
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

  /** Stop every unfinished task of a video (it failed or was deleted). */
  async cancelVideo(videoId: string, keepTaskId?: string): Promise<void> {
    let q = this.db
      .updateTable('tasks')
      .set({ state: 'cancelled', lease_until: null, finished_at: this.now() })
      .where('video_id', '=', videoId)
      .where('state', 'in', ['waiting', 'queued', 'running']);
    if (keepTaskId) q = q.where('id', '!=', keepTaskId);
    await q.execute();
  }

  /** Put tasks whose lease ran out (their worker died) back in the queue. Returns how many. */
  async requeueExpired(): Promise<number> {
    const res = await this.db
      .updateTable('tasks')
      .set({ state: 'queued', worker_id: null, lease_until: null })
      .where('state', '=', 'running')
      .where('lease_until', '<', this.now())
      .executeTakeFirst();
    const n = Number(res.numUpdatedRows);
    if (n) this.notify();
    return n;
  }

  /** Re-run a dead-lettered or failed task from scratch. */
  async rerun(taskId: string): Promise<boolean> {
    const res = await this.db
      .updateTable('tasks')
      .set({ state: 'queued', attempts: 0, run_after: this.now(), error: null, finished_at: null, worker_id: null })
      .where('id', '=', taskId)
      .where('state', 'in', ['dead', 'failed'])
      .executeTakeFirst();
    const ok = Number(res.numUpdatedRows) === 1;
    if (ok) this.notify();
    return ok;
  }

  async forVideo(videoId: string): Promise<Task[]> {
    return this.db.selectFrom('tasks').selectAll().where('video_id', '=', videoId).orderBy('priority', 'asc').orderBy('created_at', 'asc').execute();
  }

  /** Outputs of a video's done (or running, for growing outputs) tasks, by key. */
  async outputs(videoId: string): Promise<Map<string, { state: string; kind: string; payload: any; output: any }>> {
    const rows = await this.db.selectFrom('tasks').select(['key', 'state', 'kind', 'payload', 'output']).where('video_id', '=', videoId).execute();
    return new Map(rows.map((r) => [r.key, { state: r.state, kind: r.kind, payload: JSON.parse(r.payload), output: r.output ? JSON.parse(r.output) : null }]));
  }

  async get(taskId: string): Promise<Task | undefined> {
    return this.db.selectFrom('tasks').selectAll().where('id', '=', taskId).executeTakeFirst();
  }

  /** Unfinished and dead-lettered tasks by state and priority (queue gauges). */
  async depth(): Promise<Array<{ state: string; priority: number; n: number }>> {
    const rows = await this.db
      .selectFrom('tasks')
      .select(['state', 'priority', (eb) => eb.fn.countAll<number>().as('n')])
      .where('state', 'in', ['waiting', 'queued', 'running', 'dead'])
      .groupBy(['state', 'priority'])
      .execute();
    return rows.map((r) => ({ state: r.state, priority: Number(r.priority), n: Number(r.n) }));
  }

  /** Queue depth by state (for the admin view and metrics). */
  async counts(): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('tasks').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('state').execute();
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }
}
