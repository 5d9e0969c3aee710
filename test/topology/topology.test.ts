/**
 * The scale-out topology end to end (issue 8), then faults on it. One topology (test/topology/topology.ts) for the
 * whole file: PostgreSQL (own cluster), Redis (own server), s3rver behind a fault proxy, two `reel serve
 * --no-worker` API processes behind an nginx load balancer, an nginx edge from `reel edge-config`, two `reel worker`
 * processes. Encodes are kept short: x264 ultrafast and the ladder capped at 240p (admin site setting).
 *
 * Each fault test writes down what must hold (docs/deploy.md, "Faults and what survives them", says the same) and
 * asserts that nothing acknowledged is lost: an upload is acknowledged when the tus client got the answer to its
 * last PATCH, a view when POST /views answered 2xx.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseMasterPlaylist, parseMediaPlaylist } from '../../src/core/hls.js';
import { viewerKey } from '../../src/core/view-rules.js';
import { MEDIA_DIR } from '../support/platform.js';
import { api, distinctCopy, registerAccount, reportView, startUpload, waitFor, waitForVideo } from './client.js';
import { startTopology, type Topology } from './topology.js';

const SHORT = MEDIA_DIR + 'video_short.mp4'; // 5 s, 720p
const FILM = MEDIA_DIR + 'the_last_man_on_earth.mp4'; // 14 s, 720p: two chunks
const WEBM = MEDIA_DIR + 'video_short.webm';
const SIXTY = MEDIA_DIR + '60fps_720p_small.mp4'; // 2 s

describe('topology: 2 API processes behind nginx, 2 workers, PostgreSQL, Redis, S3', () => {
  let topo: Topology;
  let db: pg.Pool;
  let owner: { token: string };
  /** a ready public video, made by the first test, that the fault tests report views on */
  let watched: { id: string; durationSec: number } | null = null;
  /** distinct copies of the media (uploads of the same bytes are de-duplicated, not processed again) */
  const copies = mkdtempSync(join(tmpdir(), 'reel-topology-media-'));
  const film = (tag: string) => distinctCopy(FILM, copies, tag);

  beforeAll(async () => {
    topo = await startTopology({ ladderMaxRung: '240p' });
    db = new pg.Pool({ connectionString: topo.postgres.url, max: 2 });
    db.on('error', () => {}); // the PostgreSQL restart test drops these connections too
    owner = await registerAccount(topo.lbUrl, { email: 'owner@topology.test', password: 'topology owner password', handle: 'topologyowner' });
  }, 300_000);

  afterAll(async () => {
    await db?.end().catch(() => {});
    await topo?.close();
    rmSync(copies, { recursive: true, force: true });
  }, 120_000);

  afterEach((ctx) => {
    if (ctx.task.result?.state !== 'fail' || !topo) return;
    // every process's whole output goes to a file; the last lines of each to the test output
    const file = join(tmpdir(), `reel-topology-failure-${Date.now()}.log`);
    writeFileSync(file, topo.logs());
    console.error(`topology logs: ${file}\n${topo.logs(40)}`);
  });

  const lb = () => topo.lbUrl;

  /** a ready video's master playlist, one rendition's playlist, init segment and first media segment, via the edge */
  async function checkPlayable(video: any) {
    const master = await fetch(topo.edgeUrl + video.hlsUrl);
    expect(master.status).toBe(200);
    const variants = parseMasterPlaylist(await master.text()).variants;
    expect(variants.length).toBeGreaterThan(0);
    // the ladder cap of the site settings held on whichever process planned it
    for (const v of variants) expect(v.uri).toMatch(/^(144p|240p)\//);
    const base = topo.edgeUrl + video.hlsUrl.replace(/master\.m3u8$/, '');
    const media = parseMediaPlaylist(await (await fetch(base + variants[variants.length - 1].uri)).text());
    expect(media.segments.length).toBeGreaterThan(0);
    const dir = variants[variants.length - 1].uri.replace(/[^/]+$/, '');
    const seg = await fetch(base + dir + media.segments[0].uri);
    expect(seg.status).toBe(200);
    const bytes = Buffer.from(await seg.arrayBuffer());
    expect(bytes.includes(Buffer.from('moof'))).toBe(true);
    expect(bytes.includes(Buffer.from('mdat'))).toBe(true);
  }

  async function tasksOf(videoId: string): Promise<Array<{ id: string; key: string; kind: string; state: string; attempts: number; worker_id: string | null; error: string | null }>> {
    return (await db.query('select id, key, kind, state, attempts, worker_id, error from tasks where video_id = $1 order by key', [videoId])).rows;
  }

  it('uploads through both API processes (one resumed on the other), processes, plays through the edge, counts views, searches', async () => {
    const [api1, api2] = topo.apis.map((a) => a.url);
    // one upload straight to each API process, one through the load balancer
    const a = startUpload({ endpoint: `${api1}/api/uploads`, token: owner.token, file: SHORT, title: 'topology harbour sunrise', retryDelays: [] });
    const b = startUpload({ endpoint: `${api2}/api/uploads`, token: owner.token, file: WEBM, title: 'topology meadow lantern', retryDelays: [] });
    const d = startUpload({ endpoint: `${lb()}/api/uploads`, token: owner.token, file: SIXTY, title: 'topology orchard falcon' });

    // and one started on API 1, cut after 40 %, resumed on API 2 from the offset API 2 reports
    const size = statSync(FILM).size;
    let cut = false;
    const c1 = startUpload({
      endpoint: `${api1}/api/uploads`,
      token: owner.token,
      file: FILM,
      title: 'topology lighthouse resumed',
      chunkSize: 64 * 1024,
      retryDelays: [],
      onProgress: (sent) => {
        if (!cut && sent > size * 0.4) {
          cut = true;
          void c1.upload.abort();
        }
      },
    });
    await waitFor('the first upload is cut', async () => cut, 60_000, 20);
    await new Promise((r) => setTimeout(r, 200));
    const path = new URL(c1.upload.url!).pathname;
    const head = await fetch(api2 + path, { method: 'HEAD', headers: { authorization: `Bearer ${owner.token}`, 'tus-resumable': '1.0.0' } });
    expect(head.status).toBe(200);
    const offset = Number(head.headers.get('upload-offset'));
    expect(offset).toBeGreaterThan(size * 0.3);
    expect(offset).toBeLessThan(size);
    let resumedAt = -1;
    const c2 = startUpload({ endpoint: `${api2}/api/uploads`, uploadUrl: api2 + path, token: owner.token, file: FILM, title: 'ignored on resume', retryDelays: [], onProgress: (sent) => void (resumedAt < 0 && (resumedAt = sent)) });
    await Promise.all([a.done, b.done, c2.done, d.done]);
    expect(resumedAt).toBeGreaterThanOrEqual(offset); // the bytes before the cut were not sent again

    const mine = (await api(lb(), '/api/me/videos', owner.token)).body.items as any[];
    expect(mine).toHaveLength(4);
    const byTitle = new Map(mine.map((v) => [v.title, v.id as string]));
    const ready = await Promise.all(['topology harbour sunrise', 'topology meadow lantern', 'topology lighthouse resumed', 'topology orchard falcon'].map((t) => waitForVideo(lb(), byTitle.get(t)!, owner.token)));
    for (const v of ready) expect([v.title, v.status, v.error]).toEqual([v.title, 'ready', null]);
    // the resumed upload arrived whole: the film's full 14 s, not the 40 % sent to API 1
    expect(ready[2].durationSec).toBeGreaterThan(13.5);
    for (const v of ready) await checkPlayable(v);

    // views reported to both API processes, counted once per viewer, the same count seen through each
    const harbour = ready[0];
    const viewers = ['viewer-1', 'viewer-2', 'viewer-3', 'viewer-4', 'viewer-5', 'viewer-6'];
    for (const [i, viewer] of viewers.entries()) await reportView(i % 2 ? api2 : api1, harbour.id, viewer, 3);
    await reportView(api2, harbour.id, 'viewer-1', 4); // the same viewer again within the hour: not another view
    for (const base of [api1, api2, lb()]) {
      expect((await api(base, `/api/videos/${harbour.id}/stats`)).body.views).toBe(viewers.length);
      expect((await api(base, `/api/videos/${harbour.id}`)).body.viewCount).toBe(viewers.length);
    }
    watched = { id: harbour.id, durationSec: harbour.durationSec };

    // search finds each by a word of its title, through the load balancer
    for (const [word, title] of [['lighthouse', 'topology lighthouse resumed'], ['harbour', 'topology harbour sunrise'], ['lantern', 'topology meadow lantern']]) {
      const hits = await waitFor(`search for ${word}`, async () => {
        const r = await api(lb(), `/api/search?q=${word}`);
        const ids = (r.body.items ?? []).map((i: any) => i.video.id);
        return ids.includes(byTitle.get(title)) ? ids : null;
      }, 30_000);
      expect(hits).toContain(byTitle.get(title));
    }
  }, 400_000);

  /** the index of the worker process whose process group holds `pid` (worker ids are host:pid:random) */
  function workerOf(workerId: string): number {
    const pid = Number(workerId.split(':').at(-2));
    let pgid = -1;
    try {
      pgid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[2]);
    } catch {
      return -1; // already gone
    }
    return topo.workers.findIndex((w) => w.child.pid === pgid);
  }

  async function viewsIn(videoId: string): Promise<{ count: number; keys: Set<string> }> {
    const rows = (await db.query('select viewer_key from view_events where video_id = $1', [videoId])).rows as Array<{ viewer_key: string }>;
    return { count: rows.length, keys: new Set(rows.map((r) => r.viewer_key)) };
  }
  /** the viewer key of an anonymous player's viewerId seen through nginx from this machine */
  const keyOf = (viewerId: string) => viewerKey({ anonId: viewerId, ip: '127.0.0.1' });

  it('kill -9 of one API process during uploads and view load: acknowledged uploads and views survive, clients go on through the other', async () => {
    // Expectation: requests in flight on the killed process fail (nginx answers 502 for a POST/PATCH it had already
    // sent, and sends new requests to the survivor). tus clients ask the upload's offset again (HEAD) and resume from
    // it on the survivor: the upload's bytes and record are not the killed process's. View reporters retry the same
    // viewer. So every upload the client saw finish becomes a ready video with all its bytes, every acknowledged view
    // is in the view log, and each viewer is counted once however often it retried.
    expect(watched).not.toBeNull();
    const videoId = watched!.id;
    const before = (await viewsIn(videoId)).count;
    const progress = [0, 0, 0];
    const files = [film('api-crash-0'), distinctCopy(SIXTY, copies, 'api-crash-1'), film('api-crash-2')];
    const uploads = files.map((file, i) =>
      startUpload({ endpoint: `${lb()}/api/uploads`, token: owner.token, file, title: `topology crash upload ${i}`, chunkSize: 16 * 1024, onProgress: (sent, total) => void (progress[i] = sent / total) }),
    );

    const acked: string[] = [];
    let viewRetries = 0;
    let killedAt = -1;
    let next = 0;
    const viewLoad = async () => {
      // until 150 more views were acknowledged after the kill (by the survivor), at most 3000 viewers
      while (next < 3000 && !(killedAt >= 0 && acked.length >= killedAt + 150)) {
        const viewerId = `crash-viewer-${String(next++).padStart(4, '0')}`;
        const failed = await reportView(lb(), videoId, viewerId, watched!.durationSec);
        viewRetries += failed;
        acked.push(viewerId);
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, viewLoad));
    await waitFor('uploads and views under way', async () => acked.length >= 50 && progress[0] > 0.2, 60_000, 5);
    expect(progress[0]).toBeLessThan(1);
    killedAt = acked.length;
    await topo.killApi(0);
    let uploadIds: Array<string | null>;
    try {
      await load;
      uploadIds = await Promise.all(uploads.map(async (u) => (await u.done, u.videoId())));
    } finally {
      await topo.startApi(0);
    }
    const retries = viewRetries + uploads.reduce((n, u) => n + u.retries(), 0);
    expect(retries).toBeGreaterThan(0); // the kill was felt by clients

    // every acknowledged view is in the log once, and counted
    const after = await viewsIn(videoId);
    expect(acked.filter((v) => !after.keys.has(keyOf(v)))).toEqual([]);
    expect(after.count).toBe(before + acked.length);
    for (const base of [...topo.apis.map((a) => a.url), lb()]) expect((await api(base, `/api/videos/${videoId}/stats`)).body.views).toBe(after.count);
    // every finished upload becomes a whole, playable video
    for (const [i, id] of uploadIds.entries()) {
      expect(id).toBeTruthy();
      const v = await waitForVideo(lb(), id!, owner.token);
      expect([v.status, v.error]).toEqual(['ready', null]);
      expect(v.durationSec).toBeGreaterThan(i === 1 ? 1.5 : 13.5);
      await checkPlayable(v);
    }
  }, 400_000);

  it('kill -9 of a worker mid-task: the other worker re-runs that task and the video becomes ready', async () => {
    // Expectation: the killed worker's task keeps its lease until it expires (TASK_LEASE_SECONDS=3 here), goes back
    // to the queue, and the other worker runs it again; outputs are written under deterministic keys, so the re-run
    // overwrites any partial output. The video becomes ready and plays.
    let victim: { taskId: string; videoId: string; killed: number } | null = null;
    for (let attempt = 0; attempt < 4 && !victim; attempt++) {
      const up = startUpload({ endpoint: `${lb()}/api/uploads`, token: owner.token, file: film(`worker-crash-${attempt}`), title: `topology worker crash ${attempt}` });
      await up.done;
      const videoId = up.videoId()!;
      // catch a task while a worker runs it; if it finished before the kill landed, start that worker again and try the next
      const end = Date.now() + 120_000;
      while (!victim && Date.now() < end) {
        const tasks = await tasksOf(videoId);
        if (tasks.every((t) => t.state === 'done')) break;
        const running = tasks.find((t) => t.state === 'running' && t.worker_id && workerOf(t.worker_id) >= 0);
        if (!running) {
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        const w = workerOf(running.worker_id!);
        await topo.killWorker(w);
        const row = (await db.query('select state, worker_id from tasks where id = $1', [running.id])).rows[0];
        if (row.state === 'running' && row.worker_id === running.worker_id) victim = { taskId: running.id, videoId, killed: w };
        else await topo.startWorker(w);
      }
    }
    expect(victim).not.toBeNull();
    const { taskId, videoId, killed } = victim!;
    // the other worker alone finishes the video
    let v: any;
    try {
      v = await waitForVideo(lb(), videoId, owner.token, 180_000);
    } finally {
      await topo.startWorker(killed);
    }
    expect([v.status, v.error]).toEqual(['ready', null]);
    await waitFor('every task done', async () => (await tasksOf(videoId)).every((t) => t.state === 'done'), 30_000).catch(() => {});
    expect((await tasksOf(videoId)).filter((t) => t.state !== 'done').map((t) => `${t.key} ${t.state} ${t.attempts} ${t.error}`)).toEqual([]);
    const task = (await tasksOf(videoId)).find((t) => t.id === taskId)!;
    expect(task.attempts).toBeGreaterThanOrEqual(2);
    expect(workerOf(task.worker_id!)).toBe(1 - killed);
    await checkPlayable(v);
  }, 600_000);

  it('PostgreSQL restarted (stopped as in a crash) during processing: processing completes, nothing acknowledged is lost, no process exits', async () => {
    // Expectation: while PostgreSQL is down, requests that need it fail (5xx) and task updates fail; no Reel process
    // exits. Connections are opened again once it is back, failed tasks are retried and expired leases re-queued, so
    // the video becomes ready. Views acknowledged before the crash were committed, so they are still counted.
    expect(watched).not.toBeNull();
    const up = startUpload({ endpoint: `${lb()}/api/uploads`, token: owner.token, file: film('database-restart'), title: 'topology database restart' });
    await up.done;
    const videoId = up.videoId()!;
    const viewers = Array.from({ length: 20 }, (_, i) => `pg-restart-viewer-${i}`);
    for (const viewer of viewers) await reportView(lb(), watched!.id, viewer, watched!.durationSec);
    const before = (await viewsIn(watched!.id)).count;
    await waitFor('a task running', async () => (await tasksOf(videoId)).some((t) => t.state === 'running'), 60_000, 20);
    await topo.postgres.restart({ mode: 'immediate', downMs: 2000 });

    const v = await waitForVideo(lb(), videoId, owner.token, 180_000);
    expect([v.status, v.error]).toEqual(['ready', null]);
    await checkPlayable(v);
    for (const p of [...topo.apis, ...topo.workers]) expect(p.child.exitCode).toBeNull();
    const after = await viewsIn(watched!.id);
    expect(viewers.filter((x) => !after.keys.has(keyOf(x)))).toEqual([]);
    expect(after.count).toBe(before);
    for (const a of topo.apis) expect((await api(a.url, `/api/videos/${watched!.id}/stats`)).body.views).toBe(before);
  }, 400_000);

  it('Redis unavailable (killed, then frozen): views are still acknowledged and counted through the database, the API keeps answering', async () => {
    // Expectation: without Redis, rate limits are not enforced and counters are not cached; a view is still written
    // to PostgreSQL before its 2xx and counts are read from the database's shards, so none is lost or miscounted.
    // When Redis comes back (empty), the cache is filled from the database again and the counts agree.
    expect(watched).not.toBeNull();
    const id = watched!.id;
    const before = (await viewsIn(id)).count;
    await topo.redis.kill();
    const viewers = Array.from({ length: 60 }, (_, i) => `no-redis-viewer-${i}`);
    try {
      let failures = 0;
      let next = 0;
      await Promise.all(Array.from({ length: 6 }, async () => {
        while (next < viewers.length) {
          const failed = await reportView(lb(), id, viewers[next++], watched!.durationSec);
          failures += failed;
        }
      }));
      expect(failures).toBe(0); // answered the first time, every time
      for (const a of topo.apis) expect((await api(a.url, `/api/videos/${id}/stats`)).body.views).toBe(before + viewers.length);
      // other requests, rate-limited ones included, are answered too
      expect((await api(lb(), `/api/videos/${id}`)).status).toBe(200);
      expect((await api(lb(), '/api/search?q=harbour')).status).toBe(200);
      const login = await api(lb(), '/api/auth/login', null, { method: 'POST', body: JSON.stringify({ email: 'owner@topology.test', password: 'topology owner password' }) });
      expect(login.status).toBe(200);
    } finally {
      await topo.redis.start();
    }
    const more = Array.from({ length: 10 }, (_, i) => `redis-back-viewer-${i}`);
    for (const [i, viewer] of more.entries()) await reportView(topo.apis[i % 2].url, id, viewer, watched!.durationSec);
    const after = await viewsIn(id);
    expect([...viewers, ...more].filter((x) => !after.keys.has(keyOf(x)))).toEqual([]);
    expect(after.count).toBe(before + viewers.length + more.length);
    for (const a of topo.apis) expect((await api(a.url, `/api/videos/${id}/stats`)).body.views).toBe(after.count);

    // Redis frozen (connections open, no answers, as in a partition): commands time out, the same degraded path;
    // after it thaws, the counters it had cached before do not show a stale count
    topo.redis.pause();
    const frozen = Array.from({ length: 8 }, (_, i) => `frozen-redis-viewer-${i}`);
    try {
      for (const [i, viewer] of frozen.entries()) expect(await reportView(topo.apis[i % 2].url, id, viewer, watched!.durationSec)).toBe(0);
      for (const a of topo.apis) expect((await api(a.url, `/api/videos/${id}/stats`)).body.views).toBe(after.count + frozen.length);
    } finally {
      topo.redis.resume();
    }
    await new Promise((r) => setTimeout(r, 1000));
    expect((await viewsIn(id)).count).toBe(after.count + frozen.length);
    for (const a of topo.apis) expect((await api(a.url, `/api/videos/${id}/stats`)).body.views).toBe(after.count + frozen.length);
  }, 300_000);

  it('S3 answering 500/503 for a while: tasks fail, are retried with backoff, and complete', async () => {
    // Expectation: the S3 client retries each request a few times; a task whose requests still fail fails with a
    // recoverable error and the queue runs it again after a backoff (2 s, 4 s, 8 s …). Once the store answers again
    // the video becomes ready, and everything stored before the outage (the source) is still there.
    const up = startUpload({ endpoint: `${lb()}/api/uploads`, token: owner.token, file: film('storage-outage'), title: 'topology storage outage' });
    await up.done;
    const videoId = up.videoId()!;
    // the outage starts as processing starts: inspect reads the source from the store (the SDK for its first bytes,
    // ffprobe through a presigned URL), so it is the first to fail
    await waitFor('processing started', async () => (await tasksOf(videoId)).some((t) => t.state === 'running'), 60_000, 20);
    const proxy = topo.s3.proxy;
    const refusedBefore = proxy.refused;
    proxy.failing = true;
    try {
      await waitFor('a task failed on the S3 errors', async () => (await tasksOf(videoId)).some((t) => t.error !== null), 90_000, 100);
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      proxy.failing = false;
    }
    expect(proxy.refused).toBeGreaterThan(refusedBefore);
    const v = await waitForVideo(lb(), videoId, owner.token, 180_000);
    expect([v.status, v.error]).toEqual(['ready', null]);
    await waitFor('every task done', async () => (await tasksOf(videoId)).every((t) => t.state === 'done'), 30_000).catch(() => {});
    expect((await tasksOf(videoId)).filter((t) => t.state !== 'done').map((t) => `${t.key} ${t.state} ${t.attempts} ${t.error}`)).toEqual([]);
    expect((await tasksOf(videoId)).some((t) => t.attempts >= 2)).toBe(true);
    expect(v.durationSec).toBeGreaterThan(13.5);
    await checkPlayable(v);
  }, 400_000);
});
