/**
 * Benchmark (BRIEF §3): search and recommendation latency at 100k videos and 1M watch events, on SQLite and
 * PostgreSQL. Target: p99 ≤ 20 ms (the seed's 200 ms ÷ 10).
 *
 *   npx tsx bench/discovery-latency.ts [--videos=100000] [--viewers=50000] [--events=1000000] [--n=1000] [--db=sqlite|postgres|both] [--pg=URL]
 *                                      [--cache=DIR] [--profile] [--sqliteCacheMb=N]
 *
 * --cache=DIR keeps the loaded database (SQLite: a file in DIR; PostgreSQL: a schema named after the sizes) and
 * reuses it on the next run with the same sizes (the catalogue is regenerated from the same seed and matches it);
 * delete DIR (and `drop schema bench_cache_… cascade`) to start over. --profile prints the mean time per
 * stage (candidate query, index search, hydration) of each operation. --sqliteCacheMb=N sets SQLite's read connection's
 * page cache to N MB (an experiment: the product keeps SQLite's default of 2 MB).
 *
 * The synthetic catalogue and log of bench/discovery-synthetic.ts are loaded through the product's migrations,
 * the search index is built by the product's indexer; then the services behind the endpoints are called one
 * request at a time (no HTTP parsing), each operation `n` times after 50 warm-up calls:
 *  - search: SearchService.search (index query + view counts + re-rank + hydration of 20 results; the query log is written behind);
 *    queries are 1-3 words drawn like the titles (topic words, common words), 10% with a typo;
 *  - autocomplete: SearchService.autocomplete on 2-5 character prefixes;
 *  - home feed: RecommendationsService.home for viewers with history (all sources) and anonymous ones;
 *  - up next: RecommendationsService.upNext for popular-ish videos;
 * trending and popular lists are cached (recomputed every DISCOVERY_CACHE_SECONDS) and reported separately as the
 * cost of one recomputation. The recommendation budget is raised to 10 s so the stages' real time is measured.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../src/adapters/db/connect.js';
import { VideosService } from '../src/catalog/videos-service.js';
import { FsBlobStore } from '../src/adapters/blob/fs-blob-store.js';
import { CandidateQueries } from '../src/discovery/candidates.js';
import { CowatchTable } from '../src/discovery/cowatch.js';
import { SimilarTable } from '../src/discovery/similar.js';
import { TrendingService } from '../src/discovery/trending-service.js';
import { RecommendationsService } from '../src/discovery/recommendations-service.js';
import { SearchService } from '../src/discovery/search-service.js';
import { searchIndexFor } from '../src/discovery/discovery.js';
import { generate, load, rng } from './discovery-synthetic.js';

function parseCli(argv: string[]) {
  const o = { videos: 100_000, viewers: 50_000, events: 1_000_000, n: 1000, db: 'both', pg: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', cache: '', profile: false, sqliteCacheMb: 0 };
  for (const a of argv) {
    if (a === '--profile') {
      o.profile = true;
      continue;
    }
    const m = /^--(videos|viewers|events|n|db|pg|cache|sqliteCacheMb)=(.+)$/.exec(a);
    if (!m) throw new Error(`unknown option ${a}`);
    if (m[1] === 'db' || m[1] === 'pg' || m[1] === 'cache') o[m[1]] = m[2];
    else o[m[1] as 'videos'] = Number(m[2]);
  }
  return o;
}

/** `cached`: a name to keep the database under (reused when it exists) */
async function openBenchDb(kind: string, pgUrl: string, cached?: { dir: string; name: string }): Promise<{ handle: DatabaseHandle; cleanup(): Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = cached ? cached.dir : mkdtempSync(join(tmpdir(), 'reel-bench-discovery-'));
    const handle = await openDatabase(`sqlite:${join(dir, cached ? `${cached.name}.db` : 'reel.db')}`);
    return { handle, cleanup: async () => (await handle.close(), cached ? undefined : rmSync(dir, { recursive: true, force: true })) };
  }
  const schema = cached ? cached.name : `bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`create schema if not exists ${schema}`);
  await admin.end();
  if (cached) {
    const handle = await openDatabase(`${pgUrl}${pgUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`);
    return { handle, cleanup: () => handle.close() };
  }
  const handle = await openDatabase(`${pgUrl}${pgUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`);
  return {
    handle,
    async cleanup() {
      await handle.close();
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

type Result = { name: string; p50: number; p99: number; max: number; tail: string };

/** GC pauses seen while measuring (performance timeline ms), to tell which slow requests a collection overlapped */
const gcs: Array<{ start: number; end: number }> = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push({ start: e.startTime, end: e.startTime + e.duration });
}).observe({ entryTypes: ['gc'] });

/**
 * `n` timed calls after 50 warm-up calls. Besides the percentiles, what the slowest 1% were made of: this process's
 * CPU time during the request (user + system, all its threads), the GC pauses that overlapped it, and the rest (waiting:
 * for PostgreSQL, or for a core while other programs ran). `tag` labels each call (shown per label when given).
 */
async function measure(name: string, n: number, op: (i: number) => Promise<unknown>, tag?: () => string): Promise<Result> {
  for (let i = 0; i < 50; i++) await op(i + 1_000_000);
  const calls: Array<{ t0: number; ms: number; cpuMs: number; label: string }> = [];
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await op(i);
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const label = tag?.() ?? ''; // after the call: the tag describes the call just made
    calls.push({ t0, ms, cpuMs: (c.user + c.system) / 1000, label });
  }
  await new Promise((r) => setTimeout(r, 10)); // let the GC observer deliver
  const ts = calls.map((c) => c.ms);
  const p99 = pct(ts, 99);
  const slow = calls.filter((c) => c.ms >= p99);
  const gcIn = (c: { t0: number; ms: number }) => gcs.reduce((s, g) => s + Math.max(0, Math.min(g.end, c.t0 + c.ms) - Math.max(g.start, c.t0)), 0);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const allGc = mean(calls.map(gcIn));
  let tail = `slowest 1% (${slow.length}): ${mean(slow.map((c) => c.ms)).toFixed(1)} ms = CPU ${mean(slow.map((c) => c.cpuMs)).toFixed(1)} + GC ${mean(slow.map(gcIn)).toFixed(1)} (${slow.filter((c) => gcIn(c) > 0).length} hit a GC) + waiting ${mean(slow.map((c) => c.ms - c.cpuMs)).toFixed(1)}; all: CPU ${mean(calls.map((c) => c.cpuMs)).toFixed(1)} of ${mean(ts).toFixed(1)} ms, GC ${allGc.toFixed(2)} ms`;
  if (tag) {
    const labels = [...new Set(calls.map((c) => c.label))].sort();
    tail += `; ${labels.map((l) => { const xs = calls.filter((c) => c.label === l).map((c) => c.ms); return `${l} (${xs.length}): p50 ${pct(xs, 50).toFixed(1)} p99 ${pct(xs, 99).toFixed(1)}`; }).join(', ')}; slowest 1% by label: ${labels.map((l) => `${l} ${slow.filter((c) => c.label === l).length}`).join(', ')}`;
  }
  return { name, p50: pct(ts, 50), p99, max: Math.max(...ts), tail };
}

async function runOn(kind: string, o: ReturnType<typeof parseCli>) {
  console.log(`\n== ${kind}: ${o.videos} videos, ~${o.events} watch events, ${o.viewers} viewers`);
  const name = `bench_cache_${o.videos}_${o.viewers}_${o.events}`;
  const metaFile = o.cache ? join(o.cache, `${kind}-${name}.json`) : '';
  if (o.cache) mkdirSync(o.cache, { recursive: true });
  const reuse = metaFile !== '' && existsSync(metaFile);
  const now: number = reuse ? (JSON.parse(readFileSync(metaFile, 'utf8')) as { now: number }).now : Date.now();
  const { handle, cleanup } = await openBenchDb(kind, o.pg, o.cache ? { dir: o.cache, name } : undefined);
  try {
    let t = Date.now();
    // only what the requests are drawn from is kept: the whole catalogue and log (hundreds of MB) would make every
    // major GC of this process slower than a server's
    const { topicWords, withHistory } = await (async () => {
      const synth = generate({ videos: o.videos, viewers: o.viewers, events: o.events, topics: 60, videosPerChannel: 40, seed: 7, now });
      if (reuse) console.log(`  reusing the database cached in ${o.cache} (loaded ${new Date(now).toISOString()})`);
      else {
        await load(handle, synth, { holdout: 0, log: console.log });
        console.log(`  loaded in ${((Date.now() - t) / 1000).toFixed(0)} s`);
        if (metaFile) writeFileSync(metaFile, JSON.stringify({ now }));
      }
      const viewers = synth.watches.filter((w) => w.videos.length >= 2).map((w) => ({ key: w.key, first: synth.videoIds[w.videos[0]] }));
      return { topicWords: synth.topicWords, withHistory: viewers };
    })();
    // the co-watch table, as the background job builds it (all at once here; a no-op when the cache has it)
    t = Date.now();
    const cowatch = new CowatchTable(handle.db, {}, handle.reader);
    const built = (await cowatch.watermark()) === 0 ? await cowatch.rebuild({ lagMs: 0 }) : await cowatch.refresh({ lagMs: 0, maxSteps: 1_000_000 });
    const cowatchRows = await handle.db.withTables<{ video_cowatch: { video_id: string } }>().selectFrom('video_cowatch').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    console.log(`  co-watch table: ${built.events} events → ${built.pairs} pair increments in ${((Date.now() - t) / 1000).toFixed(1)} s; ${Number(cowatchRows.n)} rows`);
    if (built.events > 0) await sql.raw(handle.dialect === 'postgres' ? 'vacuum analyze video_cowatch' : 'analyze').execute(handle.db);
    // an experiment: a larger page cache for SQLite's read connection (default 2 MB; the product does not set one)
    if (kind === 'sqlite' && o.sqliteCacheMb > 0) await sql.raw(`pragma cache_size = -${o.sqliteCacheMb * 1024}`).execute(handle.reader);
    const index = searchIndexFor(handle);
    // the "similar" lists, as the background job builds them (all at once here; a no-op when the cache has them)
    t = Date.now();
    const similar = new SimilarTable(handle.db, index, {}, handle.reader);
    const sim =
      (await similar.watermark()) === 0
        ? await similar.rebuild({ lagMs: 0, onProgress: (n) => n % 10_000 === 0 && console.log(`  similar lists: ${n} computed (${((Date.now() - t) / 1000).toFixed(0)} s)`) })
        : await similar.refresh({ lagMs: 0, maxSteps: 1_000_000 });
    console.log(`  similar lists: ${sim.computed} computed in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    if (sim.computed > 0) await sql.raw(handle.dialect === 'postgres' ? 'vacuum analyze video_similar, video_similar_lists' : 'analyze').execute(handle.db);
    const queries = new CandidateQueries(handle.reader);
    const trending = new TrendingService(queries, { now: () => now, ttlMs: 3_600_000 });
    const videos = new VideosService(handle.db, new FsBlobStore(join(tmpdir(), 'reel-bench-unused')));
    const search = new SearchService(index, queries, videos, { now: () => now });
    const recs = new RecommendationsService(queries, similar, trending, videos, { now: () => now, budgetMs: 10_000 });
    t = Date.now();
    await trending.trending();
    const trendingMs = Date.now() - t;
    t = Date.now();
    await trending.popular();
    const popularMs = Date.now() - t;

    const r = rng(11);
    const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
    const common = ['how', 'best', 'guide', 'review', 'tutorial', 'new', 'tips'];
    const typo = (w: string) => (w.length > 4 ? w.slice(0, 2) + w[3] + w[2] + w.slice(4) : w);
    let lastTypo = false;
    const queryOf = () => {
      const tw = pick(topicWords);
      const n = 1 + Math.floor(r() * 3);
      const ws = Array.from({ length: n }, (_, i) => (i === 1 && r() < 0.3 ? pick(common) : tw[Math.floor(tw.length * r() ** 2)]));
      lastTypo = r() < 0.1;
      if (lastTypo) ws[0] = typo(ws[0]);
      return ws.join(' ');
    };
    const prefixOf = () => {
      const w = pick(pick(topicWords));
      return w.slice(0, 2 + Math.floor(r() * 4));
    };
    const stages = new Map<string, { ms: number; calls: number }>();
    if (o.profile) {
      // stages run one at a time while profiling, so each one's time is its own
      let lock: Promise<unknown> = Promise.resolve();
      const wrap = (obj: any, method: string, label: string) => {
        const orig = obj[method].bind(obj);
        obj[method] = async (...args: unknown[]) => {
          const turn = lock.then(async () => {
            const t0 = process.hrtime.bigint();
            try {
              return await orig(...args);
            } finally {
              const s = stages.get(label) ?? { ms: 0, calls: 0 };
              s.ms += Number(process.hrtime.bigint() - t0) / 1e6;
              s.calls++;
              stages.set(label, s);
            }
          });
          lock = turn.catch(() => {});
          return turn;
        };
      };
      for (const m of ['candidateLists', 'subscribed', 'unwatchedEligible', 'viewCounts']) wrap(queries, m, m);
      wrap(index, 'search', 'index.search');
      wrap(videos, 'listByIds', 'videos.listByIds');
      wrap(videos, 'getVisible', 'videos.getVisible');
    }
    const profiled = async (name: string, fn: () => Promise<Result>) => {
      stages.clear();
      const res = await fn();
      if (o.profile) {
        const calls = o.n + 50;
        console.log(`  ${name}: mean ms per operation by stage (stages run one at a time while profiling)`);
        for (const [k, v] of [...stages.entries()].sort((a, b) => b[1].ms - a[1].ms)) console.log(`    ${k.padEnd(20)} ${(v.ms / calls).toFixed(2).padStart(7)}  (${(v.calls / calls).toFixed(1)} calls)`);
      }
      return res;
    };
    // a recommendation that dropped a stage (deadline or error) would be measured doing less work: counted and shown
    let degraded = 0;
    const counted = async (p: Promise<{ degraded: string[] }>) => {
      if ((await p).degraded.length > 0) degraded++;
    };
    console.log(`  measuring at ${new Date().toISOString()}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    const results = [
      await profiled('search', () => measure('search', o.n, () => search.search({ q: queryOf(), sort: 'relevance', limit: 20, offset: 0 }), () => (lastTypo ? 'typo' : 'plain'))),
      await profiled('autocomplete', () => measure('autocomplete', o.n, () => search.autocomplete(prefixOf(), 8))),
      await profiled('home feed', () => measure('home feed (viewer with history)', o.n, () => counted(recs.home({ userId: null, viewerKey: pick(withHistory).key }, 12)))),
      await profiled('anonymous feed', () => measure('home feed (anonymous, no history)', o.n, () => counted(recs.home({ userId: null, viewerKey: `a:nobody-${r()}` }, 12)))),
      await profiled('up next', () => measure('up next', o.n, () => counted(recs.upNext(pick(withHistory).first, null, { userId: null, viewerKey: pick(withHistory).key }, 12)))),
    ];
    console.log(`  recommendations with a dropped stage: ${degraded}`);
    console.log(`  trending recomputation ${trendingMs} ms, popular recomputation ${popularMs} ms (cached, shared by all requests)`);
    console.log('  operation                              p50 ms   p99 ms   max ms   p99 vs 20 ms target');
    for (const x of results) console.log(`  ${x.name.padEnd(38)} ${x.p50.toFixed(2).padStart(7)} ${x.p99.toFixed(2).padStart(8)} ${x.max.toFixed(1).padStart(8)}   ${(x.p99 / 20).toFixed(2)}× ${x.p99 <= 20 ? 'met' : 'NOT met'}`);
    console.log(`  load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')}; the tails:`);
    for (const x of results) console.log(`  ${x.name}: ${x.tail}`);
    return results;
  } finally {
    await cleanup();
  }
}

async function main() {
  const o = parseCli(process.argv.slice(2));
  console.log(`discovery-latency on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, n=${o.n}`);
  for (const kind of o.db === 'both' ? ['sqlite', 'postgres'] : [o.db]) await runOn(kind, o);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
