/**
 * Benchmark (BRIEF §3) of the segment-parallel pipeline, measured through the real product: `reel serve
 * --no-worker` plus N `reel worker` processes (WORKER_CONCURRENCY=1 each) on a fresh data folder, a user registered
 * over HTTP, the source uploaded with tus-js-client, progress followed with GET /api/videos/:id (status, playable,
 * progress) and GET /api/videos/:id/tasks (per-task timings).
 *
 *   npx tsx bench/pipeline.ts [--long] [--ttfp-samples=N] [--only=ttfp,full,baselines] [--budget-min=45] [--ttfp-workers=2]
 *
 * Measures
 *   1. time from upload complete (tus onSuccess) to first playable (`playable` true in the API): 60 s 1080p source,
 *      and with --long also a 10 min 1080p source (those runs stop once the audio pass is done: the video is then
 *      deleted through the API and the processes stopped);
 *   2. wall time of the full H.264 ladder through the pipeline (upload complete -> status ready) for the 60 s
 *      source, against (a) one ffmpeg process, one decode, one output per rung (buildLadderArgs) and (b) one ffmpeg
 *      process per rendition, each decoding the source, run one after another and two at a time: computed in the
 *      same run, with the pipeline profile's settings (preset, CRF, segment length = GOP, AAC bit rate);
 *   3. the same full run with 1 and with 2 worker processes: the speed-up.
 * Options: --ttfp-samples=N time-to-playable samples per source and worker count (default 3); --ttfp-workers=2,1
 * worker-process counts for those samples (default 2); --only= a subset of the measurements; --budget-min= no
 * measurement starts after this many minutes (default 45; the rest is listed as skipped).
 * Each line reports the machine's busy share before the measurement and the CPU other programs used during it
 * (machine CPU minus this benchmark's process tree): on a shared machine, read the ratios with that column.
 * Every pipeline measurement starts a fresh set of processes on a fresh data folder (bench/.cache/pipeline-run-*),
 * so no run sees another's queue, de-duplication record or leftover ffmpeg.
 * Sources are generated once under bench/.cache (see bench/support.ts). Results are printed as tables and written
 * as JSON to bench/.cache/pipeline-results-<time>.json.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FfmpegRunner } from '../src/adapters/media/ffmpeg-runner.js';
import { locateMediaTools } from '../src/adapters/media/locate-tools.js';
import { AUDIO_DIR, buildLadderArgs, MEDIA_PLAYLIST, type LadderJob } from '../src/core/ffmpeg-args.js';
import { parseMediaPlaylist } from '../src/core/hls.js';
import { planLadder } from '../src/core/ladder.js';
import { parseProbe, type MediaInfo } from '../src/core/media-info.js';
import { parseProfile, type Profile } from '../src/core/pipeline.js';
import { startServerProcess, type ServerProcess } from '../test/support/server-process.js';
import { api } from '../test/topology/client.js';
import { tusUpload } from '../test/support/tus-upload.js';
import {
  audioOnlyLadderArgs,
  bytesUnder,
  CACHE_DIR,
  cachedFilm1080p,
  cachedLoopedCopy,
  fmt,
  machineBusyShare,
  machineCpuSec,
  median,
  pool,
  scratchDir,
  timed,
  treeCpuSec,
} from './support.js';

const REPO = new URL('..', import.meta.url).pathname;
const execFileP = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------- CLI

interface Options {
  long: boolean;
  ttfpSamples: number;
  only: Set<string>;
  budgetMin: number;
  /** worker-process counts to sample time-to-playable with */
  ttfpWorkers: number[];
}

function parseCli(argv: string[]): Options {
  const o: Options = { long: false, ttfpSamples: 3, only: new Set(['ttfp', 'full', 'baselines']), budgetMin: 45, ttfpWorkers: [2] };
  for (const a of argv) {
    let m: RegExpExecArray | null;
    if (a === '--long') o.long = true;
    else if ((m = /^--ttfp-samples=(\d+)$/.exec(a))) o.ttfpSamples = Math.max(0, Number(m[1]));
    else if ((m = /^--only=([a-z,]+)$/.exec(a))) o.only = new Set(m[1].split(','));
    else if ((m = /^--budget-min=(\d+(?:\.\d+)?)$/.exec(a))) o.budgetMin = Number(m[1]);
    else if ((m = /^--ttfp-workers=([\d,]+)$/.exec(a))) o.ttfpWorkers = m[1].split(',').map(Number).filter((n) => n > 0);
    else throw new Error(`unknown option ${a}; usage: tsx bench/pipeline.ts [--long] [--ttfp-samples=N] [--only=ttfp,full,baselines] [--budget-min=45] [--ttfp-workers=2]`);
  }
  return o;
}

