/**
 * Delivery (BRIEF §3, issue 4): segment GET throughput through the nginx edge with signed URLs, and from the
 * origin alone, against nginx serving the same files with no checks; playlist request throughput; time from page
 * load to first frame in Chromium.
 *
 *   npx tsx bench/delivery.ts [--seconds=8] [--connections=32] [--frames=7]
 *
 * One run, one machine: `reel serve` (a child process, embedded defaults) transcodes the shared film as an
 * unlisted video; then, one after the other, autocannon (in this process) requests the film's segments (every
 * rung, in order, round robin) from
 *   (0) nginx with no checks: `location /media/ { alias <blob folder>/videos/; }`, sendfile, same worker count;
 *   (1) the edge: the configuration `reel edge-config` prints, in front of the origin, every URL signed
 *       (/media/<id>/t/<token>/<file>), after one warm-up pass (the edge serves from its cache and checks the token
 *       once per token, as in production);
 *   (2) the origin alone: `reel serve`, the same signed URLs.
 * Playlists: the master and media playlists, the same three ways. First frame: Chromium opens /watch/<id> of a
 * public copy of the film; the time is `performance.now()` (from navigation start) at the video's first
 * `requestVideoFrameCallback`, median of --frames page loads in fresh pages.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, totalmem, userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { chromium } from 'playwright-core';
import { edgeConfigCommand } from '../src/streaming/edge-config-command.js';
import { parseMediaPlaylist } from '../src/core/hls.js';
import { freePort, startServerProcess, type ServerProcess } from '../test/support/server-process.js';
import { startNginx, stopNginx } from './nginx.js';
import { CACHE_DIR, fmt, median, SHARED_FILM } from './support.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '8' }, connections: { type: 'string', default: '32' }, frames: { type: 'string', default: '7' } } });
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const FRAMES = Number(values.frames);
const SECRET = 'bench-delivery-secret-0123456789-abcdefghijkl';

async function json(base: string, path: string, token: string | null, init: RequestInit = {}): Promise<any> {
  const r = await fetch(base + path, { ...init, headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) } });
  const text = await r.text();
  if (!r.ok) throw new Error(`${init.method ?? 'GET'} ${path}: HTTP ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Upload the film (one creation-with-upload request) as a video with this visibility; wait until ready. */
async function uploadFilm(base: string, token: string, visibility: string): Promise<string> {
  const id = (await json(base, '/api/videos', token, { method: 'POST', body: JSON.stringify({ title: `delivery ${visibility}`, visibility }) })).video.id as string;
  const bytes = await readFile(SHARED_FILM);
  const up = await fetch(`${base}/api/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length), 'upload-metadata': `videoId ${Buffer.from(id).toString('base64')}`, 'content-type': 'application/offset+octet-stream' },
    body: bytes,
  });
  if (up.status !== 201) throw new Error(`upload: HTTP ${up.status} ${await up.text()}`);
  for (let i = 0; i < 2400; i++) {
    const v = await json(base, `/api/videos/${id}`, token);
    if (v.status === 'ready') return id;
    if (v.status === 'failed') throw new Error(`the film failed to transcode: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the film did not become ready in 10 minutes');
}

/** nginx serving the blob folder as it is: no token, no origin, no cache layer. */
function plainNginxConf(port: number, blobDir: string, user: string | null): string {
  return `${user ? `user ${user};\n` : ''}worker_processes auto;
pid nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  types { application/vnd.apple.mpegurl m3u8; video/mp4 mp4 m4s; }
  server {
    listen 127.0.0.1:${port};
    location /media/ { alias ${blobDir}/videos/; }
    location = /healthz { return 200 ok; }
  }
}
`;
}

interface Load {
  reqPerSec: number;
  mibPerSec: number;
  non2xx: number;
  errors: number;
  p99ms: number;
}

/** autocannon over the given paths, round robin, CONNECTIONS connections, SECONDS seconds. */
async function load(base: string, paths: string[]): Promise<Load> {
  let i = 0;
  const r = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [{ setupRequest: (req: any) => ({ ...req, path: paths[i++ % paths.length] }) }],
  });
  return { reqPerSec: r.requests.average, mibPerSec: r.throughput.average / 2 ** 20, non2xx: r.non2xx, errors: r.errors, p99ms: r.latency.p99 };
}

