/**
 * Media runner adapter: spawns ffmpeg/ffprobe with argument lists and parses `-progress` from stdout.
 */
import { spawn } from 'node:child_process';
import { buildProbeArgs } from '../../core/ffmpeg-args.js';
import { MediaError } from '../../core/errors.js';
import type { ProbeJson } from '../../core/media-info.js';
import { ProgressParser } from '../../core/progress.js';
import { FfmpegError, type MediaRunner, type MediaTools, type RunOptions } from '../../ports/media-runner.js';

const STDERR_TAIL = 4000;

function spawnCollect(bin: string, args: string[], opts: RunOptions & { onStdout?: (s: string) => void } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(bin, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], signal: opts.signal });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (opts.onStdout) opts.onStdout(d);
      else stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-STDERR_TAIL);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * ffprobe's words when a source read over HTTP (a presigned blob-store URL) failed on the store's side: a 5xx answer
 * or a refused, reset or timed-out connection. That is the store's trouble, not the media's: the task must be
 * retried, not the video failed as unreadable.
 */
const REMOTE_READ_FAILURE = /Server returned 5\d\d|Server returned 5XX|HTTP error 5\d\d|Connection refused|Connection reset|Connection timed out/i;

function mediaOrStoreError(input: string, stderr: string, media: () => MediaError): Error {
  if (/^https?:\/\//i.test(input) && REMOTE_READ_FAILURE.test(stderr)) {
    return new Error(`the source could not be read from the blob store: ${stderr.trim().split('\n').pop()?.replace(input, 'source URL') ?? ''}`);
  }
  return media();
}

export class FfmpegRunner implements MediaRunner {
  constructor(readonly tools: MediaTools) {}

  async probe(input: string): Promise<ProbeJson> {
    const { code, stdout, stderr } = await spawnCollect(this.tools.ffprobe, buildProbeArgs(input));
    if (code !== 0) {
      const reason = stderr.trim().split('\n').pop() ?? 'unknown error';
      throw mediaOrStoreError(input, stderr, () => new MediaError('unreadable_media', `The file could not be read as media: ${reason.replace(input, 'input')}`));
    }
    return JSON.parse(stdout) as ProbeJson;
  }

  async videoPackets(input: string): Promise<Array<{ pts: number; key: boolean }>> {
    const args = ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,dts_time,flags', '-of', 'csv=p=0', input];
    const { code, stdout, stderr } = await spawnCollect(this.tools.ffprobe, args);
    if (code !== 0) throw mediaOrStoreError(input, stderr, () => new MediaError('unreadable_media', `The video track could not be read: ${stderr.trim().split('\n').pop() ?? ''}`));
    return parsePacketCsv(stdout);
  }

  async ffmpeg(args: string[], opts: RunOptions = {}): Promise<void> {
    const parser = new ProgressParser();
    const { code, stderr } = await spawnCollect(this.tools.ffmpeg, args, {
      ...opts,
      onStdout: (chunk) => {
        for (const p of parser.push(chunk)) opts.onProgress?.(p);
      },
    });
    if (code !== 0) throw new FfmpegError(`ffmpeg exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`, code, stderr);
  }
}

/** `pts_time,dts_time,flags` lines; pts may be N/A (then dts is used). */
export function parsePacketCsv(csv: string): Array<{ pts: number; key: boolean }> {
  const out: Array<{ pts: number; key: boolean }> = [];
  for (const line of csv.split('\n')) {
    const [pts, dts, flags] = line.trim().split(',');
    const t = Number.parseFloat(pts !== 'N/A' && pts ? pts : dts);
    if (Number.isFinite(t)) out.push({ pts: t, key: (flags ?? '').includes('K') });
  }
  return out;
}
