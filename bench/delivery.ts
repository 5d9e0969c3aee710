/**
 * Delivery (BRIEF §3, issue 4): segment GET throughput through the nginx edge with signed URLs, and from the
 * origin alone, against nginx serving the same files with no checks; playlist request throughput; time from page
 * load to first frame in Chromium.
 *
 *   npx tsx bench/delivery.ts [--seconds=8] [--connections=32] [--frames=7] [--first-frame-only [--encrypted]]
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
 * public copy of the film; the time is the `expectedDisplayTime` (ms from navigation start) that the video's first
 * `requestVideoFrameCallback` reports for its first frame: when that frame is visible (until 2026-11-24 the time
 * the callback ran was reported; it runs on the main thread, later when that is busy, while the compositor shows
 * video frames without it; the breakdown keeps it as "frame callback ran"), median of --frames page loads, with
 * where the time went (the median, over the loads, of when each step ended: HTML, app script, route chunk, hls.js, API reads, playlists, init and first
 * segments, from the page's resource timings). Measured twice, once the film's tasks have all finished: first
 * visits (a new browser profile per load: nothing cached) and returning visits (one profile: the scripts cached,
 * every load a different copy of the film, so no media file is). --first-frame-only skips the throughput part;
 * with --encrypted its films are AES-128 encrypted videos (each transcoded: copies made by de-duplication would
 * not be encrypted), the start the MSE starter decrypts with WebCrypto.
 */
