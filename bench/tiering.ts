/**
 * Storage tiering: a year of a Zipf-popular catalogue, simulated day by day with the product's own policy code
 * (planTiering of src/core/tiering.ts, the function the `reel tier` job calls), for each policy.
 *
 *   npx tsx bench/tiering.ts [--videos=10000] [--days=365] [--views=2000] [--zipf=1.0] [--seed=1] [--idle=7,30,90] [--after=1,3]
 *
 * Model (all assumptions are printed with the results):
 * - catalogue: half the videos exist at the start (ages uniform over the previous 2 years), the other half are
 *   uploaded uniformly during the year; durations log-normal (median 6 min, σ = 1, 1 to 120 min); source heights
 *   2160p 5%, 1440p 5%, 1080p 50%, 720p 30%, 480p 10% (16:9, 30 fps); the ladder is the product's planLadder;
 * - sizes: each rung averages `rungFill` × its maxrate (capped CRF), audio 128 kbit/s; a kept source is
 *   `sourceFactor` × the top rung's maxrate;
 * - popularity: each video gets a Zipf weight (random rank, exponent `zipf`); a video's expected views on a day
 *   are views/day × weight × decay(age) / Σ weight × decay(age), decay(age) = 1 / (1 + age/7 days);
 *   the day's views are Poisson draws (the same draws for every policy);
 * - a watch of a video fetches audio, the start rung (360p or the lowest) and the top rung: cold ones are
 *   promoted (bytes read back from the cold store), dropped ones re-created (the encode work counted below) by
 *   the first watch that finds TIERING_RECREATE_AFTER_VIEWS counted views since the drop (`--after`);
 * - the policy job runs once a day; a view counts as an access (lastAccessAt) for idleness;
 * - encode work: libx264 veryfast CPU-seconds per second of video = 0.75 × output megapixels + decode of the input
 *   (0.1 × input megapixels), from the transcode benchmark in docs/benchmarks.md (182 CPU-s for 60 s of the
 *   1080p ladder, 3.77 Mpx of outputs, 12 CPU-s of decode).
 */
import { cpus } from 'node:os';
import { planLadder, type Rung } from '../src/core/ladder.js';
import { DAY_MS, planTiering, type RenditionState, type TieringPolicy, type VideoUsage } from '../src/core/tiering.js';

function parseCli(argv: string[]) {
  const o = { videos: 10_000, days: 365, views: 2_000, zipf: 1.0, seed: 1, idle: [7, 30, 90], after: [1, 3], rungFill: 0.5, sourceFactor: 2, hotPrice: 0.023, coldPrice: 0.0125, coldReadPrice: 0.01, cpuHourPrice: 0.04 };
  for (const a of argv) {
    const [k, v] = a.replace(/^--/, '').split('=');
    if (k === 'idle' || k === 'after') o[k] = v.split(',').map(Number);
    else if (k in o) (o as any)[k] = Number(v);
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}
const opts = parseCli(process.argv.slice(2));

// ---- deterministic randomness
let state = opts.seed >>> 0 || 1;
const rand = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
function poisson(lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 50) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal()));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rand();
  } while (p > l);
  return k - 1;
}

