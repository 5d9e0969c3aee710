/**
 * Finds ffmpeg/ffprobe: a configured path, else the system's (version >= 5), else the npm fallback
 * (@ffmpeg-installer/ffmpeg + @ffprobe-installer/ffprobe, static builds that ship inside the packages).
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import type { MediaTools } from '../../ports/media-runner.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

async function versionOf(bin: string): Promise<string | null> {
  try {
    const { stdout } = await run(bin, ['-version'], { timeout: 10_000 });
    return /version\s+(\S+)/.exec(stdout)?.[1] ?? 'unknown';
  } catch {
    return null;
  }
}

/** Major version from strings like "5.1.9-0+deb12u1", "n6.0", "4.1"; null for git builds ("N-47683-g…"). */
export function majorVersion(v: string): number | null {
  const m = /^n?(\d+)\./.exec(v);
  return m ? Number(m[1]) : null;
}

export function bundledTools(): { ffmpeg: string; ffprobe: string } {
  return {
    ffmpeg: (require('@ffmpeg-installer/ffmpeg') as { path: string }).path,
    ffprobe: (require('@ffprobe-installer/ffprobe') as { path: string }).path,
  };
}

export async function locateMediaTools(opts: { ffmpeg?: string; ffprobe?: string; preferBundled?: boolean } = {}): Promise<MediaTools> {
  if (opts.ffmpeg && opts.ffprobe) {
    const version = await versionOf(opts.ffmpeg);
    if (!version) throw new Error(`configured ffmpeg at ${opts.ffmpeg} does not run`);
    return { ffmpeg: opts.ffmpeg, ffprobe: opts.ffprobe, origin: 'configured', version };
  }
  if (!opts.preferBundled) {
    const version = await versionOf('ffmpeg');
    const probeVersion = await versionOf('ffprobe');
    const major = version ? majorVersion(version) : null;
    if (version && probeVersion && major !== null && major >= 5) return { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', origin: 'system', version };
  }
  const b = bundledTools();
  const version = await versionOf(b.ffmpeg);
  if (!version) throw new Error('no usable ffmpeg: install ffmpeg >= 5 (apt-get install ffmpeg) or reinstall node_modules');
  return { ...b, origin: 'bundled', version };
}
