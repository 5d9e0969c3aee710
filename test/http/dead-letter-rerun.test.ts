/**
 * Dead letter and re-run through the API: a task that keeps failing for a recoverable reason is set aside,
 * the video shows why, and the owner's re-run continues the pipeline to a playable video.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createWorker } from '../../src/wiring/platform.js';
import { MEDIA_DIR, registerUser, startTestPlatform, waitForVideo, type TestPlatform } from '../support/platform.js';

describe('dead-lettered task re-run', () => {
  let tp: TestPlatform;
  beforeAll(async () => {
    tp = await startTestPlatform({ worker: false, env: { TASK_MAX_ATTEMPTS: '2' } });
  });
  afterAll(async () => tp?.close());

  it('sets a repeatedly failing task aside, shows the reason, and resumes on re-run', async () => {
    const { app, queue, pipeline } = tp.platform;
    const owner = await registerUser(app);
    const other = await registerUser(app);
    const auth = { authorization: `Bearer ${owner.token}` };
    const bytes = readFileSync(MEDIA_DIR + 'video_short.mp4');
    const up = await app.inject({
      method: 'POST',
      url: '/api/uploads',
      headers: { ...auth, 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length), 'content-type': 'application/offset+octet-stream' },
      payload: bytes,
    });
    const id = String(up.headers['reel-video-id']);

    // a flaky dependency: the inspect task fails twice with a recoverable error (as a worker would record it)
    let state = '';
    for (let i = 0; i < 2; i++) {
      await new Promise((r) => setTimeout(r, i === 0 ? 0 : 2100)); // past the first backoff
      const task = await queue.claim('flaky-worker', 10_000);
      expect(task?.key).toBe('inspect');
      state = await queue.fail(task!, 'flaky-worker', 'object store timed out', true);
      if (state === 'dead') await pipeline.gaveUp((await queue.get(task!.id))!, new Error('object store timed out'), 'dead');
    }
    expect(state).toBe('dead');
    const failed = (await app.inject({ url: `/api/videos/${id}`, headers: auth })).json();
    expect(failed.status).toBe('failed');
    expect(failed.error.code).toBe('processing_failed');
    expect(failed.error.message).toMatch(/inspect.*re-run/);
    const tasks = (await app.inject({ url: `/api/videos/${id}/tasks`, headers: auth })).json().items;
    const dead = tasks.find((t: any) => t.key === 'inspect');
    expect(dead).toMatchObject({ state: 'dead', attempts: 2, error: 'object store timed out' });
    expect(tasks.find((t: any) => t.key === 'plan')).toMatchObject({ state: 'waiting' });

    // only the owner may re-run, and only failed/dead tasks
    expect((await app.inject({ method: 'POST', url: `/api/videos/${id}/tasks/${dead.id}/rerun`, headers: { authorization: `Bearer ${other.token}` } })).statusCode).toBe(404);
    const rerun = await app.inject({ method: 'POST', url: `/api/videos/${id}/tasks/${dead.id}/rerun`, headers: auth });
    expect(rerun.statusCode).toBe(202);
    expect((await app.inject({ url: `/api/videos/${id}`, headers: auth })).json()).toMatchObject({ status: 'processing', error: null });
    expect((await app.inject({ method: 'POST', url: `/api/videos/${id}/tasks/${dead.id}/rerun`, headers: auth })).statusCode).toBe(409);

    const worker = createWorker(tp.platform);
    worker.start();
    try {
      const v = await waitForVideo(app, id, owner.token);
      expect(v.status).toBe('ready');
      // the publish task marks the video ready and finishes a moment later
      const allDone = async () => (await app.inject({ url: `/api/videos/${id}/tasks`, headers: auth })).json().items.every((t: any) => t.state === 'done');
      await expect.poll(allDone, { timeout: 15_000 }).toBe(true);
    } finally {
      await worker.stop();
    }
  });
});
