/**
 * The edge tier: a real nginx (Debian's nginx-light) started by the test with the configuration
 * `reel edge-config` prints, in front of a real origin. A second request for a segment is served from the edge's
 * cache (the origin never sees it), tokens are checked at the edge (once per token, not per segment), and a
 * forged or expired token is refused there. The edge's cache log (`--cache-log`, a file the origin tails and
 * syslog datagrams) moves reel_edge_cache_requests_total in the origin's /metrics: a second request is a HIT.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_DIR, registerUser, startTestPlatform, waitForVideo, type TestPlatform } from '../support/platform.js';
import { edgeConfigCommand } from '../../src/streaming/edge-config-command.js';
import { signPlaybackToken } from '../../src/core/playback-token.js';
import { parseMediaPlaylist } from '../../src/core/hls.js';
import { startEdgeCacheLog, type EdgeCacheEntry, type EdgeCacheLogReader } from '../../src/ops/edge-cache-log.js';

const SECRET = 'edge-test-secret-0123456789-abcdefghijklmnop';
const PURGE_SECRET = 'edge-purge-secret-0123456789-abcdefghijklmnop';
const b64 = (s: string) => Buffer.from(s).toString('base64');

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as any).port as number;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('nginx edge in front of the origin', () => {
  let tp: TestPlatform;
  let nginx: ChildProcess | undefined;
  let edge: string;
  let owner: { token: string };
  let id: string;
  const originHits: string[] = [];
  const dir = () => join(tp.dir, 'edge');
  // the cache log: a file the origin follows (EDGE_ACCESS_LOG), and the same lines as syslog datagrams
  const logDir = mkdtempSync(join(tmpdir(), 'reel-edge-log-'));
  const cacheLog = join(logDir, 'cache.log');
  const syslogEntries: EdgeCacheEntry[] = [];
  let syslog: EdgeCacheLogReader | undefined;

  beforeAll(async () => {
    const port = await freePort();
    edge = `http://127.0.0.1:${port}`;
    tp = await startTestPlatform({ worker: true, env: { PLAYBACK_SECRET: SECRET, EDGE_URLS: edge, EDGE_PURGE_SECRET: PURGE_SECRET, EDGE_ACCESS_LOG: cacheLog } });
    const app = tp.platform.app;
    await app.listen({ port: 0, host: '127.0.0.1' });
    const originPort = (app.server.address() as any).port;
    app.server.on('request', (req) => originHits.push(String(req.url)));
    owner = await registerUser(app);
    const auth = { authorization: `Bearer ${owner.token}` };
    id = (await app.inject({ method: 'POST', url: '/api/videos', headers: auth, payload: { title: 'edge', visibility: 'unlisted' } })).json().video.id;
    const bytes = readFileSync(`${MEDIA_DIR}video_short.mp4`);
    const up = await app.inject({
      method: 'POST',
      url: '/api/uploads',
      headers: { ...auth, 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length), 'upload-metadata': `videoId ${b64(id)}`, 'content-type': 'application/offset+octet-stream' },
      payload: bytes,
    });
    expect(up.statusCode).toBe(201);
    expect((await waitForVideo(app, id, owner.token)).status).toBe('ready');

    mkdirSync(join(dir(), 'cache'), { recursive: true });
    const syslogPort = await freePort();
    syslog = await startEdgeCacheLog(`udp://127.0.0.1:${syslogPort}`, { record: (e) => syslogEntries.push(e) }, { warn: () => {}, info: () => {} });
    const conf = edgeConfigCommand(
      [
        '--origin', `http://127.0.0.1:${originPort}`, '--listen', `127.0.0.1:${port}`, '--cache-dir', join(dir(), 'cache'), '--standalone', dir(),
        '--cache-log', cacheLog, '--cache-log', `syslog:server=127.0.0.1:${syslogPort}`,
        ...(process.getuid?.() === 0 ? ['--user', userInfo().username] : []),
      ],
      { port: 8080, edgePurgeSecret: PURGE_SECRET },
    );
    writeFileSync(join(dir(), 'nginx.conf'), conf);
    const stderr: string[] = [];
    nginx = spawn('/usr/sbin/nginx', ['-p', dir(), '-e', join(dir(), 'error.log'), '-c', join(dir(), 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
    nginx.stderr!.on('data', (c) => stderr.push(String(c)));
    const end = Date.now() + 15_000;
    for (;;) {
      const ok = await fetch(`${edge}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > end || nginx.exitCode !== null) throw new Error(`nginx did not start: ${stderr.join('')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 120_000);

  afterAll(async () => {
    if (process.env.REEL_EDGE_DEBUG) console.log(readFileSync(join(dir(), 'error.log'), 'utf8'));
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((r) => nginx!.once('exit', r));
      nginx.kill('SIGQUIT');
      await exited;
    }
    await tp?.close();
    await syslog?.close();
    rmSync(logDir, { recursive: true, force: true });
  });

  /** reel_edge_cache_requests_total (or _bytes_total) for a cache status, summed over edges, from the origin's /metrics */
  const edgeMetric = async (status: string, name = 'reel_edge_cache_requests_total') => {
    const body = (await tp.platform.app.inject({ url: '/metrics' })).body;
    let sum = 0;
    for (const m of body.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))) if (m[1].includes(`status="${status}"`)) sum += Number(m[2]);
    return sum;
  };

  const hitsOf = (pred: (u: string) => boolean) => originHits.filter(pred).length;

  it('serves a signed segment from its cache the second time, for any valid token, checking each token once', async () => {
    const [hits0, misses0, hitBytes0] = [await edgeMetric('HIT'), await edgeMetric('MISS'), await edgeMetric('HIT', 'reel_edge_cache_bytes_total')];
    const syslog0 = syslogEntries.length;
    const d = (await tp.platform.app.inject({ url: `/api/videos/${id}/playback` })).json();
    const pl = parseMediaPlaylist(await (await fetch(`${edge}${d.baseUrl}144p/index.m3u8`)).text());
    const file = `144p/${pl.segments[0].uri}`;
    const first = await fetch(`${edge}${d.baseUrl}${file}`);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache-status')).toBe('MISS');
    const body = Buffer.from(await first.arrayBuffer());
    expect(first.headers.get('x-accel-expires')).toBeNull(); // edge-only instruction, not forwarded
    expect(first.headers.get('cache-control')).toMatch(/^private/);
    const segmentHits = () => hitsOf((u) => u.startsWith('/media/') && u.endsWith(file));
    expect(segmentHits()).toBe(1);

    const second = await fetch(`${edge}${d.baseUrl}${file}`);
    expect(second.status).toBe(200);
    expect(second.headers.get('x-cache-status')).toBe('HIT');
    expect(Buffer.from(await second.arrayBuffer()).equals(body)).toBe(true);
    expect(segmentHits()).toBe(1); // the origin did not see it

    // the origin's /metrics counted both from the edge's cache log: the playlist and the segment missed, then a hit
    await expect.poll(() => edgeMetric('HIT'), { timeout: 10_000, interval: 100 }).toBe(hits0 + 1);
    expect(await edgeMetric('MISS')).toBe(misses0 + 2);
    expect(await edgeMetric('HIT', 'reel_edge_cache_bytes_total')).toBe(hitBytes0 + body.length);
    expect((await tp.platform.app.inject({ url: '/metrics' })).body).toMatch(/^reel_edge_cache_requests_total\{status="HIT",edge="[^"]+"\} \d+$/m);
    // the same lines reached the syslog listener as datagrams
    await expect.poll(() => syslogEntries.slice(syslog0).map((e) => e.cache), { timeout: 10_000, interval: 100 }).toEqual(['MISS', 'MISS', 'HIT']);
    expect(syslogEntries.slice(syslog0)[2]).toMatchObject({ status: 200, bytes: body.length });

    // another viewer's token: the same cached copy; the origin is asked about the token once, never for the segment
    const other = signPlaybackToken([SECRET], { videoId: id, expiresAt: Math.floor(Date.now() / 1000) + 900, viewer: 'someone-else' });
    const authBefore = hitsOf((u) => u.startsWith('/media-auth/') && u.includes(other));
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${edge}/media/${id}/t/${other}/${file}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('x-cache-status')).toBe('HIT');
    }
    expect(segmentHits()).toBe(1);
    expect(hitsOf((u) => u.startsWith('/media-auth/') && u.includes(other)) - authBefore).toBe(1);
    // a range from the cached copy
    const part = await fetch(`${edge}/media/${id}/t/${other}/${file}`, { headers: { range: 'bytes=0-7' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(body.subarray(0, 8))).toBe(true);
  });

  it('refuses forged, expired and other-video tokens at the edge; the origin never serves the file', async () => {
    const d = (await tp.platform.app.inject({ url: `/api/videos/${id}/playback` })).json();
    const now = Math.floor(Date.now() / 1000);
    const sig = d.token.split('.')[2];
    const file = 'master.m3u8';
    for (const token of [
      d.token.replace(sig, (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1)),
      signPlaybackToken([SECRET], { videoId: id, expiresAt: now - 10, viewer: null }),
      signPlaybackToken([SECRET], { videoId: '00000000-0000-4000-8000-000000000000', expiresAt: now + 600, viewer: null }),
    ]) {
      const before = hitsOf((u) => u.startsWith(`/media/${id}/t/${token}/`));
      expect((await fetch(`${edge}/media/${id}/t/${token}/${file}`)).status).toBe(403);
      expect((await fetch(`${edge}/media/${id}/t/${token}/144p/init.mp4`)).status).toBe(403);
      expect(hitsOf((u) => u.startsWith(`/media/${id}/t/${token}/`))).toBe(before);
    }
    // no token: passed to the origin, which does not serve an unlisted video without one
    expect((await fetch(`${edge}/media/${id}/${file}`)).status).toBe(404);
  });

  it('caches public segments and manifests by the origin’s Cache-Control', async () => {
    expect((await tp.platform.app.inject({ method: 'PATCH', url: `/api/videos/${id}`, headers: { authorization: `Bearer ${owner.token}` }, payload: { visibility: 'public' } })).statusCode).toBe(200);
    for (const file of ['240p/init.mp4', '240p/index.m3u8']) {
      const a = await fetch(`${edge}/media/${id}/${file}`);
      expect(a.status).toBe(200);
      expect(a.headers.get('x-cache-status')).toBe('MISS');
      const b = await fetch(`${edge}/media/${id}/${file}`);
      expect(b.headers.get('x-cache-status')).toBe('HIT');
      expect(hitsOf((u) => u === `/media/${id}/${file}`)).toBe(1);
    }
  });

  it('purges public copies when the video stops being public, and every copy when it is deleted', async () => {
    const auth = { authorization: `Bearer ${owner.token}` };
    const file = '240p/init.mp4';
    expect((await fetch(`${edge}/media/${id}/${file}`)).headers.get('x-cache-status')).toBe('HIT');
    expect((await tp.platform.app.inject({ method: 'PATCH', url: `/api/videos/${id}`, headers: auth, payload: { visibility: 'private' } })).statusCode).toBe(200);
    // the edge stops serving the public copy as soon as the purge reached it
    await expect.poll(async () => (await fetch(`${edge}/media/${id}/${file}`)).status, { timeout: 10_000, interval: 100 }).toBe(404);
    // the owner's signed path still plays (from the token-free cached copy)
    const d = (await tp.platform.app.inject({ url: `/api/videos/${id}/playback`, headers: auth })).json();
    const signed = `${edge}${d.baseUrl}${file}`;
    expect((await fetch(signed)).status).toBe(200);
    expect((await fetch(signed)).headers.get('x-cache-status')).toBe('HIT');

    expect((await tp.platform.app.inject({ method: 'DELETE', url: `/api/videos/${id}`, headers: auth })).statusCode).toBe(204);
    // a still-valid token no longer gets the cached file either
    await expect.poll(async () => (await fetch(signed)).status, { timeout: 10_000, interval: 100 }).toBe(404);
  });

  it('pre-warms the opening of a newly published video, so its first viewer is served from the edge', async () => {
    const app = tp.platform.app;
    const auth = { authorization: `Bearer ${owner.token}` };
    const vid = (await app.inject({ method: 'POST', url: '/api/videos', headers: auth, payload: { title: 'warm', visibility: 'public' } })).json().video.id;
    const bytes = readFileSync(`${MEDIA_DIR}video_short.mp4`);
    await app.inject({
      method: 'POST',
      url: '/api/uploads',
      headers: { ...auth, 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length), 'upload-metadata': `videoId ${b64(vid)}`, 'content-type': 'application/offset+octet-stream' },
      payload: bytes,
    });
    expect((await waitForVideo(app, vid, owner.token)).status).toBe('ready');
    const pl = parseMediaPlaylist((await app.inject({ url: `/media/${vid}/144p/index.m3u8` })).body);
    const first = `/media/${vid}/144p/${pl.segments[0].uri}`;
    // the pre-warm fetched it through the edge: the edge logged both answers as complete (so both are cached),
    // and the origin saw exactly one request for the segment
    const logged = () => readFileSync(join(dir(), 'access.log'), 'utf8');
    await expect.poll(() => logged().includes(`GET ${first} `) && logged().includes(`GET /media/${vid}/audio/init.mp4 `), { timeout: 20_000, interval: 100 }).toBe(true);
    expect(hitsOf((u) => u === first)).toBe(1);
    const r = await fetch(edge + first);
    expect(r.status).toBe(200);
    expect(r.headers.get('x-cache-status')).toBe('HIT');
    expect((await fetch(`${edge}/media/${vid}/audio/init.mp4`)).headers.get('x-cache-status')).toBe('HIT');
    expect(hitsOf((u) => u === first)).toBe(1);
  });
});
