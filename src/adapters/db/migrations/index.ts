/**
 * Every migration, in order. Each lives in its own file (one per feature area); add yours here.
 * Written with Kysely's schema builder so they run unchanged on SQLite and PostgreSQL.
 */
import type { Migration } from 'kysely';
import { m0001 } from './0001-initial.js';
import { m0002 } from './0002-task-graph.js';

export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_task_graph': m0002,
};
