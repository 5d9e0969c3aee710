/**
 * Crashes lose nothing acknowledged: kill -9 the server in the middle of an upload and in the middle of a
 * transcode; after a restart the upload resumes from its confirmed offset and the video still becomes ready.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MEDIA_DIR } from '../support/platform.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { tusUpload } from '../support/tus-upload.js';

const FILE = MEDIA_DIR + 'the_last_man_on_earth.mp4';

describe('crash recovery (real server process, kill -9)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reel-crash-'));
  // the API process runs no tasks; a separate `reel worker` process does (same database and blob folder)
  const env = { DATA_DIR: dir, TASK_LEASE_SECONDS: '3', WORKER_CONCURRENCY: '1', X264_PRESET: 'veryfast' };
  let server: ServerProcess | null = null;
  let worker: ServerProcess | null = null;
  afterAll(async () => {
    await server?.stop();
    await worker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function waitUntil(cond: () => Promise<boolean>, timeoutMs = 120_000) {
    const end = Date.now() + timeoutMs;
    while (!(await cond())) {
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function api(path: string, token?: string, init: RequestInit = {}) {
    const res = await fetch(server!.url + path, { ...init, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as any) } });
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  }

  it('an upload cut by an API crash resumes at the confirmed offset; a worker killed mid-chunk loses only that chunk', async () => {
    server = await startServerProcess(env, ['serve', '--no-worker']);
    worker = await startServerProcess(env, ['worker']);
    const reg = await fetch(server.url + '/api/auth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'crash@example.test', password: 'long enough pw', handle: 'crash' }),
    });
    const cookie = reg.headers.get('set-cookie')!.split(';')[0];
    const token = (await (await fetch(server.url + '/api/tokens', { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{"name":"t"}' })).json()).token;

    // 1. kill the server while the upload is in flight (after ~40%)
    const size = statSync(FILE).size;
    let uploadUrl = '';
    let killed = false;
    const first = tusUpload({
      endpoint: `${server.url}/api/uploads`,
      token,
      file: FILE,
      chunkSize: 64 * 1024,
      metadata: { title: 'crash test' },
      onProgress: (sent) => {
        if (!killed && sent > size * 0.4) {
          killed = true;
          void server!.kill9();
        }
      },
    }).then(
      () => 'finished',
      (err) => String(err),
    );
    const outcome = await first;
    expect(outcome).not.toBe('finished');
    expect(killed).toBe(true);

    server = await startServerProcess(env, ['serve', '--no-worker']);
    const videos = (await api('/api/me/videos', token)).body.items;
    expect(videos).toHaveLength(1);
    expect(videos[0].status).toBe('uploading');
    // find the upload URL the way a client that stored it would: tus HEAD on the stored location
    // (tus-js-client keeps it in memory; we read it back from the server's record of the video's upload)
    const uploads = await fetch(`${server.url}/api/videos/${videos[0].id}/upload`, { headers: { authorization: `Bearer ${token}` } });
    expect(uploads.status).toBe(200);
    uploadUrl = (await uploads.json()).url;
    const head = await fetch(server.url + uploadUrl, { method: 'HEAD', headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' } });
    const offset = Number(head.headers.get('upload-offset'));
    expect(offset).toBeGreaterThan(size * 0.3);
    expect(offset).toBeLessThan(size);

    let resumedFrom = -1;
    await tusUpload({
      endpoint: `${server.url}/api/uploads`,
      uploadUrl: server.url + uploadUrl,
      token,
      file: FILE,
      chunkSize: 256 * 1024,
      onProgress: (sent) => {
        if (resumedFrom < 0) resumedFrom = sent;
      },
    });
    expect(resumedFrom).toBeGreaterThanOrEqual(offset);
    const id = videos[0].id;

    // 2. kill -9 the worker process in the middle of a chunk encode; a new worker finishes the video
    await waitUntil(async () => (await api(`/api/videos/${id}/tasks`, token)).body.items.some((t: any) => t.kind === 'encode-chunk' && t.state === 'running'));
    const atKill = (await api(`/api/videos/${id}/tasks`, token)).body.items as any[];
    await worker!.kill9();
    const interrupted = atKill.filter((t) => t.state === 'running').map((t) => t.key);
    const finishedBefore = atKill.filter((t) => t.state === 'done').map((t) => t.key);
    // one normal slot and one express slot (an urgent task such as the audio pass may run beside the chunk)
    expect(interrupted.length).toBeGreaterThanOrEqual(1);
    expect(interrupted.length).toBeLessThanOrEqual(2);
    expect(interrupted.some((k) => atKill.find((t) => t.key === k)?.kind === 'encode-chunk')).toBe(true);

    worker = await startServerProcess(env, ['worker']);
    let v: any;
    await waitUntil(async () => {
      v = (await api(`/api/videos/${id}`, token)).body;
      return v.status === 'ready' || v.status === 'failed';
    });
    expect(v.status).toBe('ready');
    // the publish task marks the video ready and finishes a moment later
    await expect.poll(async () => (await api(`/api/videos/${id}/tasks`, token)).body.items.every((t: { state: string }) => t.state === 'done'), { timeout: 15_000 }).toBe(true);
    const tasks = (await api(`/api/videos/${id}/tasks`, token)).body.items as any[];
    expect(tasks.every((t) => t.state === 'done')).toBe(true);
    // only the interrupted task ran twice; work finished before the crash was not redone
    for (const t of tasks) expect([t.key, t.attempts]).toEqual([t.key, interrupted.includes(t.key) ? 2 : 1]);
    expect(finishedBefore.length).toBeGreaterThan(0);
    const master = await fetch(server.url + v.hlsUrl);
    expect(master.status).toBe(200);
    expect(await master.text()).toContain('720p/index.m3u8');
  });
});
