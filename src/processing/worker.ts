/**
 * A worker runs tasks from the queue: claims, heartbeats while a handler runs, completes or fails the task.
 * Runs in-process under `reel serve` and alone under `reel worker`.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Task, TaskQueue } from './task-queue.js';

export interface TaskContext {
  task: Task;
  payload: any;
  signal: AbortSignal;
  log: Logger;
  /** publish partial output while running (e.g. segments finished so far) */
  setOutput(output: unknown): Promise<void>;
}

/** Runs a task; the returned value is stored as the task's output for later steps. */
export type TaskHandler = (ctx: TaskContext) => Promise<unknown>;

/** Errors with `recoverable === false` fail the task at once; everything else is retried with backoff. */
export function isRecoverable(err: unknown): boolean {
  return !(err && typeof err === 'object' && (err as { recoverable?: boolean }).recoverable === false);
}

export interface WorkerOptions {
  concurrency: number;
  /**
   * extra slots that only take urgent tasks (priority ≤ EXPRESS_PRIORITY: inspect, plan, the fast-start chunk,
   * the audio pass), so a new upload becomes playable while long chunk encodes hold the normal slots
   */
  expressSlots?: number;
  leaseMs?: number;
  pollMs?: number;
  /** the correlation id of a video (its tasks log under it) */
  traceOf?: (videoId: string) => Promise<string | null>;
  /** subscribe to "tasks became runnable" announcements from other processes; returns the unsubscribe */
  remoteWakeups?: (wake: () => void) => { close(): Promise<void> };
  /** called after a task fails for good (failed or dead), e.g. to mark the video failed */
  onGaveUp?: (task: Task, err: unknown, state: 'failed' | 'dead') => Promise<void>;
  /** called after every attempt, for metrics */
  onAttempt?: (task: Task, ms: number, outcome: 'done' | 'queued' | 'failed' | 'dead', err?: unknown) => void;
}

/** tasks at or below this priority number may run in an express slot (see pipelines/default.json) */
export const EXPRESS_PRIORITY = 1;

export class Worker {
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private running = 0;
  private express = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly aborts = new Set<AbortController>();
  private unsubscribe: (() => void) | null = null;
  private remote: { close(): Promise<void> } | null = null;
  private readonly leaseMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly queue: TaskQueue,
    private readonly handlers: Record<string, TaskHandler>,
    private readonly log: Logger,
    private readonly opts: WorkerOptions,
  ) {
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.pollMs = opts.pollMs ?? 1000;
  }

  start(): void {
    if (this.opts.concurrency <= 0) return;
    this.unsubscribe = this.queue.onEnqueue(() => this.tick());
    this.remote = this.opts.remoteWakeups?.(() => this.tick()) ?? null;
    this.log.info({ worker: this.id, concurrency: this.opts.concurrency }, 'worker started');
    this.tick();
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), this.pollMs);
    this.timer.unref?.();
  }

  private tick(): void {
    if (this.stopped) return;
    void this.fill().catch((err) => this.log.error({ err }, 'worker poll failed')).finally(() => this.schedule());
  }

  private async fill(): Promise<void> {
    await this.queue.requeueExpired();
    while (!this.stopped && this.running < this.opts.concurrency) {
      if (!(await this.claimInto('running'))) break;
    }
    while (!this.stopped && this.express < (this.opts.expressSlots ?? 0)) {
      if (!(await this.claimInto('express', EXPRESS_PRIORITY))) break;
    }
  }

  /** Claim one task into a normal or an express slot and start it; false when there was none. */
  private async claimInto(slot: 'running' | 'express', maxPriority?: number): Promise<boolean> {
    // take the slot before the (async) claim, so concurrent fills never exceed the slots
    this[slot]++;
    let task: Task | null;
    try {
      task = await this.queue.claim(this.id, this.leaseMs, undefined, maxPriority);
    } catch (err) {
      this[slot]--;
      throw err;
    }
    if (!task) {
      this[slot]--;
      return false;
    }
    // recording the outcome needs the database; if that fails too (the database is away), the task stays ours
    // until its lease expires and it is re-queued, so log it rather than let the rejection end the process
    const p = this.execute(task)
      .catch((err) => this.log.error({ err, task: task.id, kind: task.kind }, 'task outcome not recorded; it runs again once its lease expires'))
      .finally(() => {
        this[slot]--;
        this.inFlight.delete(p);
        this.tick();
      });
    this.inFlight.add(p);
    return true;
  }

  private async execute(task: Task): Promise<void> {
    const traceId = (await this.opts.traceOf?.(task.video_id).catch(() => null)) ?? undefined;
    const log = this.log.child({ traceId, task: task.id, kind: task.kind, video: task.video_id, attempt: task.attempts });
    const handler = this.handlers[task.kind];
    const abort = new AbortController();
    this.aborts.add(abort);
    const beat = setInterval(() => {
      this.queue
        .heartbeat(task.id, this.id, this.leaseMs)
        .then((mine) => {
          if (!mine) {
            log.warn('lost the lease; abandoning task');
            abort.abort();
          }
        })
        .catch((err) => log.warn({ err }, 'heartbeat failed'));
    }, Math.max(250, this.leaseMs / 3));
    const started = Date.now();
    try {
      if (!handler) throw Object.assign(new Error(`no handler for task kind ${task.kind}`), { recoverable: false });
      log.info('task started');
      const output = await handler({ task, payload: JSON.parse(task.payload), signal: abort.signal, log, setOutput: (o) => this.queue.setOutput(task.id, this.id, o) });
      if (abort.signal.aborted) throw new Error('task aborted');
      await this.queue.complete(task.id, this.id, output ?? null);
      log.info({ ms: Date.now() - started }, 'task done');
      this.opts.onAttempt?.(task, Date.now() - started, 'done');
    } catch (err) {
      if (abort.signal.aborted && this.stopped) {
        log.info('task interrupted by shutdown; its lease will expire and it will be retried');
        return;
      }
      const recoverable = isRecoverable(err);
      const state = await this.queue.fail(task, this.id, err instanceof Error ? err.message : String(err), recoverable);
      log.warn({ err, state, ms: Date.now() - started }, 'task failed');
      this.opts.onAttempt?.(task, Date.now() - started, state, err);
      if (state !== 'queued') await this.opts.onGaveUp?.(task, err, state);
    } finally {
      clearInterval(beat);
      this.aborts.delete(abort);
    }
  }

  /** Stop claiming; abort running tasks (they are retried elsewhere once their lease expires). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    await this.remote?.close();
    if (this.timer) clearTimeout(this.timer);
    for (const a of this.aborts) a.abort();
    await Promise.allSettled([...this.inFlight]);
  }
}
