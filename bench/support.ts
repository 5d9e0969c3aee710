/**
 * Shared helpers for benchmarks: cached test sources, wall/CPU timing, output sizes.
 * Benchmarks are not tests: they measure and print; docs/benchmarks.md records the runs.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** bench/.cache: generated sources and scratch output; gitignored. */
export const CACHE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '.cache');

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
  await mkdir(CACHE_DIR, { recursive: true });
  const tmp = `${path}.partial.mp4`;
  const args = [
    '-hide_banner', '-nostdin', '-y', '-loglevel', 'error',
    '-stream_loop', '-1', '-i', SHARED_FILM,
    '-t', String(durationSec),
    '-map', '0:v:0', '-map', '0:a:0',
    '-vf', 'scale=w=1920:h=1080:flags=lanczos,setsar=1,format=yuv420p',
    '-c:v', 'libx264', '-preset', 'medium', '-crf', '18', '-profile:v', 'high',
    '-c:a', 'aac', '-b:a', '128k', '-ac', '2',
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
