/**
 * Every migration, in order. Each lives in its own file (one per feature area); add yours here.
 * Written with Kysely's schema builder so they run unchanged on SQLite and PostgreSQL.
 */
import type { Migration } from 'kysely';
import { m0001 } from './0001-initial.js';
import { m0002 } from './0002-task-graph.js';
import { m0003 } from './0003-engagement.js';
import { m0004 } from './0004-streaming.js';
import { m0005 } from './0005-upload-policy.js';
import { m0006 } from './0006-discovery.js';
import { m0007 } from './0007-captions.js';
import { m0008 } from './0008-trace.js';
import { m0009 } from './0009-audit.js';
import { m0010 } from './0010-moderation.js';
import { m0011 } from './0011-storage-tiering.js';
import { m0012 } from './0012-cowatch.js';
import { m0013 } from './0013-admin-console.js';
import { m0014 } from './0014-similar.js';
import { m0015 } from './0015-title-words.js';

export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_task_graph': m0002,
  '0003_engagement': m0003,
  '0004_streaming': m0004,
  '0005_upload_policy': m0005,
  '0006_discovery': m0006,
  '0007_captions': m0007,
  '0008_trace': m0008,
  '0009_audit': m0009,
  '0010_moderation': m0010,
  '0011_storage_tiering': m0011,
  '0012_cowatch': m0012,
  '0013_admin_console': m0013,
  '0014_similar': m0014,
  '0015_title_words': m0015,
};
