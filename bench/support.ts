/**
 * Shared helpers for benchmarks: cached test sources, wall/CPU timing, output sizes.
 * Benchmarks are not tests: they measure and print; docs/benchmarks.md records the runs.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** bench/.cache: generated sources and scratch output; gitignored. */
export const CACHE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '.cache');

/** A new scratch folder in bench/.cache (made first on a fresh clone), named `prefix` + random characters. */
export async function scratchDir(prefix: string): Promise<string> {
  await mkdir(CACHE_DIR, { recursive: true });
  return mkdtemp(join(CACHE_DIR, prefix));
}

export const SHARED_FILM = '/work/shared/media/the_last_man_on_earth.mp4';

export interface GeneratedSource {
  path: string;
  /** how it was made, for the report */
  description: string;
  created: boolean;
}

/**
 * A 1920x1080 clip of `durationSec` seconds made by looping the shared 1280x720 29.97 fps film (14 s, speech + AAC)
 * and upscaling it: libx264 preset medium CRF 18, High profile, yuv420p, AAC 128k stereo. Generated once, cached.
 * The file name carries every parameter, so a change makes a new file rather than reusing a stale one.
 */
export async function cachedFilm1080p(ffmpeg: string, durationSec: number): Promise<GeneratedSource> {
  const name = `film-1080p-${durationSec}s-x264medium-crf18.mp4`;
  const path = join(CACHE_DIR, name);
  const description = `${SHARED_FILM} looped (-stream_loop -1) to ${durationSec} s, scaled to 1920x1080 (lanczos), libx264 preset medium CRF 18 High yuv420p, AAC 128k stereo`;
  if (existsSync(path)) return { path, description, created: false };
  if (!existsSync(SHARED_FILM)) throw new Error(`no source given and ${SHARED_FILM} is missing`);
  return loopInto(ffmpeg, SHARED_FILM, durationSec, path, description, [
    '-vf', 'scale=w=1920:h=1080:flags=lanczos,setsar=1,format=yuv420p',
    '-c:v', 'libx264', '-preset', 'medium', '-crf', '18', '-profile:v', 'high',
    '-c:a', 'aac', '-b:a', '128k', '-ac', '2',
  ]);
}

/** `input` looped to `durationSec` with these codec arguments, written to `path` (via a partial file) once. */
async function loopInto(ffmpeg: string, input: string, durationSec: number, path: string, description: string, codec: string[]): Promise<GeneratedSource> {
  await mkdir(CACHE_DIR, { recursive: true });
  const tmp = `${path}.partial.mp4`;
  const args = [
    '-hide_banner', '-nostdin', '-y', '-loglevel', 'error',
    '-stream_loop', '-1', '-i', input,
    '-t', String(durationSec),
    '-map', '0:v:0', '-map', '0:a:0',
    ...codec,
    '-movflags', '+faststart',
    tmp,
  ];
  try {
    await run(ffmpeg, args, { maxBuffer: 16 * 2 ** 20 });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return { path, description, created: true };
}

/** Machine-wide busy CPU time (all cores, user+nice+sys+irq) in seconds since boot; diff two readings. */
export function machineCpuSec(): number {
  let ms = 0;
  for (const c of cpus()) ms += c.times.user + c.times.nice + c.times.sys + c.times.irq;
  return ms / 1000;
}

export interface Timed<T> {
  value: T;
  wallSec: number;
  cpuSec: number;
}

export async function timed<T>(fn: () => Promise<T>): Promise<Timed<T>> {
  const cpu0 = machineCpuSec();
  const t0 = performance.now();
  const value = await fn();
  const wallSec = (performance.now() - t0) / 1000;
  return { value, wallSec, cpuSec: machineCpuSec() - cpu0 };
}

/** Total bytes of the files under a directory. */
export async function bytesUnder(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) total += (await stat(join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))).size;
  }
  return total;
}

/** Runs `jobs` with at most `concurrency` in flight, in the given order. */
export async function pool(jobs: Array<() => Promise<void>>, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);

/**
 * A longer copy of an already generated source, made by looping it with stream copy (no re-encode, a second or
 * two even for 10 minutes): same codec settings, resolution and audio as the base file; the joins fall on the
 * base file's first keyframe, so timestamps stay continuous. Generated once, cached.
 */
export async function cachedLoopedCopy(ffmpeg: string, base: GeneratedSource, durationSec: number): Promise<GeneratedSource> {
  const baseName = base.path.split('/').pop()!.replace(/\.mp4$/, '');
  const path = join(CACHE_DIR, `${baseName}-looped-${durationSec}s.mp4`);
  const description = `${base.path.split('/').pop()} looped with stream copy (-stream_loop, -c copy) to ${durationSec} s; the base is: ${base.description}`;
  if (existsSync(path)) return { path, description, created: false };
  return loopInto(ffmpeg, base.path, durationSec, path, description, ['-c', 'copy']);
}

/**
 * The audio-only process of the per-rendition baseline, cut out of the product's own ladder argv so its settings
 * are identical: the input part (everything before -filter_complex) plus the audio output (from `-map 0:a:0`).
 * (The same cut as in bench/transcode-baseline.ts.)
 */
export function audioOnlyLadderArgs(fullArgs: string[]): string[] {
  const inputEnd = fullArgs.indexOf('-filter_complex');
  const audioStart = fullArgs.findIndex((a, i) => a === '-map' && fullArgs[i + 1] === '0:a:0');
  if (inputEnd < 0 || audioStart < 0) throw new Error('unexpected ladder argv shape');
  return [...fullArgs.slice(0, inputEnd), ...fullArgs.slice(audioStart)];
}

export const median = (xs: number[]): number => {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Share of the machine's CPU time that was busy during a short idle window (0..1), e.g. before a measurement, to
 * notice load from other programs on a shared machine.
 */
export async function machineBusyShare(windowMs = 1000): Promise<number> {
  const c0 = machineCpuSec();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, windowMs));
  const wall = (performance.now() - t0) / 1000;
  return (machineCpuSec() - c0) / (wall * cpus().length);
}

/**
 * CPU seconds (user + system, including reaped children) of a process and all its living descendants, from
 * /proc (Linux; 0 elsewhere). The difference of two readings is the CPU used by that process tree in between,
 * so subtracting it from machineCpuSec() shows how much other programs used the machine meanwhile.
 */
export async function treeCpuSec(rootPid: number = process.pid): Promise<number> {
  const TICKS = 100; // USER_HZ on Linux
  const stats = new Map<number, { ppid: number; ticks: number }>();
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return 0;
  }
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map(async (e) => {
        try {
          const text = await readFile(`/proc/${e}/stat`, 'utf8');
          // fields after the command (which may contain spaces) start after the last ')'
          const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
          // f[0] = state (field 3), f[1] = ppid (4), f[11..14] = utime, stime, cutime, cstime (14..17)
          stats.set(Number(e), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) });
        } catch {
          /* exited meanwhile */
        }
      }),
  );
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  let ticks = 0;
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop()!;
    ticks += stats.get(pid)?.ticks ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return ticks / TICKS;
}
