/**
 * Opens the metadata database: SQLite (embedded default, a file) or PostgreSQL (a postgres:// URL).
 * Both go through Kysely, so every query in Reel is written once.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { withStatementCache } from './statement-cache.js';
import pg from 'pg';
import type { Database, Db } from './schema.js';
import { migrateToLatest } from './migrations.js';

export type DbDialect = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Db;
  dialect: DbDialect;
  /**
   * For read-only request paths that should not queue behind writes (recommendation candidates): on an SQLite
   * file, a read-only connection of its own (WAL: it reads the last commit while a write transaction holds `db`'s
   * one connection); otherwise `db` itself (PostgreSQL's pool already has several connections).
   */
  reader: Db;
  close(): Promise<void>;
}

// int8 (bigint) columns hold millisecond timestamps and sizes: well inside 2^53
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export function dialectOf(url: string): DbDialect {
  return /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite';
}

export async function openDatabase(url: string): Promise<DatabaseHandle> {
  const dialect = dialectOf(url);
  let db: Db;
  let reader: Db | null = null;
  if (dialect === 'postgres') {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // A connection the server dropped (a restart, a failover) emits 'error': on the pool while idle, on the client
    // while checked out. Without listeners the process would exit. The pool discards a broken client and opens a
    // new one on the next query; queries in flight fail on their own and their callers handle that (a task is
    // retried, a request answers 5xx).
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  } else {
    const file = url.replace(/^sqlite:(\/\/)?/, '');
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    if (file !== ':memory:') {
      reader = new Kysely<Database>({
        dialect: new SqliteDialect({
          database: async () => {
            const r = new SQLite(file, { readonly: true });
            r.pragma('busy_timeout = 5000');
            return withStatementCache(r);
          },
        }),
      });
    }
  }
  await migrateToLatest(db, dialect);
  const r = reader;
  return { db, dialect, reader: r ?? db, close: async () => (await r?.destroy(), await db.destroy()) };
}
