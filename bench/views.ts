/**
 * Benchmark (BRIEF §3): view ingest on one process, with de-dup, against one SQL UPDATE per view.
 *
 *   npx tsx bench/views.ts [--viewers=N] [--repeats=R] [--concurrency=C] [--db=sqlite|postgres|both] [--pg=URL]
 *                          [--naive=no|raw|builder] [--parallel=P] [--warmup=W]
 *   (--warmup: viewers of another video reported first, untimed, default 20000 (the baseline: min(W, 1000)
 *   UPDATEs of another row), so neither side is timed while its code is still being compiled; --naive=no skips
 *   (b), to profile (a) alone; --naive=builder issues (b)'s UPDATE through Kysely's query builder, compiled for
 *   every view, as this benchmark did before 2026-11-23 23:30 UTC; the default sends the same SQL text without
 *   the builder, the way Reel's own log insert is sent; --parallel overrides the product's batch transactions in
 *   flight)
 *
 * (a) Reel: ViewsService.report() (the code behind POST /api/videos/:id/views, minus HTTP parsing), N distinct
 *     viewers of ONE video each reporting R heartbeats past the minimum watch time (so N×R reports, N views),
 *     C reports in flight. Each call returns only after its batch is committed (flush-on-ack), like the API.
 * (b) Naive: for each of the N views, one `UPDATE naive_counts SET views = views + 1 WHERE video_id = ?` (one
 *     autocommitted statement per view on one hot row), C in flight. It does no de-dup at all.
 * Both run on the same database engine, in the same process, one after the other. The final counts are checked:
 * (a) must equal N in the counters AND in the log, (b) must equal N.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { CompiledQuery } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../src/adapters/db/connect.js';
import { AccountsService } from '../src/accounts/accounts-service.js';
import { VideosService } from '../src/catalog/videos-service.js';
import { FsBlobStore } from '../src/adapters/blob/fs-blob-store.js';
import { ViewStore } from '../src/engagement/view-store.js';
import { ViewsService } from '../src/engagement/views-service.js';
import { fmt, pool } from './support.js';

function parseCli(argv: string[]) {
  const o = { viewers: 20_000, repeats: 3, concurrency: 1000, parallel: 0, warmup: 20_000, db: 'both', naive: 'raw', pg: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' };
  for (const a of argv) {
    const m = /^--(viewers|repeats|concurrency|parallel|warmup|db|pg|naive)=(.+)$/.exec(a);
    if (!m) throw new Error(`unknown option ${a}`);
    if (m[1] === 'db' || m[1] === 'pg' || m[1] === 'naive') o[m[1]] = m[2];
    else o[m[1] as 'viewers'] = Math.max(m[1] === 'warmup' ? 0 : 1, Number(m[2]));
  }
  return o;
}

/**
 * CPU seconds used by this benchmark's own PostgreSQL backends (found by application_name in pg_stat_activity,
 * read from /proc: only when the server runs on this machine), so the database's share of the work can be told
 * apart from other programs on a shared machine. NaN when it cannot be read.
 */
async function backendCpuSec(pgUrl: string, appName: string): Promise<number> {
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  try {
    const pids = (await c.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [appName])).rows.map((r) => r.pid);
    let ticks = 0;
    for (const pid of pids) {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    }
    return pids.length ? ticks / 100 : NaN;
  } catch {
    return NaN;
  } finally {
    await c.end();
  }
}

