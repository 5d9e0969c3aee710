/**
 * One correlation id follows an upload: the X-Request-Id of the request that created it (or a generated one)
 * is on the HTTP log lines of that request, on "upload complete", and on every task's log lines through publish.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { createPlatform, type Platform } from '../../src/wiring/platform.js';
import { MEDIA_DIR, registerUser, waitForVideo } from '../support/platform.js';

describe('trace id from upload to publish', () => {
  const lines: any[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'reel-trace-'));
  let platform: Platform;
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l));
        done();
      },
    });
    const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'info', X264_PRESET: 'ultrafast' });
    platform = await createPlatform(config, { runWorker: true, logger: pino({ level: 'info' }, sink) });
  });
  afterAll(async () => {
    await platform?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries the creating request’s X-Request-Id through the upload, every task and publish', async () => {
    const app = platform.app;
    const u = await registerUser(app);
    const trace = `trace-${Date.now()}`;
    const bytes = readFileSync(`${MEDIA_DIR}video_short.mp4`);
    const created = await app.inject({
      method: 'POST',
      url: '/api/uploads',
      headers: { authorization: `Bearer ${u.token}`, 'x-request-id': trace, 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length), 'upload-metadata': `title ${Buffer.from('traced').toString('base64')}`, 'content-type': 'application/offset+octet-stream' },
      payload: bytes,
    });
    expect(created.statusCode).toBe(201);
    const id = String(created.headers['reel-video-id']);
    expect((await waitForVideo(app, id, u.token)).status).toBe('ready');

    // publish's own "task done" comes right after the video turns ready
    await expect.poll(() => lines.some((l) => l.traceId === trace && l.kind === 'publish' && l.msg === 'task done'), { timeout: 10_000 }).toBe(true);
    const mine = lines.filter((l) => l.traceId === trace);
    const msgs = mine.map((l) => l.msg);
    expect(msgs).toContain('incoming request');
    expect(msgs).toContain('upload complete; pipeline started');
    expect(msgs).toContain('video published');
    // every task of the video logged its start and end under the trace
    const tasks = (await app.inject({ url: `/api/videos/${id}/tasks`, headers: { authorization: `Bearer ${u.token}` } })).json().items;
    expect(tasks.length).toBeGreaterThan(5);
    for (const t of tasks) {
      const own = mine.filter((l) => l.task === t.id).map((l) => l.msg);
      expect(own, t.key).toEqual(expect.arrayContaining(['task started', 'task done']));
    }
    // and no other video's lines carry it
    expect(mine.every((l) => l.video === undefined || l.video === id)).toBe(true);

    // a caller without (or with a garbage) id gets a fresh one per request
    await app.inject({ url: '/api/videos', headers: { 'x-request-id': 'bad id\nwith newline' } });
    const last = lines.filter((l) => l.msg === 'incoming request').at(-1);
    expect(last.traceId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