// ---- the catalogue
interface Video {
  id: number;
  uploadDay: number; // may be negative (before the year)
  durationSec: number;
  rungs: Rung[];
  rungBytes: number[];
  audioBytes: number;
  sourceBytes: number;
  weight: number;
}
const HEIGHTS: Array<[number, number]> = [
  [2160, 0.05],
  [1440, 0.05],
  [1080, 0.5],
  [720, 0.3],
  [480, 0.1],
];
function pickHeight(): number {
  let r = rand();
  for (const [h, p] of HEIGHTS) if ((r -= p) < 0) return h;
  return 1080;
}
const N = opts.videos;
const ranks = Array.from({ length: N }, (_, i) => i + 1);
for (let i = N - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  [ranks[i], ranks[j]] = [ranks[j], ranks[i]];
}
const catalogue: Video[] = [];
for (let i = 0; i < N; i++) {
  const h = pickHeight();
  const rungs = planLadder({ width: Math.round((h * 16) / 9 / 2) * 2, height: h, rotation: 0, fps: 30 });
  const durationSec = Math.min(7200, Math.max(60, 360 * Math.exp(normal())));
  const rungBytes = rungs.map((r) => (r.maxKbps * 1000 * opts.rungFill * durationSec) / 8);
  catalogue.push({
    id: i,
    uploadDay: i < N / 2 ? -Math.floor(rand() * 730) : Math.floor(rand() * opts.days),
    durationSec,
    rungs,
    rungBytes,
    audioBytes: (128_000 * durationSec) / 8,
    sourceBytes: (rungs[rungs.length - 1].maxKbps * 1000 * opts.sourceFactor * durationSec) / 8,
    weight: 1 / ranks[i] ** opts.zipf,
  });
}

// ---- the same daily views for every policy
const views: Uint32Array[] = [];
{
  const decay = (age: number) => 1 / (1 + age / 7);
  for (let day = 0; day < opts.days; day++) {
    let total = 0;
    for (const v of catalogue) if (v.uploadDay <= day) total += v.weight * decay(day - v.uploadDay);
    const row = new Uint32Array(N);
    for (const v of catalogue) if (v.uploadDay <= day) row[v.id] = poisson((opts.views * v.weight * decay(day - v.uploadDay)) / total);
    views.push(row);
  }
}

const mpx = (r: { width: number; height: number }) => (r.width * r.height) / 1e6;
/** CPU-seconds to encode `rung` for a whole video from an input of `inMpx` megapixels */
const encodeCpuSec = (v: Video, rung: Rung, inMpx: number) => v.durationSec * (0.75 * mpx(rung) + 0.1 * inMpx);

interface Result {
  name: string;
  hotGbMonths: number;
  coldGbMonths: number;
  promotions: number;
  promotedGb: number;
  recreations: number;
  recreateCpuHours: number;
  degradedWatches: number;
  coldWatches: number;
  simMs: number;
}