const cpuSec = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function openBenchDb(kind: string, pgUrl: string): Promise<{ handle: DatabaseHandle; cleanup(): Promise<void>; dbCpuSec(): Promise<number> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'reel-bench-views-'));
    const handle = await openDatabase(`sqlite:${join(dir, 'reel.db')}`);
    // SQLite runs inside this process: its CPU is in the process's own figure
    return { handle, cleanup: async () => rmSync(dir, { recursive: true, force: true }), dbCpuSec: async () => 0 };
  }
  const appName = `reel-bench-views-${process.pid}`;
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  await c.query(`create schema ${schema}`);
  await c.end();
  const handle = await openDatabase(`${pgUrl}${pgUrl.includes('?') ? '&' : '?'}application_name=${appName}&options=${encodeURIComponent(`-c search_path=${schema}`)}`);
  return {
    handle,
    dbCpuSec: () => backendCpuSec(pgUrl, appName),
    cleanup: async () => {
      const d = new pg.Client({ connectionString: pgUrl });
      await d.connect();
      await d.query(`drop schema ${schema} cascade`);
      await d.end();
    },
  };
}

async function run(kind: string, o: ReturnType<typeof parseCli>) {
  const { handle, cleanup, dbCpuSec } = await openBenchDb(kind, o.pg);
  try {
    const db = handle.db;
    const accounts = new AccountsService(db);
    const videos = new VideosService(db, new FsBlobStore(join(tmpdir(), 'reel-bench-unused')));
    const owner = await accounts.register({ email: 'bench@example.test', password: 'bench password', handle: 'bench' });
    const video = await videos.create(owner, { title: 'viral', visibility: 'public' });
    await videos.setMediaInfo(video.id, { durationSec: 600, width: 1920, height: 1080 });
    await videos.markReady(video.id, null);

    // (a) Reel
    // the product's settings (src/engagement/engagement.ts)
    const store = new ViewStore(db, handle.dialect);
    const batchSizes: number[] = [];
    const commitBatch = store.commit.bind(store);
    store.commit = (writes) => (batchSizes.push(writes.length), commitBatch(writes));
    const views = new ViewsService(store, videos, { parallel: o.parallel || (handle.dialect === 'postgres' ? 2 : 1) });
    let counted = 0;
    const reports = (videoId: string, viewers: number, prefix: string) => {
      const jobs: Array<() => Promise<void>> = [];
      for (let r = 0; r < o.repeats; r++) {
        for (let i = 0; i < viewers; i++) {
          const ctx = { user: null, anonId: `${prefix}-${i}`, ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0', countryHeader: i % 3 ? 'FR' : 'US' };
          jobs.push(async () => {
            if ((await views.report(videoId, ctx, { event: 'heartbeat', watchSeconds: 12 + r * 10 })).counted) counted++;
          });
        }
      }
      return jobs;
    };
    // warm-up, not timed: the same reports on another video, so the timed run starts with compiled code and open
    // connections (the baseline gets its own warm-up below)
    if (o.warmup > 0) {
      const other = await videos.create(owner, { title: 'warm-up', visibility: 'public' });
      await videos.setMediaInfo(other.id, { durationSec: 600, width: 1920, height: 1080 });
      await videos.markReady(other.id, null);
      await pool(reports(other.id, o.warmup, 'warm-up-viewer'), o.concurrency);
      await views.flush();
      counted = 0;
      batchSizes.length = 0;
    }
    const jobs = reports(video.id, o.viewers, 'bench-viewer');
    const [c0, d0] = [cpuSec(), await dbCpuSec()];
    const t0 = performance.now();
    await pool(jobs, o.concurrency);
    const reelSec = (performance.now() - t0) / 1000;
    const [reelCpu, reelDbCpu] = [cpuSec() - c0, (await dbCpuSec()) - d0];
    await views.close();
    const shown = await views.count(video.id);
    const logged = await new ViewStore(db, handle.dialect).logCount(video.id);

    // (b) one UPDATE per view
    await db.schema.createTable('naive_counts').addColumn('video_id', 'text', (c) => c.primaryKey()).addColumn('views', 'bigint', (c) => c.notNull()).execute();
    const naiveDb = db as any;
    let naiveSec = NaN;
    let naive = o.viewers;
    let [naiveCpu, naiveDbCpu] = [NaN, NaN];
    if (o.naive !== 'no') {
      await naiveDb.insertInto('naive_counts').values({ video_id: video.id, views: 0 }).execute();
      // the SQL text of the query builder's UPDATE (same statement either way; "raw" skips compiling it per view)
      const update = naiveDb.updateTable('naive_counts').set((eb: any) => ({ views: eb('views', '+', 1) })).where('video_id', '=', video.id);
      const compiled = update.compile();
      // warm-up, not timed, on another row
      if (o.warmup > 0) {
        await naiveDb.insertInto('naive_counts').values({ video_id: 'warm-up', views: 0 }).execute();
        const warm = CompiledQuery.raw(compiled.sql, compiled.parameters.map((v: unknown) => (v === video.id ? 'warm-up' : v)));
        await pool(Array.from({ length: Math.min(o.warmup, 1000) }, () => async () => void (await db.executeQuery(warm))), o.concurrency);
      }
      const naiveJobs = Array.from({ length: o.viewers }, () => async () => {
        if (o.naive === 'builder') await naiveDb.updateTable('naive_counts').set((eb: any) => ({ views: eb('views', '+', 1) })).where('video_id', '=', video.id).execute();
        else await db.executeQuery(CompiledQuery.raw(compiled.sql, [...compiled.parameters]));
      });
      const [c1, d1] = [cpuSec(), await dbCpuSec()];
      const t1 = performance.now();
      await pool(naiveJobs, o.concurrency);
      naiveSec = (performance.now() - t1) / 1000;
      [naiveCpu, naiveDbCpu] = [cpuSec() - c1, (await dbCpuSec()) - d1];
      naive = Number((await naiveDb.selectFrom('naive_counts').select('views').where('video_id', '=', video.id).executeTakeFirst()).views);
    }

    const reelViewsPerSec = o.viewers / reelSec;
    const reelReportsPerSec = (o.viewers * o.repeats) / reelSec;
    const naivePerSec = o.viewers / naiveSec;
    const exact = shown === o.viewers && logged === o.viewers && counted === o.viewers && naive === o.viewers;
    console.log(`\n[${kind}] ${o.viewers} viewers × ${o.repeats} reports, ${o.concurrency} in flight, one video`);
    console.log(`  (a) Reel, de-dup + log + sharded counters + hourly roll-ups: ${fmt(reelSec, 2)} s, ${fmt(reelReportsPerSec, 0)} reports/s, ${fmt(reelViewsPerSec, 0)} views/s; count ${shown}, log ${logged}, acked-as-counted ${counted}`);
    const perView = (sec: number) => fmt((sec * 1e6) / o.viewers, 0);
    console.log(`      CPU per view: Node ${perView(reelCpu)} µs, database backends ${perView(reelDbCpu)} µs; ${batchSizes.length} batches, ${fmt(batchSizes.reduce((a, b) => a + b, 0) / batchSizes.length, 0)} writes each on average`);
    console.log(`  (b) one UPDATE per view (${o.naive === 'builder' ? 'query builder' : 'SQL text'}):                 ${fmt(naiveSec, 2)} s, ${fmt(naivePerSec, 0)} views/s; count ${naive}`);
    console.log(`      CPU per view: Node ${perView(naiveCpu)} µs, database backends ${perView(naiveDbCpu)} µs`);
    console.log(`  ratio views/s (a)/(b): ${fmt(reelViewsPerSec / naivePerSec, 1)}×   reports/s (a) / views/s (b): ${fmt(reelReportsPerSec / naivePerSec, 1)}×   counts exact: ${exact ? 'yes' : 'NO'}`);
    if (!exact) process.exitCode = 1;
  } finally {
    await handle.close();
    await cleanup();
  }
}

async function main() {
  const o = parseCli(process.argv.slice(2));
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), ${fmt(totalmem() / 2 ** 30)} GiB RAM, node ${process.version}`);
  for (const kind of o.db === 'both' ? ['sqlite', 'postgres'] : [o.db]) await run(kind, o);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