import { createHash } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, totalmem, userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { chromium } from 'playwright-core';
import { edgeConfigCommand } from '../src/streaming/edge-config-command.js';
import { parseMediaPlaylist } from '../src/core/hls.js';
import { freePort, startServerProcess, type ServerProcess } from '../test/support/server-process.js';
import { startNginx, stopNginx } from './nginx.js';
import { fmt, machineBusyShare, median, scratchDir, SHARED_FILM } from './support.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '8' }, connections: { type: 'string', default: '32' }, frames: { type: 'string', default: '7' }, 'first-frame-only': { type: 'boolean', default: false }, encrypted: { type: 'boolean', default: false } } });
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
async function uploadFilm(base: string, token: string, visibility: string, encrypted = false): Promise<string> {
  const id = (await json(base, '/api/videos', token, { method: 'POST', body: JSON.stringify({ title: `delivery ${visibility}`, visibility }) })).video.id as string;
  if (encrypted) await json(base, `/api/videos/${id}/encryption`, token, { method: 'PUT' });
  const bytes = await readFile(SHARED_FILM);
  const up = await fetch(`${base}/api/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length), 'upload-metadata': `videoId ${Buffer.from(id).toString('base64')}`, 'content-type': 'application/offset+octet-stream' },
    body: bytes,
  });
  if (up.status !== 201) throw new Error(`upload: HTTP ${up.status} ${await up.text()}`);
  for (let i = 0; i < 2400; i++) {
    const v = await json(base, `/api/videos/${id}`, token);
    // ready, and no task of it left to run (after "ready", captions, storyboards or other codecs may still encode:
    // the measurements start on an idle server)
    const open = v.status === 'ready' ? (await json(base, `/api/videos/${id}/tasks`, token)).items.filter((t: { state: string }) => !['done', 'failed', 'dead', 'cancelled'].includes(t.state)) : [1];
    if (open.length === 0) return id;
    if (v.status === 'failed') throw new Error(`the film failed to transcode: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the film did not become ready in 10 minutes');
}

/** `n` more public videos of the film, made at once from its renditions (SHA-256 de-duplication: no transcode). */
async function copiesOf(base: string, token: string, n: number): Promise<string[]> {
  const bytes = await readFile(SHARED_FILM);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await json(base, '/api/upload-checks', token, { method: 'POST', body: JSON.stringify({ sha256, size: bytes.length, title: `delivery copy ${i}`, visibility: 'public' }) });
    if (!r.duplicate) throw new Error('the film should be known by its SHA-256');
    ids.push(r.video.id);
  }
  return ids;
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

/** One page load: when each step ended (ms from navigation start), by name; `frame` is the first frame. */
type Steps = Record<string, number>;

/** The page's own account of one load: resource timings grouped into the steps that lead to the first frame. */
function stepsOfLoad(): Steps {
  const w = window as any;
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
  const res = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
  const steps: Record<string, number> = { html: nav.responseEnd, 'dom ready': nav.domContentLoadedEventEnd };
  const end = (name: string, test: (path: string) => boolean, first = false) => {
    const hits = res.filter((r) => test(new URL(r.name).pathname));
    if (!hits.length) return;
    steps[`${name} start`] = Math.min(...hits.map((r) => r.startTime));
    steps[name] = first ? Math.min(...hits.map((r) => r.responseEnd)) : Math.max(...hits.map((r) => r.responseEnd));
  };
  end('early entry', (p) => /^\/assets\/early-.*\.js$/.test(p)); // the player-first entry and its shared chunk
  end('app entry', (p) => /^\/assets\/index-.*\.js$/.test(p));
  end('styles', (p) => /^\/assets\/index-.*\.css$/.test(p)); // module scripts run only once it is loaded
  end('app chunk', (p) => /^\/assets\/boot-.*\.js$/.test(p)); // React and the router, loaded after the first frame
  end('route chunk', (p) => /^\/assets\/(Watch|TvWatch)-.*\.js$/.test(p));
  end('hls.js', (p) => /^\/assets\/hls-.*\.js$/.test(p));
  end('video api', (p) => /^\/api\/videos\/[^/]+$/.test(p));
  end('playback api', (p) => /^\/api\/videos\/[^/]+\/playback$/.test(p));
  end('master playlist', (p) => /\/master[^/]*\.m3u8$/.test(p));
  end('first media playlist', (p) => /\/media\/.*\/[^/]*\.m3u8$/.test(p) && !/master[^/]*\.m3u8$/.test(p), true);
  end('first init segment', (p) => /init[^/]*\.mp4$/.test(p), true);
  end('first segment', (p) => /\.m4s$/.test(p), true);
  end('start segments', (p) => /\.m4s$/.test(p) || /init[^/]*\.mp4$/.test(p)); // the last of them
  // the player's own marks (web/src/player/engine.ts): when hls.js started, attached, parsed, buffered
  for (const m of performance.getEntriesByType('mark')) if (m.name.startsWith('reel:') && m.name !== 'reel:title') steps[m.name.slice(5)] ??= m.startTime;
  if (w.__loadstart != null) steps['video source set (loadstart)'] = w.__loadstart;
  const title = performance.getEntriesByName('reel:title')[0];
  if (title) steps['page title shown'] = title.startTime;
  if (w.__loadedmetadata != null) steps['metadata'] = w.__loadedmetadata;
  steps.frame = w.__firstFrame;
  if (w.__frameCallback != null) steps['frame callback ran'] = w.__frameCallback;
  return steps;
}

/**
 * Page loads of /watch/<id> for each of `urls` in turn (the first load is a warm-up, not counted). First visits: a
 * new browser profile for every load (nothing cached). Returning visits (`returning`): one profile for all loads, so
 * the app's scripts come from the HTTP cache (immutable, hashed names) and V8's code cache, as for a viewer who
 * watched something before; each load is of another video (`urls`), so its media files are not in the cache.
 */
async function firstFrameMs(urls: string[], returning = false): Promise<{ frames: number[]; steps: Steps[]; busy: number }> {
  // a page load on a quiet machine, as a viewer's: the film's transcode (just finished) may still be writing back
  const busy = await settle();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--autoplay-policy=no-user-gesture-required'] });
  const out: number[] = [];
  const steps: Steps[] = [];
  const shared = returning ? await browser.newContext({ viewport: { width: 1280, height: 800 } }) : null;
  try {
    for (let i = 0; i < FRAMES + 1; i++) {
      const url = urls[i % urls.length];
      const context = shared ?? (await browser.newContext({ viewport: { width: 1280, height: 800 } }));
      const page = await context.newPage();
      // tsx names functions with a __name helper that does not exist in the page; stepsOfLoad runs there
      await page.addInitScript('window.__name = (f) => f');
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
            w.__loadstart = performance.now();
            v.addEventListener('loadedmetadata', () => (w.__loadedmetadata ??= performance.now()), { once: true });
            // when the frame is visible (the compositor shows video frames without the main thread), and when the
            // page's callback ran (later when the main thread is busy)
            v.requestVideoFrameCallback((_now, meta) => {
              w.__firstFrame ??= meta.expectedDisplayTime;
              w.__frameCallback ??= performance.now();
            });
          },
          true,
        );
        // when the rest of the page (the video's title) shows: after the first frame on a player-first page
        new MutationObserver((_m, o) => {
          if (!document.getElementById('title')) return;
          performance.mark('reel:title');
          o.disconnect();
        }).observe(document, { childList: true, subtree: true });
      });
      await page.goto(url);
      // (not page.waitForFunction: it injects Playwright's 330 KB script, whose compilation holds the page's main
      // thread for ~150 ms, in the middle of the load it measures)
      const ms = await page.evaluate(
        () =>
          new Promise<number>((resolve, reject) => {
            const w = window as any;
            const until = performance.now() + 30_000;
            const check = () => (w.__firstFrame !== null ? resolve(w.__firstFrame) : performance.now() > until ? reject(new Error('no frame in 30 s')) : setTimeout(check, 20));
            check();
          }),
      );
      await page.waitForSelector('#title', { timeout: 30_000 });
      if (i > 0) {
        // the first load warms the server's and the OS's caches
        out.push(ms);
        steps.push(await page.evaluate(stepsOfLoad));
      }
      if (shared) await page.close();
      else await context.close();
    }
  } finally {
    await browser.close();
  }
  return { frames: out, steps, busy };
}

