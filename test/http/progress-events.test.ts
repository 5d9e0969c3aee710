/**
 * The studio's server-sent events (GET /api/me/videos/events) over a real socket: only the signed-in owner gets a
 * stream, of their own videos; a real upload shows up (`added`), reports per-rung progress while processing and a
 * last `ready` snapshot; a client that goes away leaves no stream behind; the server's shutdown ends open streams
 * instead of waiting on them; one account cannot open streams without limit.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, MEDIA_DIR, registerUser, startTestPlatform, type TestPlatform } from '../support/platform.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

interface Sse { event: string; data: any }

/** Open the stream and collect its events as they come. */
async function openStream(url: string, token: string) {
  const ac = new AbortController();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: ac.signal });
  const events: Sse[] = [];
  let ended = false;
  const done = (async () => {
    if (!res.body) return;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const lines = block.split('\n');
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
          const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted
    }
    ended = true;
  })();
  return { res, events, close: () => ac.abort(), done, get ended() { return ended; } };
}

async function until<T>(fn: () => T | undefined | false, timeoutMs = 60_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('processing progress as server-sent events', () => {
  let tp: TestPlatform;
  let base: string;
  let closed = false;
  let owner: { token: string };
  let stranger: { token: string };
  const app = () => tp.platform.app;

  beforeAll(async () => {
    tp = await startTestPlatform({ worker: true });
    base = (await app().listen({ port: 0, host: '127.0.0.1' })).replace('[::1]', 'localhost');
    owner = await registerUser(app());
    stranger = await registerUser(app());
  });
  afterAll(async () => {
    if (!closed) await tp?.close();
  });

  it('streams an upload’s progress per rung to its owner, then its last word when ready', async () => {
    const stream = await openStream(`${base}/api/me/videos/events`, owner.token);
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.res.headers.get('cache-control')).toMatch(/no-cache/);
    await until(() => stream.events.find((e) => e.event === 'hello'), 5000, 'hello');

    // a new upload appears on the open stream, then processes
    const id = (await app().inject({ method: 'POST', url: '/api/videos', headers: bearer(owner.token), payload: { title: 'live progress' } })).json().video.id;
    await until(() => stream.events.find((e) => e.event === 'added' && e.data.id === id), 10_000, 'added');
    const bytes = readFileSync(`${MEDIA_DIR}the_last_man_on_earth.mp4`);
    const up = await app().inject({
      method: 'POST',
      url: '/api/uploads',
      headers: { ...bearer(owner.token), 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length), 'upload-metadata': `videoId ${b64(id)},filename ${b64('film.mp4')}`, 'content-type': 'application/offset+octet-stream' },
      payload: bytes,
    });
    expect(up.statusCode).toBe(201);

    const ready = await until(() => stream.events.find((e) => e.event === 'progress' && e.data.id === id && e.data.status === 'ready'), 150_000, 'ready');
    const mine = stream.events.filter((e) => e.event === 'progress' && e.data.id === id).map((e) => e.data);
    // while processing: per-rung seconds that only grow, tasks counted, playable before the end
    const processing = mine.filter((s) => s.status === 'processing');
    expect(processing.length).toBeGreaterThan(1);
    const withRungs = processing.filter((s) => Object.keys(s.rungs).length > 0);
    expect(withRungs.length).toBeGreaterThan(0);
    expect(Object.keys(withRungs[0].rungs)).toContain('144p');
    for (let i = 1; i < withRungs.length; i++) expect(withRungs[i].rungs['144p']).toBeGreaterThanOrEqual(withRungs[i - 1].rungs['144p']);
    expect(processing.some((s) => s.tasks.total > 0 && s.tasks.done < s.tasks.total)).toBe(true);
    // snapshots are sent only when something changed
    for (let i = 1; i < mine.length; i++) expect(JSON.stringify(mine[i])).not.toBe(JSON.stringify(mine[i - 1]));
    expect(ready.data).toMatchObject({ status: 'ready', playable: true, progress: 1, error: null });
    expect(ready.data.rungs['720p']).toBeCloseTo(ready.data.durationSec, 1);
    expect(ready.data.tasks.done).toBe(ready.data.tasks.total);

    // a stranger's stream says nothing about it
    const other = await openStream(`${base}/api/me/videos/events`, stranger.token);
    await until(() => other.events.find((e) => e.event === 'hello'), 5000, 'hello');
    await new Promise((r) => setTimeout(r, 1500));
    expect(other.events.filter((e) => e.event !== 'hello')).toEqual([]);

    // clients that go away leave no stream behind
    expect(tp.platform.progress.open).toBe(2);
    stream.close();
    other.close();
    await until(() => tp.platform.progress.open === 0, 5000, 'streams closed');
  }, 200_000);

  it('refuses anonymous callers, other people’s videos and too many streams', async () => {
    const anon = await fetch(`${base}/api/me/videos/events`, { headers: { accept: 'text/event-stream' } });
    expect(anon.status).toBe(401);
    expect((await anon.json()).error.code).toBe('unauthorized');
    const id = (await app().inject({ method: 'POST', url: '/api/videos', headers: bearer(owner.token), payload: { title: 'mine only', visibility: 'private' } })).json().video.id;
    const theirs = await fetch(`${base}/api/me/videos/events?videoId=${id}`, { headers: { ...bearer(stranger.token), accept: 'text/event-stream' } });
    expect(theirs.status).toBe(404);
    expect((await theirs.json()).error.code).toBe('not_found');

    // one video: its current state at once
    const one = await openStream(`${base}/api/me/videos/events?videoId=${id}`, owner.token);
    const first = await until(() => one.events.find((e) => e.event === 'progress'), 5000, 'first snapshot');
    expect(first.data).toMatchObject({ id, status: 'uploading', title: 'mine only' });
    one.close();
    // without asking for the stream (a script, curl): the snapshots of now as JSON
    const now = await app().inject({ url: '/api/me/videos/events', headers: bearer(owner.token) });
    expect(now.statusCode).toBe(200);
    expect(now.headers['content-type']).toMatch(/^application\/json/);
    expect(now.json().items.map((s: any) => [s.id, s.status])).toEqual([[id, 'uploading']]);

    const streams = [];
    for (let i = 0; i < tp.platform.progress.maxPerUser; i++) streams.push(await openStream(`${base}/api/me/videos/events`, stranger.token));
    expect(streams.every((s) => s.res.status === 200)).toBe(true);
    const extra = await fetch(`${base}/api/me/videos/events`, { headers: { ...bearer(stranger.token), accept: 'text/event-stream' } });
    expect(extra.status).toBe(429);
    expect((await extra.json()).error.code).toBe('too_many_streams');
    streams.forEach((s) => s.close());
    await until(() => tp.platform.progress.open === 0, 5000, 'streams closed');
  });

  it('ends open streams when the server shuts down instead of waiting for them', async () => {
    const stream = await openStream(`${base}/api/me/videos/events`, owner.token);
    await until(() => stream.events.find((e) => e.event === 'hello'), 5000, 'hello');
    const started = Date.now();
    closed = true;
    await tp.close();
    expect(Date.now() - started).toBeLessThan(10_000);
    await until(() => stream.ended, 5000, 'client saw the end');
    expect(tp.platform.progress.open).toBe(0);
  }, 30_000);
});
