/**
 * Benchmark (BRIEF §3): total transcode wall time for the H.264 ladder,
 *   (a) Reel: ONE ffmpeg process, one decode of the source, one output per rung + audio (buildLadderArgs), versus
 *   (b) one ffmpeg process per rendition, each decoding the source itself (the PeerTube way), with the same
 *       per-rung encoder settings, run one after another (like PeerTube's per-resolution jobs on one worker)
 *       and also two at a time (the machine's core count).
 * Same input, same machine, one run. Prints wall times, machine CPU time and the ratios (a)/(b).
 *
 *   npx tsx bench/transcode-baseline.ts [source] [--repeat=N]
 *
 * Without a source, a 1080p 60 s clip is generated once under bench/.cache (see bench/support.ts).
 * The product's settings are used: planLadder(source), preset veryfast, CRF 23, 4 s segments, 2 s GOP, AAC 128k.
 * Baseline (b) gets every benefit of the doubt: its audio is one extra process that does not decode video
 * (PeerTube also muxes audio into each resolution unless audio is split), and the parallel variant schedules the
 * largest rungs first.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { FfmpegRunner } from '../src/adapters/media/ffmpeg-runner.js';
import { locateMediaTools } from '../src/adapters/media/locate-tools.js';
import { AUDIO_DIR, buildLadderArgs, MEDIA_PLAYLIST, type LadderJob } from '../src/core/ffmpeg-args.js';
import { parseMediaPlaylist } from '../src/core/hls.js';
import { planLadder } from '../src/core/ladder.js';
import { parseProbe } from '../src/core/media-info.js';
import { bytesUnder, CACHE_DIR, cachedFilm1080p, fmt, pool, timed } from './support.js';

// the product's defaults (src/config.ts X264_PRESET, SEGMENT_SECONDS; src/wiring/platform.ts crf, gop, audio)
const PRESET = 'veryfast';
const CRF = 23;
const SEGMENT_SEC = 4;
const GOP_SEC = 2;
const AUDIO_KBPS = 128;
const PARALLEL = 2;

function parseCli(argv: string[]) {
  let source: string | undefined;
  let repeat = 1;
  for (const a of argv) {
    const m = /^--repeat=(\d+)$/.exec(a);
    if (m) repeat = Math.max(1, Number(m[1]));
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}; usage: tsx bench/transcode-baseline.ts [source] [--repeat=N]`);
    else source = resolve(a);
  }
  return { source, repeat };
}

/**
 * The audio-only process of the per-rendition baseline, cut out of the product's own argv so its settings are
 * identical: the input part (everything before -filter_complex) plus the audio output (from `-map 0:a:0`).
 */
function audioOnlyArgs(fullArgs: string[]): string[] {
  const inputEnd = fullArgs.indexOf('-filter_complex');
  const audioStart = fullArgs.findIndex((a, i) => a === '-map' && fullArgs[i + 1] === '0:a:0');
  if (inputEnd < 0 || audioStart < 0) throw new Error('unexpected ladder argv shape');
  return [...fullArgs.slice(0, inputEnd), ...fullArgs.slice(audioStart)];
}