/**
 * Waits (60 s at most) until the machine's cores are less than 20 % busy over a second; returns the share of the
 * last second measured.
 */
async function settle(): Promise<number> {
  let busy = await machineBusyShare(1000);
  for (let i = 0; busy >= 0.2 && i < 60; i++) busy = await machineBusyShare(1000);
  return busy;
}

/** The median over the loads of each step's time, in time order. */
function breakdown(loads: Steps[]): string {
  const names = [...new Set(loads.flatMap((l) => Object.keys(l)))];
  const rows = names.map((n) => ({ n, ms: median(loads.map((l) => l[n]).filter((x) => x !== undefined)) })).sort((a, b) => a.ms - b.ms);
  return rows.map((r) => `| ${r.n} | ${fmt(r.ms, 0)} |`).join('\n');
}

function printFrames(r: { frames: number[]; steps: Steps[]; busy: number }, kind: string): void {
  console.log(`\nfirst frame after page load, ${kind} (Chromium, /watch/<id>, ${r.frames.length} loads after one warm-up, machine ${fmt(r.busy * 100, 0)} % busy before): ${r.frames.map((x) => fmt(x, 0)).join(', ')} ms; median ${fmt(median(r.frames), 0)} ms (target ≤ 500 ms: ${median(r.frames) <= 500 ? 'met' : 'NOT met'})`);
  console.log('\nwhere the time goes (median over the loads, ms after navigation start, when each step ended or started):\n');
  console.log('| step | ms |\n|---|---:|');
  console.log(breakdown(r.steps));
}

async function main() {
  const root = await scratchDir('delivery-');
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
    if (values['first-frame-only']) {
      const encrypted = values.encrypted;
      console.log(`transcoding the shared film (public${encrypted ? `, AES-128 encrypted, ${FRAMES + 2} times` : ''}) for the first-frame test ...`);
      const pub = await uploadFilm(base, token, 'public', encrypted);
      // encrypted: every returning visit is of another transcode (a copy by de-duplication would not be encrypted)
      const others = encrypted ? await Promise.all(Array.from({ length: FRAMES + 1 }, () => uploadFilm(base, token, 'public', true))) : null;
      const at = new Date().toISOString();
      const r = await firstFrameMs([`${base}/watch/${pub}`]);
      console.log(`\ndate ${at}; machine ${cpus().length} cores (${cpus()[0]?.model}), ${fmt(totalmem() / 2 ** 30)} GiB; load average ${loadavg().map((x) => fmt(x, 2)).join(' ')}; node ${process.version}${encrypted ? '; AES-128 encrypted videos' : ''}`);
      printFrames(r, 'first visits');
      const returning = others ?? (await copiesOf(base, token, FRAMES + 1));
      printFrames(await firstFrameMs(returning.map((id) => `${base}/watch/${id}`), true), 'returning visits');
      return;
    }
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
    const frames = await firstFrameMs([`${base}/watch/${pub}`]);

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
    printFrames(frames, 'first visits');
    printFrames(await firstFrameMs((await copiesOf(base, token, FRAMES + 1)).map((id) => `${base}/watch/${id}`), true), 'returning visits');
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
