/**
 * Diagnostic for bench/views.ts: what one view-log row costs SQLite depending on the table's indexes. Inserts N rows
 * of N distinct, random-looking viewers of one video in 1000-row transactions (the product's settings: WAL,
 * synchronous=NORMAL; multi-row prepared INSERTs as ViewStore sends them) and prints µs per row.
 *
 *   npx tsx bench/sqlite-log-indexes.ts [--rows=60000]
 *
 * Layouts: the product's (rowid table, primary key (video, viewer, hour), viewer index, time index); without the
 * viewer index; the key as a WITHOUT ROWID table; a unique index on two integers (hour, 64-bit hash); the time index
 * alone; no index at all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import SQLite from 'better-sqlite3';
import { fmt } from './support.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '60000' } } });
const N = Number(values.rows);
const BATCH = 1000;
const COLUMNS = 'video_id text not null, viewer_key text not null, hour bigint not null, at bigint not null, user_id text, country text not null, device text not null, watch_sec double precision not null';

const layouts: Array<{ name: string; ddl: string[]; withHash?: boolean }> = [
  { name: "the product's: rowid, key (video, viewer, hour), viewer index, time index", ddl: [`create table t (${COLUMNS}, primary key (video_id, viewer_key, hour))`, 'create index t_viewer on t (viewer_key, at, video_id)', 'create index t_at on t (at)'] },
  { name: 'rowid, key, time index', ddl: [`create table t (${COLUMNS}, primary key (video_id, viewer_key, hour))`, 'create index t_at on t (at)'] },
  { name: 'WITHOUT ROWID on the key, time index', ddl: [`create table t (${COLUMNS}, primary key (video_id, viewer_key, hour)) without rowid`, 'create index t_at on t (at)'] },
  { name: 'unique (hour, 64-bit hash), time index', ddl: [`create table t (${COLUMNS}, h integer not null)`, 'create unique index t_h on t (hour, h)', 'create index t_at on t (at)'], withHash: true },
  { name: 'time index only', ddl: [`create table t (${COLUMNS})`, 'create index t_at on t (at)'] },
  { name: 'no index', ddl: [`create table t (${COLUMNS})`] },
];

const viewers = Array.from({ length: N }, (_, i) => `a:${createHash('sha256').update(`viewer-${i}`).digest('base64url').slice(0, 22)}`);
const hashes = viewers.map((v) => createHash('sha256').update(v).digest().readBigInt64LE());

const dir = mkdtempSync(join(tmpdir(), 'reel-bench-log-'));
try {
  console.log(`${N} rows, ${BATCH} per transaction, WAL, synchronous=NORMAL`);
  for (const layout of layouts) {
    const file = join(dir, `${layouts.indexOf(layout)}.db`);
    const db = new SQLite(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.defaultSafeIntegers(true);
    for (const d of layout.ddl) db.exec(d);
    const width = layout.withHash ? 9 : 8;
    const tuple = `(${Array(width).fill('?').join(', ')})`;
    const statements = new Map([64, 8, 1].map((n) => [n, db.prepare(`insert into t values ${Array(n).fill(tuple).join(', ')} on conflict do nothing`)]));
    let at = Date.now();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let b = 0; b < N; b += BATCH) {
      db.transaction(() => {
        const end = Math.min(N, b + BATCH);
        for (let i = b; i < end; ) {
          const n = [64, 8, 1].find((size) => size <= end - i)!;
          const params: unknown[] = [];
          for (let j = i; j < i + n; j++) {
            params.push('v_0123456789abcdefghi', viewers[j], 1_700_000_000_000, at++, null, 'FR', 'desktop', 12);
            if (layout.withHash) params.push(hashes[j]);
          }
          statements.get(n)!.run(params);
          i += n;
        }
      })();
    }
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    db.close();
    console.log(`${fmt((wall * 1000) / N, 1).padStart(6)} µs/row wall, ${fmt((cpu.user + cpu.system) / N, 1).padStart(6)} µs/row CPU  ${layout.name}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
