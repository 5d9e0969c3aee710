/**
 * Workers read sources from S3 through presigned URLs (ffprobe and ffmpeg fetch them over HTTP). When the store
 * answers 5xx or refuses the connection, the source is not bad media: inspect must fail with a recoverable error
 * (the task is retried with backoff), not fail the video as unreadable. Bytes that really are not media still fail
 * it at once. (The topology's S3 fault test hits this path only when the outage starts between inspect's first read
 * and its probe, so it is pinned down here.)
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegRunner } from '../../src/adapters/media/ffmpeg-runner.js';
import { locateMediaTools } from '../../src/adapters/media/locate-tools.js';
import { MediaError } from '../../src/core/errors.js';
import { isRecoverable } from '../../src/processing/worker.js';
import { MEDIA_DIR } from '../support/platform.js';

describe('a source the blob store cannot serve is retried, not failed as bad media', () => {
  let server: Server;
  let base = '';
  let runner: FfmpegRunner;
  const film = readFileSync(MEDIA_DIR + 'video_short.mp4');

  beforeAll(async () => {
    runner = new FfmpegRunner(await locateMediaTools());
    server = createServer((req, res) => {
      if (req.url!.startsWith('/unavailable')) return void res.writeHead(503, { 'content-type': 'application/xml' }).end('<Error><Code>SlowDown</Code></Error>');
      if (req.url!.startsWith('/broken')) return void res.writeHead(500).end('<Error><Code>InternalError</Code></Error>');
      if (req.url!.startsWith('/text')) return void res.writeHead(200, { 'content-type': 'text/plain' }).end('this is not a video at all, just some words');
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': film.length }).end(film);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  for (const path of ['/unavailable?X-Amz-Signature=abc', '/broken?X-Amz-Signature=abc']) {
    it(`probe and packet scan of a URL answering ${path.startsWith('/broken') ? 500 : 503}: a recoverable error`, async () => {
      for (const read of [() => runner.probe(base + path), () => runner.videoPackets(base + path)]) {
        const err = await read().then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(Error);
        expect(err).not.toBeInstanceOf(MediaError);
        expect(isRecoverable(err)).toBe(true);
        expect(String((err as Error).message)).not.toContain('X-Amz-Signature'); // the presigned URL is not logged whole
      }
    });
  }

  it('a refused connection: a recoverable error', async () => {
    const err = await runner.probe('http://127.0.0.1:1/source').then(() => null, (e: unknown) => e);
    expect(err).not.toBeInstanceOf(MediaError);
    expect(isRecoverable(err)).toBe(true);
  });

  it('bytes that are not media, served fine: bad media, not retried', async () => {
    const err = await runner.probe(`${base}/text`).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect(isRecoverable(err)).toBe(false);
  });

  it('the real file through the same server probes fine', async () => {
    const probe = await runner.probe(`${base}/film.mp4`);
    expect(Number(probe.format?.duration)).toBeGreaterThan(4);
  });
});