// ---------------------------------------------------------------------------------------------------- processes

interface Cluster {
  server: ServerProcess;
  workers: ServerProcess[];
  dataDir: string;
  stop(): Promise<void>;
}

const live = new Set<Cluster>();

/** `reel serve --no-worker` + `workers` × `reel worker`, WORKER_CONCURRENCY=1 each, on a fresh data folder. */
async function startCluster(workers: number, preset: string): Promise<Cluster> {
  const dataDir = await scratchDir('pipeline-run-');
  // empty values fall back to the defaults (config ignores empty strings): nothing leaks in from the caller's shell
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    WORKER_CONCURRENCY: '1',
    X264_PRESET: preset,
    LOG_LEVEL: 'info',
    DATABASE_URL: '',
    BLOB_STORE: 'fs',
    BLOB_DIR: '',
    UPLOAD_DIR: '',
    WORK_DIR: '',
    PIPELINE_PROFILE: '',
    KEEP_SOURCE: 'false',
    FFMPEG_PATH: process.env.FFMPEG_PATH ?? '',
    FFPROBE_PATH: process.env.FFPROBE_PATH ?? '',
  };
  const started: ServerProcess[] = [];
  try {
    const server = await startServerProcess(env, ['serve', '--no-worker']);
    started.push(server);
    const ws: ServerProcess[] = [];
    // one after another: each process runs the migrations check on the shared SQLite file at start
    for (let i = 0; i < workers; i++) {
      const w = await startServerProcess(env, ['worker']);
      started.push(w);
      ws.push(w);
    }
    const cluster: Cluster = {
      server,
      workers: ws,
      dataDir,
      async stop() {
        live.delete(cluster);
        await Promise.all(started.map((p) => p.stop()));
        await rm(dataDir, { recursive: true, force: true });
      },
    };
    live.add(cluster);
    return cluster;
  } catch (err) {
    await Promise.all(started.map((p) => p.stop()));
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------- HTTP API

let userSeq = 0;
/** Register a fresh user (so no run meets another's de-duplication record or upload rate limit); returns an API token. */
async function signUp(base: string): Promise<string> {
  const n = `${Date.now().toString(36)}${userSeq++}`;
  const reg = await fetch(base + '/api/auth/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `bench-${n}@example.test`, password: 'benchmark password', handle: `bench_${n}` }),
  });
  if (reg.status !== 201) throw new Error(`register: HTTP ${reg.status} ${await reg.text()}`);
  const cookie = reg.headers.get('set-cookie')!.split(';')[0];
  const tok = await fetch(base + '/api/tokens', { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{"name":"bench"}' });
  if (tok.status !== 201) throw new Error(`token: HTTP ${tok.status} ${await tok.text()}`);
  return ((await tok.json()) as { token: string }).token;
}

interface TaskTiming {
  key: string;
  kind: string;
  state: string;
  attempts: number;
  /** epoch ms */
  startedAt: number | null;
  finishedAt: number | null;
  durationMs: number | null;
}

async function tasksOf(base: string, token: string, id: string): Promise<TaskTiming[]> {
  const r = await api(base, `/api/videos/${id}/tasks`, token);
  if (r.status !== 200) throw new Error(`tasks: HTTP ${r.status}`);
  return (r.body.items as any[]).map((t) => ({
    key: t.key,
    kind: t.kind,
    state: t.state,
    attempts: t.attempts,
    startedAt: t.startedAt ? Date.parse(t.startedAt) : null,
    finishedAt: t.finishedAt ? Date.parse(t.finishedAt) : null,
    durationMs: t.durationMs,
  }));
}

/** Seconds of video per chunk, read from a video rung's media playlist (segment names carry the chunk index). */
async function chunkSpans(base: string, token: string, hlsUrl: string): Promise<Record<number, number>> {
  const master = await api(base, hlsUrl, token);
  if (master.status !== 200 || typeof master.body !== 'string') return {};
  const variants = master.body.split(/\r?\n/).filter((l: string) => l && !l.startsWith('#'));
  if (!variants.length) return {};
  const url = new URL(variants[variants.length - 1], base + hlsUrl);
  const media = await api(base, url.pathname + url.search, token);
  if (media.status !== 200 || typeof media.body !== 'string') return {};
  const spans: Record<number, number> = {};
  for (const s of parseMediaPlaylist(media.body).segments) {
    const m = /c(\d+)_\d+\.m4s/.exec(s.uri);
    if (m) spans[Number(m[1])] = (spans[Number(m[1])] ?? 0) + s.durationSec;
  }
  return spans;
}

// ---------------------------------------------------------------------------------------------------- one upload

type Until = 'playable' | 'audio' | 'ready';

interface UploadRun {
  label: string;
  workers: number;
  source: string;
  sourceSec: number;
  uploadSec: number;
  /** upload complete (tus onSuccess) -> first poll that saw playable */
  ttfpSec: number | null;
  /** upload complete -> first poll that saw status ready */
  readySec: number | null;
  /** poll period while waiting for playable, for the resolution of ttfpSec */
  pollMs: number;
  progressAtPlayable: number | null;
  /** machine-wide busy CPU seconds from upload complete to the end of the observation */
  cpuSec: number;
  /** of which used by this benchmark's own process tree (API server, workers, their ffmpeg, the poller) */
  ownCpuSec: number;
  /** epoch ms of upload complete, to place the task timings */
  doneAt: number;
  tasks: TaskTiming[];
  chunkSpans: Record<number, number>;
  outBytes: number | null;
  busyBefore: number;
  loadBefore: number[];
}

async function uploadAndWatch(opts: { label: string; workers: number; file: string; sourceSec: number; until: Until; preset: string; timeoutMs: number }): Promise<UploadRun> {
  const busyBefore = await machineBusyShare(1000);
  const loadBefore = loadavg();
  const cluster = await startCluster(opts.workers, opts.preset);
  try {
    const base = cluster.server.url;
    const token = await signUp(base);
    const created = await api(base, '/api/videos', token, { method: 'POST', body: JSON.stringify({ title: `${opts.label} ${new Date().toISOString()}` }) });
    if (created.status !== 201) throw new Error(`create video: HTTP ${created.status} ${JSON.stringify(created.body)}`);
    const id: string = created.body.video.id;
    const t0 = performance.now();
    await tusUpload({ endpoint: `${base}/api/uploads`, token, file: opts.file, chunkSize: 16 * 2 ** 20, metadata: { videoId: id, title: opts.label, filetype: 'video/mp4' } });
    const tDone = performance.now();
    const doneAt = Date.now();
    const cpu0 = machineCpuSec();
    const own0 = await treeCpuSec();
    const uploadSec = (tDone - t0) / 1000;

    const POLL_MS = 50;
    let ttfpSec: number | null = null;
    let readySec: number | null = null;
    let progressAtPlayable: number | null = null;
    let v: any = null;
    const deadline = tDone + opts.timeoutMs;
    // 1. fast polling until playable
    for (;;) {
      const r = await api(base, `/api/videos/${id}`, token);
      const now = performance.now();
      if (r.status !== 200) throw new Error(`GET video: HTTP ${r.status} ${JSON.stringify(r.body)}`);
      v = r.body;
      if (v.status === 'failed') throw new Error(`video failed: ${JSON.stringify(v.error)}\n--- worker logs ---\n${cluster.workers.map((w) => w.log().slice(-4000)).join('\n')}`);
      if (v.playable && ttfpSec === null) {
        ttfpSec = (now - tDone) / 1000;
        progressAtPlayable = v.progress;
      }
      if (v.status === 'ready') readySec ??= (now - tDone) / 1000;
      if (ttfpSec !== null) break;
      if (now > deadline) throw new Error(`not playable after ${opts.timeoutMs / 1000} s (status ${v.status})`);
      await sleep(POLL_MS);
    }
    // 2. then, slower, until the stop condition
    if (opts.until === 'ready') {
      while (readySec === null) {
        await sleep(250);
        const r = await api(base, `/api/videos/${id}`, token);
        v = r.body;
        if (v.status === 'failed') throw new Error(`video failed: ${JSON.stringify(v.error)}`);
        if (v.status === 'ready') readySec = (performance.now() - tDone) / 1000;
        else if (performance.now() > deadline) throw new Error(`not ready after ${opts.timeoutMs / 1000} s (progress ${v.progress})`);
      }
    } else if (opts.until === 'audio') {
      for (;;) {
        const ts = await tasksOf(base, token, id);
        if (ts.find((t) => t.kind === 'encode-audio')?.state === 'done') break;
        if (performance.now() > deadline) break;
        await sleep(500);
      }
    }
    const cpuSec = machineCpuSec() - cpu0;
    const ownCpuSec = (await treeCpuSec()) - own0;
    const tasks = await tasksOf(base, token, id);
    let spans: Record<number, number> = {};
    let outBytes: number | null = null;
    if (readySec !== null && v.hlsUrl) {
      spans = await chunkSpans(base, token, v.hlsUrl);
      outBytes = await bytesUnder(join(cluster.dataDir, 'blobs', 'videos', id));
    }
    if (opts.until !== 'ready') {
      const del = await api(base, `/api/videos/${id}`, token, { method: 'DELETE' });
      if (del.status !== 204) console.warn(`  (DELETE /api/videos/${id}: HTTP ${del.status})`);
    }
    return {
      label: opts.label,
      workers: opts.workers,
      source: opts.file,
      sourceSec: opts.sourceSec,
      uploadSec,
      ttfpSec,
      readySec,
      pollMs: POLL_MS,
      progressAtPlayable,
      cpuSec,
      ownCpuSec,
      doneAt,
      tasks,
      chunkSpans: spans,
      outBytes,
      busyBefore,
      loadBefore,
    };
  } finally {
    await cluster.stop();
  }
}

// ---------------------------------------------------------------------------------------------------- task analysis

interface Breakdown {
  /** upload complete -> inspect claimed by a worker */
  pickupSec: number | null;
  stepSec: Record<string, number | null>;
  /** plan finished -> fast-start chunk (lowest rung of chunk 0) finished */
  firstLowestEndSec: number | null;
  chunks: Array<{ key: string; chunk: number; rungs: 'lowest' | 'rest' | 'all'; sec: number | null; videoSec: number | null; startRel: number | null; endRel: number | null }>;
  busySec: number;
  /** upload complete -> last task finished */
  lastEndSec: number | null;
}

function breakdown(run: UploadRun): Breakdown {
  const rel = (ms: number | null) => (ms === null ? null : (ms - run.doneAt) / 1000);
  const by = (pred: (t: TaskTiming) => boolean) => run.tasks.find(pred);
  const sec = (t: TaskTiming | undefined) => (t?.durationMs != null ? t.durationMs / 1000 : null);
  const inspect = by((t) => t.kind === 'inspect');
  const stepSec: Record<string, number | null> = {};
  for (const k of ['inspect', 'plan', 'encode-audio', 'thumbnails', 'storyboard', 'package', 'publish']) stepSec[k] = sec(by((t) => t.kind === k));
  const chunks = run.tasks
    .filter((t) => t.kind === 'encode-chunk')
    .map((t) => {
      const m = /#(\d+)(?::(.+))?$/.exec(t.key);
      const chunk = m ? Number(m[1]) : -1;
      const rungs: 'lowest' | 'rest' | 'all' = m?.[2] ? 'lowest' : chunk === 0 && run.tasks.some((o) => /#0:/.test(o.key)) ? 'rest' : 'all';
      return { key: t.key, chunk, rungs, sec: sec(t), videoSec: run.chunkSpans[chunk] ?? null, startRel: rel(t.startedAt), endRel: rel(t.finishedAt) };
    })
    .sort((a, b) => a.chunk - b.chunk || a.rungs.localeCompare(b.rungs));
  const fast = chunks.find((c) => c.rungs === 'lowest');
  const ends = run.tasks.map((t) => t.finishedAt).filter((x): x is number => x !== null);
  return {
    pickupSec: rel(inspect?.startedAt ?? null),
    stepSec,
    firstLowestEndSec: fast?.endRel ?? null,
    chunks,
    busySec: run.tasks.reduce((s, t) => s + (t.durationMs ?? 0) / 1000, 0),
    lastEndSec: ends.length ? rel(Math.max(...ends)) : null,
  };
}

// ---------------------------------------------------------------------------------------------------- baselines

interface BaselineRun {
  label: string;
  wallSec: number;
  cpuSec: number;
  /** of which used by this benchmark's process tree (its ffmpeg children) */
  ownCpuSec: number;
  outBytes: number;
  busyBefore: number;
}

function baselineRunner(runner: FfmpegRunner, source: string, info: MediaInfo, profile: Profile) {
  const rungs = planLadder(info.video!);
  const jobFor = (outDir: string): LadderJob => ({
    input: source,
    outDir,
    rungs,
    withAudio: !!info.audio,
    // the pipeline's own settings: its segment length, a keyframe at every segment boundary (GOP = segment)
    segmentSec: profile.segmentSeconds,
    gopSec: profile.segmentSeconds,
    preset: profile.video.preset,
    crf: profile.video.crf,
    audioKbps: profile.audio.bitrateKbps,
  });
  async function prepareOut(): Promise<string> {
    const root = join(CACHE_DIR, 'out');
    await mkdir(root, { recursive: true });
    const outDir = await mkdtemp(join(root, 'pipeline-baseline-'));
    for (const r of rungs) await mkdir(join(outDir, r.name), { recursive: true });
    if (info.audio) await mkdir(join(outDir, AUDIO_DIR), { recursive: true });
    return outDir;
  }
  async function checkOutputs(outDir: string): Promise<void> {
    for (const d of [...rungs.map((r) => r.name), ...(info.audio ? [AUDIO_DIR] : [])]) {
      const pl = parseMediaPlaylist(await readFile(join(outDir, d, MEDIA_PLAYLIST), 'utf8'));
      const total = pl.segments.reduce((s, x) => s + x.durationSec, 0);
      if (!pl.ended || !pl.segments.length || Math.abs(total - info.durationSec) > 2 * profile.segmentSeconds)
        throw new Error(`${outDir}/${d}: incomplete output (${pl.segments.length} segments, ${fmt(total)} s)`);
    }
  }
  const oneProcess = async (outDir: string) => runner.ffmpeg(buildLadderArgs(jobFor(outDir), info.video!.fps));
  const perRendition = (outDir: string, parallel: number) => {
    const job = jobFor(outDir);
    const jobs: Array<() => Promise<void>> = [...rungs].reverse().map((r) => () => runner.ffmpeg(buildLadderArgs({ ...job, rungs: [r], withAudio: false }, info.video!.fps)));
    if (info.audio) {
      const a = audioOnlyLadderArgs(buildLadderArgs(job, info.video!.fps));
      jobs.push(() => runner.ffmpeg(a));
    }
    return pool(jobs, parallel);
  };
  const configs = {
    a: { label: '(a) 1 ffmpeg process, 1 decode (buildLadderArgs)', run: oneProcess },
    bSeq: { label: '(b) 1 process per rendition, sequential', run: (d: string) => perRendition(d, 1) },
    bPar: { label: '(b) 1 process per rendition, 2 at a time', run: (d: string) => perRendition(d, 2) },
  };
  return {
    rungs,
    async run(which: keyof typeof configs): Promise<BaselineRun> {
      const c = configs[which];
      const busyBefore = await machineBusyShare(1000);
      const outDir = await prepareOut();
      try {
        const own0 = await treeCpuSec();
        const t = await timed(() => c.run(outDir));
        const ownCpuSec = (await treeCpuSec()) - own0;
        await checkOutputs(outDir);
        return { label: c.label, wallSec: t.wallSec, cpuSec: t.cpuSec, ownCpuSec, outBytes: await bytesUnder(outDir), busyBefore };
      } finally {
        await rm(outDir, { recursive: true, force: true });
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------- main

const pct = (x: number) => `${Math.round(x * 100)}%`;
const s = (x: number | null | undefined, d = 2) => (x === null || x === undefined || Number.isNaN(x) ? '–' : fmt(x, d));

async function gitState(): Promise<string> {
  try {
    const head = (await execFileP('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD'])).stdout.trim();
    const dirty = (await execFileP('git', ['-C', REPO, 'status', '--porcelain'])).stdout.split('\n').filter(Boolean).length;
    return `${head}${dirty ? ` + ${dirty} uncommitted paths in the working tree` : ''}`;
  } catch {
    return 'unknown';
  }
}

async function main() {
  const opts = parseCli(process.argv.slice(2));
  const startedAt = Date.now();
  const deadline = startedAt + opts.budgetMin * 60_000;
  const skipped: string[] = [];
  const inBudget = (what: string) => {
    if (Date.now() <= deadline) return true;
    skipped.push(what);
    console.log(`  SKIPPED (past the ${opts.budgetMin} min budget): ${what}`);
    return false;
  };

  const tools = await locateMediaTools({ ffmpeg: process.env.FFMPEG_PATH, ffprobe: process.env.FFPROBE_PATH });
  const runner = new FfmpegRunner(tools);
  const profile = parseProfile(JSON.parse(await readFile(join(REPO, 'pipelines/default.json'), 'utf8')));

  console.log('preparing sources (cached after the first run) ...');
  const src60 = await cachedFilm1080p(tools.ffmpeg, 60);
  const src600 = opts.long ? await cachedLoopedCopy(tools.ffmpeg, src60, 600) : null;
  const info60 = parseProbe(await runner.probe(src60.path));
  const info600 = src600 ? parseProbe(await runner.probe(src600.path)) : null;
  const baselines = baselineRunner(runner, src60.path, info60, profile);

  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${fmt(totalmem() / 2 ** 30)} GiB RAM, node ${process.version}`;
  console.log('');
  console.log(`date    : ${new Date(startedAt).toISOString()}`);
  console.log(`machine : ${machine}; load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`ffmpeg  : ${tools.ffmpeg} (${tools.origin}, version ${tools.version})`);
  console.log(`code    : ${await gitState()}`);
  console.log(`profile : pipelines/default.json: ${profile.chunkSeconds} s chunks (first ${profile.firstChunkSeconds} s, fast start ${profile.video.fastStart}), ${profile.segmentSeconds} s segments, libx264 ${profile.video.preset} CRF ${profile.video.crf}, AAC ${profile.audio.bitrateKbps}k`);
  console.log(`source  : ${src60.path} (${src60.created ? 'generated now' : 'cached'}): ${info60.video!.width}x${info60.video!.height} ${fmt(info60.video!.fps, 3)} fps, ${fmt(info60.durationSec, 2)} s`);
  if (src600 && info600) console.log(`source  : ${src600.path} (${src600.created ? 'generated now' : 'cached'}): ${info600.video!.width}x${info600.video!.height}, ${fmt(info600.durationSec, 2)} s`);
  console.log(`ladder  : ${baselines.rungs.map((r) => r.name).join(', ')} + audio`);
  console.log(`plan    : ${opts.only.has('ttfp') ? `${opts.ttfpSamples} time-to-playable sample(s) per source with ${opts.ttfpWorkers.join(' and ')} worker process(es); ` : ''}${opts.only.has('full') ? 'full pipeline runs with 2 and 1 workers; ' : ''}${opts.only.has('baselines') ? 'baselines (a), (b) sequential, (b) 2 at a time; ' : ''}budget ${opts.budgetMin} min`);
  console.log('');

  const ttfp: UploadRun[] = [];
  const full: UploadRun[] = [];
  const base: Record<string, BaselineRun> = {};
  const HOUR = 3600_000;

  if (opts.only.has('ttfp')) {
    const sources = [{ src: src60, info: info60 }, ...(src600 && info600 ? [{ src: src600, info: info600 }] : [])];
    for (const { src, info } of sources) {
      const label = `${Math.round(info.durationSec)} s 1080p`;
      const long = info.durationSec > 120;
      for (const workers of opts.ttfpWorkers) {
        for (let i = 1; i <= opts.ttfpSamples; i++) {
          if (!inBudget(`time to playable, ${label}, ${workers} workers, sample ${i}`)) continue;
          // the long source is followed until its audio pass is done, to time the serial steps at 10 min too
          const r = await uploadAndWatch({ label: `ttfp ${label} ${workers}w #${i}`, workers, file: src.path, sourceSec: info.durationSec, until: long ? 'audio' : 'playable', preset: profile.video.preset, timeoutMs: long ? 0.5 * HOUR : 0.25 * HOUR });
          ttfp.push(r);
          const b = breakdown(r);
          console.log(
            `time to playable, ${label}, ${workers} worker(s), #${i}: ${s(r.ttfpSec)} s (upload ${s(r.uploadSec, 1)} s; inspect picked up at +${s(b.pickupSec)} s, ran ${s(b.stepSec.inspect)} s; plan ${s(b.stepSec.plan)} s; lowest rung of chunk 0 done at +${s(b.firstLowestEndSec)} s)${long ? `; audio pass ${s(b.stepSec['encode-audio'], 1)} s` : ''}; machine busy before ${pct(r.busyBefore)}, other programs' CPU meanwhile ${s(r.cpuSec - r.ownCpuSec, 1)} s`,
          );
        }
      }
    }
  }

  // full runs and baselines interleaved, so slow drift in the machine's load hits all of them alike
  const steps: Array<{ what: string; go: () => Promise<void> }> = [];
  const fullRun = (workers: number) => async () => {
    const r = await uploadAndWatch({ label: `full 60 s 1080p, ${workers} worker(s)`, workers, file: src60.path, sourceSec: info60.durationSec, until: 'ready', preset: profile.video.preset, timeoutMs: 1 * HOUR });
    full.push(r);
    console.log(`full pipeline, ${workers} worker process(es): ready ${s(r.readySec, 1)} s after upload complete (playable at ${s(r.ttfpSec)} s), machine CPU ${s(r.cpuSec, 1)} s, output ${s((r.outBytes ?? 0) / 2 ** 20)} MiB; machine busy before ${pct(r.busyBefore)}, other programs' CPU during the run ${s(r.cpuSec - r.ownCpuSec, 1)} s`);
  };
  const baseRun = (k: 'a' | 'bSeq' | 'bPar') => async () => {
    const r = await baselines.run(k);
    base[k] = r;
    console.log(`${r.label}: ${s(r.wallSec, 1)} s wall, ${s(r.cpuSec, 1)} s CPU, output ${s(r.outBytes / 2 ** 20)} MiB; machine busy before ${pct(r.busyBefore)}, other programs' CPU during the run ${s(r.cpuSec - r.ownCpuSec, 1)} s`);
  };
  if (opts.only.has('full')) steps.push({ what: 'full pipeline, 2 workers', go: fullRun(2) });
  if (opts.only.has('baselines')) steps.push({ what: 'baseline (a)', go: baseRun('a') }, { what: 'baseline (b) 2 at a time', go: baseRun('bPar') });
  if (opts.only.has('full')) steps.push({ what: 'full pipeline, 1 worker', go: fullRun(1) });
  if (opts.only.has('baselines')) steps.push({ what: 'baseline (b) sequential', go: baseRun('bSeq') });
  for (const st of steps) if (inBudget(st.what)) await st.go();

  // ------------------------------------------------------------------------------------------------ report
  console.log('');
  console.log(`results (one round each; wall clock; CPU = busy time of all cores of the machine; load average now ${loadavg().map((x) => x.toFixed(2)).join(' ')})`);

  const groups = new Map<string, UploadRun[]>();
  for (const r of [...ttfp, ...full]) {
    const k = `${Math.round(r.sourceSec)} s 1080p, ${r.workers} worker${r.workers > 1 ? 's' : ''}${r.readySec !== null ? ' (full run)' : ''}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  if (groups.size) {
    console.log('');
    console.log('1. time from upload complete (tus onSuccess) to first playable (API `playable`), target ≤ 2 s');
    console.log('| source, workers | samples s | median s | pickup of inspect s | inspect s | plan s | lowest rung of chunk 0 done at s | other programs\' CPU s per sample | target |');
    console.log('|---|---|---:|---:|---:|---:|---:|---|---|');
    for (const [k, rs] of groups) {
      const m = median(rs.map((r) => r.ttfpSec ?? Number.NaN));
      const bs = rs.map(breakdown);
      console.log(
        `| ${k} | ${rs.map((r) => s(r.ttfpSec)).join(', ')} | ${s(m)} | ${s(median(bs.map((b) => b.pickupSec ?? Number.NaN)))} | ${s(median(bs.map((b) => b.stepSec.inspect ?? Number.NaN)))} | ${s(median(bs.map((b) => b.stepSec.plan ?? Number.NaN)))} | ${s(median(bs.map((b) => b.firstLowestEndSec ?? Number.NaN)))} | ${rs.map((r) => s(r.cpuSec - r.ownCpuSec, 1)).join(', ')} | ${m <= 2 ? 'MET' : 'NOT MET'} |`,
      );
    }
    console.log(`(the API is polled every ${ttfp[0]?.pollMs ?? 50} ms plus the request's own time; timings of steps come from GET /api/videos/:id/tasks, medians; "–" for the lowest rung: its segments were published, which makes the video playable, but the task was not yet marked done; other programs' CPU = machine CPU minus this benchmark's process tree, from upload complete to the end of the observation)`);
  }

  const f2 = full.find((r) => r.workers === 2);
  const f1 = full.find((r) => r.workers === 1);
  if (full.length || Object.keys(base).length) {
    console.log('');
    console.log('2. full H.264 ladder, 60 s 1080p source: upload complete -> status ready, vs the one-process baselines (same settings)');
    console.log('| configuration | wall s | CPU s, own | CPU s, other programs | output MiB | pipeline (2 workers) / this | pipeline (1 worker) / this |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    const rows: Array<{ label: string; wall: number; cpu: number; own: number; out: number | null }> = [
      ...full.map((r) => ({ label: `Reel pipeline, ${r.workers} worker process${r.workers > 1 ? 'es' : ''} × concurrency 1`, wall: r.readySec!, cpu: r.cpuSec, own: r.ownCpuSec, out: r.outBytes })),
      ...(['a', 'bSeq', 'bPar'] as const).filter((k) => base[k]).map((k) => ({ label: base[k].label, wall: base[k].wallSec, cpu: base[k].cpuSec, own: base[k].ownCpuSec, out: base[k].outBytes })),
    ];
    for (const r of rows) console.log(`| ${r.label} | ${s(r.wall, 1)} | ${s(r.own, 1)} | ${s(r.cpu - r.own, 1)} | ${r.out === null ? '–' : s(r.out / 2 ** 20)} | ${f2 ? `${s(f2.readySec! / r.wall)}×` : '–'} | ${f1 ? `${s(f1.readySec! / r.wall)}×` : '–'} |`);
    console.log('(own CPU of the pipeline includes the API server and the poller; output of the pipeline = its blob folder for the video: segments, playlists, thumbnails, storyboard)');
    for (const f of [f2, f1].filter((x): x is UploadRun => !!x)) {
      if (base.a) {
        const r = f.readySec! / base.a.wallSec;
        console.log(`pipeline (${f.workers} worker${f.workers > 1 ? 's' : ''}) / (a) one process one decode = ${s(r)}×   target ≤ 1.10×  ${r <= 1.1 ? 'MET' : 'NOT MET'}`);
      }
      if (base.bSeq) {
        const r = f.readySec! / base.bSeq.wallSec;
        console.log(`pipeline (${f.workers} worker${f.workers > 1 ? 's' : ''}) / (b) per rendition, sequential = ${s(r)}×   target ≤ 0.75×  ${r <= 0.75 ? 'MET' : 'NOT MET'}`);
      }
      if (base.bPar) {
        const r = f.readySec! / base.bPar.wallSec;
        console.log(`pipeline (${f.workers} worker${f.workers > 1 ? 's' : ''}) / (b) per rendition, 2 at a time = ${s(r)}×   (same ≤ 0.75× target against the stronger variant) ${r <= 0.75 ? 'MET' : 'NOT MET'}`);
      }
    }
  }

  if (f1 && f2) {
    console.log('');
    console.log('3. worker processes (WORKER_CONCURRENCY=1 each), 60 s 1080p, upload complete -> ready');
    console.log('| workers | ready s | playable s | sum of task durations s | tasks busy / (wall × workers) | speed-up |');
    console.log('|---:|---:|---:|---:|---:|---:|');
    for (const f of [f1, f2]) {
      const b = breakdown(f);
      console.log(`| ${f.workers} | ${s(f.readySec, 1)} | ${s(f.ttfpSec)} | ${s(b.busySec, 1)} | ${pct(b.busySec / (f.readySec! * f.workers))} | ${s(f1.readySec! / f.readySec!)}× |`);
    }
  }

  for (const f of full) {
    const b = breakdown(f);
    console.log('');
    console.log(`task timings, full run with ${f.workers} worker(s) (times relative to upload complete, from GET /api/videos/:id/tasks)`);
    console.log(`  pickup of inspect +${s(b.pickupSec)} s; ${Object.entries(b.stepSec).map(([k, v]) => `${k} ${s(v)} s`).join(', ')}; last task finished at +${s(b.lastEndSec, 1)} s; ready seen at ${s(f.readySec, 1)} s`);
    console.log('| task | video s | start s | end s | duration s | encode s per video s |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const c of b.chunks) {
      const vs = c.videoSec; // chunk 0's span is shared by its two tasks
      console.log(`| ${c.key}${c.rungs === 'lowest' ? ' (lowest rung alone)' : c.rungs === 'rest' ? ' (other rungs)' : ''} | ${s(vs, 2)} | ${s(c.startRel)} | ${s(c.endRel)} | ${s(c.sec)} | ${c.rungs === 'all' && vs ? s(c.sec! / vs) : '–'} |`);
    }
    const whole = b.chunks.filter((c) => c.rungs === 'all' && c.sec !== null && c.videoSec);
    const perSec = median(whole.map((c) => c.sec! / c.videoSec!));
    console.log(`  whole chunks (all ${baselines.rungs.length} rungs): median ${s(perSec)} encode s per video s, i.e. ${s(perSec * profile.chunkSeconds, 1)} s per ${profile.chunkSeconds} s chunk`);
  }

  for (const r of ttfp.filter((x) => x.sourceSec > 120)) {
    const b = breakdown(r);
    const done = b.chunks.filter((c) => c.sec !== null);
    console.log('');
    console.log(`${r.label}: steps until the audio pass finished: pickup +${s(b.pickupSec)} s; ${Object.entries(b.stepSec).filter(([, v]) => v !== null).map(([k, v]) => `${k} ${s(v)} s`).join(', ')}; encode-chunk tasks finished by then: ${done.length} (${done.map((c) => `${c.key} ${s(c.sec)} s`).join(', ')})`);
  }

  if (skipped.length) console.log(`\nskipped for the ${opts.budgetMin} min budget: ${skipped.join('; ')}`);
  const out = join(CACHE_DIR, `pipeline-results-${new Date(startedAt).toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(out, JSON.stringify({ startedAt: new Date(startedAt).toISOString(), machine, ffmpeg: tools, profile, options: { ...opts, only: [...opts.only] }, ttfp, full, baselines: base, skipped }, null, 2));
  console.log(`\nraw results: ${out}`);
  console.log(`total bench wall time ${s((Date.now() - startedAt) / 60_000, 1)} min`);
}

async function shutdown(code: number) {
  await Promise.allSettled([...live].map((c) => c.stop()));
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(130));
process.on('SIGTERM', () => void shutdown(143));

main().then(
  () => shutdown(0),
  async (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    await shutdown(1);
  },
);