function simulate(name: string, p: TieringPolicy, keepSource: boolean): Result {
  const started = Date.now();
  const t0 = Date.UTC(2026, 0, 1);
  const res: Result = { name, hotGbMonths: 0, coldGbMonths: 0, promotions: 0, promotedGb: 0, recreations: 0, recreateCpuHours: 0, degradedWatches: 0, coldWatches: 0, simMs: 0 };
  // per video: rendition states (mutated in place), window view sums, last access
  const rend: RenditionState[][] = catalogue.map((v) => [
    ...v.rungs.map((r, rank) => ({ name: r.name, kind: 'video' as const, codec: 'h264', rank, tier: 'hot' as const, bytes: v.rungBytes[rank] }) as RenditionState),
    { name: 'audio', kind: 'audio', tier: 'hot', bytes: v.audioBytes },
    ...(keepSource ? [{ name: 'source', kind: 'source', tier: 'hot', bytes: v.sourceBytes } as RenditionState] : []),
  ]);
  const windowSum = new Float64Array(N);
  const sinceDrop = new Float64Array(N); // counted views since the video's rungs were dropped
  const K = Math.max(0, p.recreateAfterViews ?? 0);
  const lastAccess: Array<number | null> = new Array(N).fill(null);
  const usage: VideoUsage[] = catalogue.map((v) => ({ videoId: String(v.id), publishedAt: t0 + v.uploadDay * DAY_MS, recentViews: 0, lastAccessAt: null, renditions: rend[v.id] }));
  let hotByteDays = 0;
  let coldByteDays = 0;
  for (let day = 0; day < opts.days; day++) {
    const now = t0 + day * DAY_MS;
    const today = views[day];
    for (const v of catalogue) {
      if (v.uploadDay > day) continue;
      const n = today[v.id];
      windowSum[v.id] += n;
      if (day - p.idleDays >= 0) windowSum[v.id] -= views[day - p.idleDays][v.id];
      if (!n) continue;
      lastAccess[v.id] = now;
      // the watch: audio, the start rung and the top rung
      const rs = rend[v.id];
      const rungs = rs.filter((r) => r.kind === 'video');
      const start = rungs.find((r) => r.name === '360p') ?? rungs[0];
      const top = rungs[rungs.length - 1];
      const touched = new Set([rs.find((r) => r.kind === 'audio')!, start, top]);
      let cold = false;
      for (const r of touched) {
        if (r.tier === 'cold') {
          cold = true;
          res.promotions++;
          res.promotedGb += r.bytes / 1e9;
          r.tier = 'hot';
        }
      }
      // dropped rungs: the whole dropped set of the ladder is re-created in one decode, by the first watch that
      // finds K counted views since the drop (watch j of the day sees sinceDrop + j - 1 views)
      const dropped = rungs.filter((r) => r.tier === 'dropped');
      const before = sinceDrop[v.id];
      sinceDrop[v.id] += n;
      if (dropped.length && before + n - 1 < K) res.degradedWatches += n;
      if (dropped.length && before + n - 1 >= K) {
        res.degradedWatches += Math.max(1, K - before + 1);
        const src = rs.find((r) => r.kind === 'source');
        const kept = rungs.filter((r) => r.tier !== 'dropped');
        const input = src ? v.rungs[v.rungs.length - 1] : v.rungs[kept[kept.length - 1].rank!];
        const inMpx = src ? mpx(input) * 1.0 : mpx(input);
        for (const r of dropped) {
          res.recreations++;
          res.recreateCpuHours += encodeCpuSec(v, v.rungs[r.rank!], 0) / 3600;
          r.tier = 'hot';
        }
        res.recreateCpuHours += (v.durationSec * 0.1 * inMpx) / 3600; // one decode of the input for the set
      }
      if (cold) res.coldWatches++;
    }
    // the daily job, with the product's decision function
    if (p.kind !== 'off') {
      const live: VideoUsage[] = [];
      for (const v of catalogue) {
        if (v.uploadDay > day) continue;
        const u = usage[v.id];
        u.recentViews = windowSum[v.id];
        u.lastAccessAt = lastAccess[v.id];
        live.push(u);
      }
      for (const m of planTiering(live, p, now + DAY_MS - 1)) {
        const r = rend[Number(m.videoId)].find((x) => x.name === m.rendition)!;
        r.tier = m.to;
        if (m.to === 'dropped') sinceDrop[Number(m.videoId)] = 0;
      }
    }
    for (const v of catalogue) {
      if (v.uploadDay > day) continue;
      for (const r of rend[v.id]) {
        if (r.tier === 'hot' || r.tier === 'restoring') hotByteDays += r.bytes;
        else if (r.tier === 'cold') coldByteDays += r.bytes;
      }
    }
  }
  res.hotGbMonths = hotByteDays / 1e9 / 30;
  res.coldGbMonths = coldByteDays / 1e9 / 30;
  res.simMs = Date.now() - started;
  return res;
}

// ---- runs
const base = { minViews: 1, dropRungs: 1, keepRungs: 2 };
const runs: Array<{ r: Result; keepSource: boolean }> = [];
runs.push({ r: simulate('all hot (off)', { kind: 'off', idleDays: 30, ...base }, false), keepSource: false });
for (const idle of opts.idle) runs.push({ r: simulate(`cold, idle ${idle} d`, { kind: 'cold', idleDays: idle, ...base }, false), keepSource: false });
for (const idle of opts.idle) runs.push({ r: simulate(`drop-top 1, idle ${idle} d`, { kind: 'drop-top', idleDays: idle, ...base }, false), keepSource: false });
for (const after of opts.after) runs.push({ r: simulate(`drop-top 1, idle 30 d, re-create after ${after} views`, { kind: 'drop-top', idleDays: 30, ...base, recreateAfterViews: after }, false), keepSource: false });
runs.push({ r: simulate('all hot + KEEP_SOURCE', { kind: 'off', idleDays: 30, ...base }, true), keepSource: true });
runs.push({ r: simulate('cold + KEEP_SOURCE, idle 30 d', { kind: 'cold', idleDays: 30, ...base }, true), keepSource: true });
runs.push({ r: simulate('drop-top 1 + KEEP_SOURCE (source cold), idle 30 d', { kind: 'drop-top', idleDays: 30, ...base }, true), keepSource: true });