async function firstFrameMs(url: string): Promise<number[]> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--autoplay-policy=no-user-gesture-required'] });
  const out: number[] = [];
  try {
    for (let i = 0; i < FRAMES + 1; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      // before any script of the page: note the first frame any <video> presents
      await page.addInitScript(() => {
        const w = window as any;
        w.__firstFrame = null;
        document.addEventListener(
          'loadstart',
          (e) => {
            const v = e.target as HTMLVideoElement;
            if (v.tagName !== 'VIDEO' || w.__watching) return;
            w.__watching = true;
            v.requestVideoFrameCallback(() => (w.__firstFrame ??= performance.now()));
          },
          true,
        );
      });
      await page.goto(url);
      await page.waitForFunction(() => (window as any).__firstFrame !== null, undefined, { timeout: 30_000, polling: 20 });
      const ms = await page.evaluate(() => (window as any).__firstFrame as number);
      if (i > 0) out.push(ms); // the first load warms the server's and the OS's caches
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return out;
}

async function main() {
  const root = await mkdtemp(join(CACHE_DIR, 'delivery-'));
  const user = process.getuid?.() === 0 ? userInfo().username : null;
  const nginxes: ChildProcess[] = [];
  let origin: ServerProcess | null = null;
  try {
    const dataDir = join(root, 'data');
    origin = await startServerProcess({ DATA_DIR: dataDir, PLAYBACK_SECRET: SECRET, DATABASE_URL: '', BLOB_STORE: 'fs', BLOB_DIR: '', WORKER_CONCURRENCY: '1' }, ['serve']);
    const base = origin.url;
    const reg = await fetch(`${base}/api/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bench@example.test', password: 'benchmark password', handle: 'bench' }) });
    const cookie = reg.headers.get('set-cookie')!.split(';')[0];
    const token = (await json(base, '/api/tokens', null, { method: 'POST', headers: { cookie }, body: JSON.stringify({ name: 'bench' }) })).token as string;
    console.log('transcoding the shared film (unlisted, and a public copy for the first-frame test) ...');
    const id = await uploadFilm(base, token, 'unlisted');
    const d = await json(base, `/api/videos/${id}/playback`, null);
    if (!d.token) throw new Error('an unlisted video should play with a signed token');

    // the film's files, as the player asks for them
    const master = await (await fetch(`${base}${d.baseUrl}master.m3u8`)).text();
    const mediaPlaylists = master.split('\n').filter((l) => l && !l.startsWith('#')).concat([...master.matchAll(/URI="([^"]+)"/g)].map((m) => m[1]));
    const files: string[] = [];
    let segmentBytes = 0;
    for (const pl of mediaPlaylists) {
      const dir = pl.slice(0, pl.lastIndexOf('/') + 1);
      const parsed = parseMediaPlaylist(await (await fetch(`${base}${d.baseUrl}${pl}`)).text());
      for (const s of parsed.segments) {
        files.push(dir + s.uri.split('?')[0]);
        segmentBytes += Number((await fetch(`${base}${d.baseUrl}${dir}${s.uri}`, { method: 'HEAD' })).headers.get('content-length'));
      }
    }
    const playlists = ['master.m3u8', ...mediaPlaylists];
    console.log(`film: ${files.length} segments in ${mediaPlaylists.length} playlists, ${fmt(segmentBytes / files.length / 1024, 0)} KiB a segment on average`);

    // (0) plain nginx on the blob folder
    const plainDir = join(root, 'plain');
    await mkdir(plainDir, { recursive: true });
    const plainPort = await freePort();
    const plain = `http://127.0.0.1:${plainPort}`;
    nginxes.push(await startNginx(plainDir, plainNginxConf(plainPort, join(dataDir, 'blobs'), user), `${plain}/healthz`));
    const probe = await fetch(`${plain}/media/${id}/${files[0]}`);
    if (probe.status !== 200) throw new Error(`plain nginx: ${probe.status} for ${files[0]} (is the blob folder ${join(dataDir, 'blobs')}?)`);

    // (1) the edge
    const edgeDir = join(root, 'edge');
    await mkdir(join(edgeDir, 'cache'), { recursive: true });
    const edgePort = await freePort();
    const edge = `http://127.0.0.1:${edgePort}`;
    const conf = edgeConfigCommand(['--origin', base, '--listen', `127.0.0.1:${edgePort}`, '--cache-dir', join(edgeDir, 'cache'), '--standalone', edgeDir, ...(user ? ['--user', user] : [])], { port: 8080, edgePurgeSecret: 'bench-purge-secret-0123456789-abcdefghijkl' });
    nginxes.push(await startNginx(edgeDir, conf, `${edge}/healthz`));

    const signed = (f: string) => `${d.baseUrl}${f}`; // /media/<id>/t/<token>/<file>
    const bare = (f: string) => `/media/${id}/${f}`;
    for (const f of [...files, ...playlists]) await (await fetch(edge + signed(f))).arrayBuffer(); // warm the edge

    const at = new Date().toISOString();
    const rows: Array<{ what: string; plain: Load; edge: Load; origin: Load }> = [];
    for (const [what, list] of [['segments', files], ['playlists', playlists]] as const) {
      const p = await load(plain, (list as readonly string[]).map(bare));
      const e = await load(edge, (list as readonly string[]).map(signed));
      const o = await load(base, (list as readonly string[]).map(signed));
      rows.push({ what, plain: p, edge: e, origin: o });
    }

    // first frame, public copy (no token round trip), through the origin as `reel serve` serves the web app
    const pub = await uploadFilm(base, token, 'public');
    const frames = await firstFrameMs(`${base}/watch/${pub}`);

    console.log(`\ndate ${at}; machine ${cpus().length} cores (${cpus()[0]?.model}), ${fmt(totalmem() / 2 ** 30)} GiB; load average ${loadavg().map((x) => fmt(x, 2)).join(' ')}; node ${process.version}`);
    console.log(`autocannon: ${CONNECTIONS} connections, ${SECONDS} s per measurement, paths round robin\n`);
    console.log('| what | server | req/s | MiB/s | p99 ms | non-2xx | errors | vs plain nginx | target |');
    console.log('|---|---|---:|---:|---:|---:|---:|---:|---|');
    for (const r of rows) {
      const line = (name: string, l: Load, target: string) =>
        console.log(`| ${r.what} | ${name} | ${fmt(l.reqPerSec, 0)} | ${fmt(l.mibPerSec, 1)} | ${l.p99ms} | ${l.non2xx} | ${l.errors} | ${fmt(l.reqPerSec / r.plain.reqPerSec, 2)}× | ${target} |`);
      line('nginx, no checks', r.plain, '');
      line('edge, signed URLs', r.edge, r.what === 'segments' ? `≥ 0.9×: ${r.edge.reqPerSec / r.plain.reqPerSec >= 0.9 ? 'met' : 'NOT met'}` : '');
      line('origin alone, signed URLs', r.origin, r.what === 'segments' ? `≥ 0.5×: ${r.origin.reqPerSec / r.plain.reqPerSec >= 0.5 ? 'met' : 'NOT met'}` : '');
    }
    const bad = rows.some((r) => [r.plain, r.edge, r.origin].some((l) => l.non2xx > 0 || l.errors > 0));
    console.log(`\nfirst frame after page load (Chromium, /watch/<id>, ${frames.length} loads after one warm-up): ${frames.map((x) => fmt(x, 0)).join(', ')} ms; median ${fmt(median(frames), 0)} ms (target ≤ 500 ms: ${median(frames) <= 500 ? 'met' : 'NOT met'})`);
    if (bad) {
      console.log('\nSOME REQUESTS FAILED: the numbers above are not valid');
      process.exitCode = 1;
    }
  } finally {
    for (const n of nginxes) await stopNginx(n);
    await origin?.stop();
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
