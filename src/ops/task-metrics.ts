/** Turns a finished task attempt into metric observations. */
import { MediaError } from '../core/errors.js';
import type { Task } from '../processing/task-queue.js';
import type { Metrics } from './metrics.js';

export function recordAttempt(m: Metrics, task: Task, ms: number, outcome: 'done' | 'queued' | 'failed' | 'dead', err?: unknown): void {
  const p = JSON.parse(task.payload) as { codec?: string; rungs?: string[] };
  const rungs = Array.isArray(p.rungs) ? (p.rungs.length === 1 ? p.rungs[0] : 'all') : '';
  const codec = task.kind === 'encode-chunk' ? (p.codec ?? 'h264') : '';
  m.taskDuration.observe({ kind: task.kind, codec, rungs, outcome: outcome === 'done' ? 'done' : 'failed' }, ms / 1000);
  if (outcome !== 'done') m.taskFailures.inc({ kind: task.kind, reason: err instanceof MediaError ? 'bad_media' : 'error', next: outcome === 'queued' ? 'retry' : outcome });
}