// context: the year's uploads and their full-ladder encode work
let uploadsInYear = 0;
let ladderCpuHours = 0;
let totalViews = 0;
for (const v of catalogue) {
  if (v.uploadDay >= 0) {
    uploadsInYear++;
    ladderCpuHours += (v.durationSec * (0.75 * v.rungs.reduce((s, r) => s + mpx(r), 0) + 0.1 * mpx(v.rungs[v.rungs.length - 1]))) / 3600;
  }
}
for (const row of views) for (const n of row) totalViews += n;
const idleAtEnd = catalogue.filter((v) => v.uploadDay < opts.days - 30 && views.slice(-30).every((row) => row[v.id] === 0)).length;

const fmtN = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
console.log(`# storage tiering simulation: ${N} videos, ${opts.days} days, ${fmtN(opts.views)} views/day, Zipf s=${opts.zipf}, seed ${opts.seed}`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}`);
console.log(`views in the year: ${fmtN(totalViews)}; videos uploaded in the year: ${uploadsInYear}; videos with no view in the last 30 days (at the end): ${idleAtEnd}`);
console.log(`full-ladder encode work of the year's uploads: ${fmtN(ladderCpuHours, 1)} CPU-hours`);
console.log(`prices for the $ columns: hot $${opts.hotPrice}/GB-month, cold $${opts.coldPrice}/GB-month, cold reads $${opts.coldReadPrice}/GB, encoding $${opts.cpuHourPrice}/CPU-hour\n`);
console.log('| policy | hot GB-months | cold GB-months | saved vs all-hot (GB-months hot) | storage $ (saved) | promotions (GB read back) | re-created rungs | extra encode CPU-hours (% of the year\'s ladder encodes) | watches without the dropped rung / first watches from the cold store | storage + reads + re-encodes $ (vs all hot) |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const { r, keepSource } of runs) {
  const baseline = runs.find((x) => x.keepSource === keepSource && x.r.name.startsWith('all hot'))!.r;
  const cost = (x: Result) => x.hotGbMonths * opts.hotPrice + x.coldGbMonths * opts.coldPrice + x.promotedGb * opts.coldReadPrice;
  const saved = 1 - r.hotGbMonths / baseline.hotGbMonths;
  console.log(
    `| ${r.name} | ${fmtN(r.hotGbMonths)} | ${fmtN(r.coldGbMonths)} | ${fmtN(100 * saved, 1)}% | $${fmtN(cost(r))} (${fmtN(100 * (1 - cost(r) / cost(baseline)), 1)}%) | ${fmtN(r.promotions)} (${fmtN(r.promotedGb, 1)}) | ${fmtN(r.recreations)} | ${fmtN(r.recreateCpuHours, 1)} (${fmtN((100 * r.recreateCpuHours) / ladderCpuHours, 1)}%) | ${fmtN(r.degradedWatches)} / ${fmtN(r.coldWatches)} | $${fmtN(cost(r) + r.recreateCpuHours * opts.cpuHourPrice)} (${fmtN(100 * (1 - (cost(r) + r.recreateCpuHours * opts.cpuHourPrice) / cost(baseline)), 1)}% saved) |`,
  );
}
console.log(`\nsimulation time: ${runs.map((x) => `${(x.r.simMs / 1000).toFixed(1)} s`).join(', ')}`);