interface Result {
  label: string;
  wallSec: number[];
  cpuSec: number[];
  outBytes: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function main() {
  const { source: given, repeat } = parseCli(process.argv.slice(2));
  const tools = await locateMediaTools({ ffmpeg: process.env.FFMPEG_PATH, ffprobe: process.env.FFPROBE_PATH });
  const runner = new FfmpegRunner(tools);

  let source: string;
  let sourceNote: string;
  if (given) {
    source = given;
    sourceNote = 'given on the command line';
  } else {
    console.log('preparing the default source (cached after the first run) ...');
    const gen = await cachedFilm1080p(tools.ffmpeg, 60);
    source = gen.path;
    sourceNote = `${gen.created ? 'generated now' : 'cached'}: ${gen.description}`;
  }
  const info = parseProbe(await runner.probe(source));
  if (!info.video) throw new Error(`${source} has no video stream`);
  const rungs = planLadder(info.video);

  const cpuModel = cpus()[0]?.model ?? 'unknown cpu';
  console.log('');
  console.log(`machine : ${cpus().length} cores (${cpuModel}), ${fmt(totalmem() / 2 ** 30)} GiB RAM, node ${process.version}`);
  console.log(`ffmpeg  : ${tools.ffmpeg} (${tools.origin}, version ${tools.version})`);
  console.log(`source  : ${source}`);
  console.log(`          ${sourceNote}`);
  console.log(`          ${info.video.codec} ${info.video.width}x${info.video.height} ${fmt(info.video.fps, 3)} fps, ${fmt(info.durationSec, 2)} s, audio: ${info.audio ? `${info.audio.codec} ${info.audio.channels} ch` : 'none'}`);
  console.log(`ladder  : ${rungs.map((r) => `${r.name} ${r.width}x${r.height}@${Number(r.fps.toFixed(3))}`).join(', ')}${info.audio ? ' + audio' : ''}`);
  console.log(`settings: libx264 preset ${PRESET}, CRF ${CRF} capped, ${SEGMENT_SEC} s fMP4 HLS segments, ${GOP_SEC} s GOP, AAC ${AUDIO_KBPS}k; ${repeat} round(s)`);
  console.log('');

  const scratchRoot = join(CACHE_DIR, 'out');
  await mkdir(scratchRoot, { recursive: true });

  const jobFor = (outDir: string): LadderJob => ({
    input: source,
    outDir,
    rungs,
    withAudio: !!info.audio,
    segmentSec: SEGMENT_SEC,
    gopSec: GOP_SEC,
    preset: PRESET,
    crf: CRF,
    audioKbps: AUDIO_KBPS,
  });

  /** Every configuration writes the same folders; check they all hold a finished playlist with segments. */
  async function checkOutputs(outDir: string): Promise<void> {
    const dirs = [...rungs.map((r) => r.name), ...(info.audio ? [AUDIO_DIR] : [])];
    for (const d of dirs) {
      const pl = parseMediaPlaylist(await readFile(join(outDir, d, MEDIA_PLAYLIST), 'utf8'));
      const total = pl.segments.reduce((s, x) => s + x.durationSec, 0);
      if (!pl.ended || pl.segments.length === 0 || Math.abs(total - info.durationSec) > SEGMENT_SEC)
        throw new Error(`${outDir}/${d}: incomplete output (${pl.segments.length} segments, ${fmt(total)} s)`);
    }
  }

  async function prepareOut(): Promise<string> {
    const outDir = await mkdtemp(join(scratchRoot, 'run-'));
    for (const r of rungs) await mkdir(join(outDir, r.name), { recursive: true });
    if (info.audio) await mkdir(join(outDir, AUDIO_DIR), { recursive: true });
    return outDir;
  }

  /** (a) the product: one process, one decode. */
  const oneProcess = async (outDir: string) => {
    await runner.ffmpeg(buildLadderArgs(jobFor(outDir), info.video!.fps));
  };

  /** (b) one process per rendition, each decoding the source; largest rung first. */
  const perRenditionJobs = (outDir: string): Array<() => Promise<void>> => {
    const job = jobFor(outDir);
    const jobs: Array<() => Promise<void>> = [...rungs]
      .reverse()
      .map((r) => () => runner.ffmpeg(buildLadderArgs({ ...job, rungs: [r], withAudio: false }, info.video!.fps)));
    if (info.audio) {
      const audioArgs = audioOnlyArgs(buildLadderArgs(job, info.video!.fps));
      jobs.push(() => runner.ffmpeg(audioArgs));
    }
    return jobs;
  };

  const configs: Array<{ label: string; run: (outDir: string) => Promise<void> }> = [
    { label: '(a) Reel: 1 process, 1 decode', run: oneProcess },
    { label: '(b) 1 process per rendition, sequential', run: (d) => pool(perRenditionJobs(d), 1) },
    { label: `(b) 1 process per rendition, ${PARALLEL} at a time`, run: (d) => pool(perRenditionJobs(d), PARALLEL) },
  ];
  const results: Result[] = configs.map((c) => ({ label: c.label, wallSec: [], cpuSec: [], outBytes: 0 }));

  for (let round = 1; round <= repeat; round++) {
    // rotate the order each round so no configuration always runs first (cold cache) or last
    const order = configs.map((_, i) => (i + round - 1) % configs.length);
    for (const i of order) {
      const outDir = await prepareOut();
      try {
        const t = await timed(() => configs[i].run(outDir));
        await checkOutputs(outDir);
        results[i].wallSec.push(t.wallSec);
        results[i].cpuSec.push(t.cpuSec);
        results[i].outBytes = await bytesUnder(outDir);
        console.log(`round ${round}: ${configs[i].label.padEnd(44)} ${fmt(t.wallSec).padStart(7)} s wall, ${fmt(t.cpuSec).padStart(7)} s CPU`);
      } finally {
        await rm(outDir, { recursive: true, force: true });
      }
    }
  }

  const [a, bSeq, bPar] = results;
  const wa = median(a.wallSec);
  console.log('');
  console.log(`results (${repeat > 1 ? `median of ${repeat} rounds` : 'one round'}; CPU = busy time of all cores, whole machine)`);
  console.log(`| configuration | wall s | CPU s | output MiB | (a)/this, wall |`);
  console.log(`|---|---:|---:|---:|---:|`);
  for (const r of results) {
    const w = median(r.wallSec);
    console.log(`| ${r.label} | ${fmt(w)} | ${fmt(median(r.cpuSec))} | ${fmt(r.outBytes / 2 ** 20, 2)} | ${fmt(wa / w, 2)}× |`);
  }
  console.log('');
  const rSeq = wa / median(bSeq.wallSec);
  const rPar = wa / median(bPar.wallSec);
  console.log(`(a)/(b) sequential      = ${fmt(rSeq, 2)}×   (BRIEF §3 target vs the PeerTube way: ≤ 0.75×) ${rSeq <= 0.75 ? 'MET' : 'NOT MET'}`);
  console.log(`(a)/(b) ${PARALLEL} at a time      = ${fmt(rPar, 2)}×   ${rPar <= 0.75 ? 'MET' : 'NOT MET'} against the same target`);
  console.log(`speed of (a): ${fmt(info.durationSec / wa, 2)}× real time for the whole ladder`);
}

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
