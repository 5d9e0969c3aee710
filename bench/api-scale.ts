/**
 * API throughput with 1 vs 2 `reel serve --no-worker` processes behind nginx (issue 8), on the scale-out engines:
 * PostgreSQL (a fresh database) and Redis (hot counters, rate limits), one shared blob folder.
 *
 *   npx tsx bench/api-scale.ts [--seconds=10] [--connections=64] [--pg=postgres://postgres@127.0.0.1:5432/test] [--redis=redis://127.0.0.1:6379/5]
 *
 * A worker process transcodes one short film; 30 more ready videos are made from it by SHA-256 de-duplication
 * (no transcode), with titles of their own. Then autocannon (in this process) sends a read mix a viewer's pages
 * cause — video, playback descriptor, comments, up next, search, home feed, trending, in turn — through nginx
 * (least_conn, keep-alive upstreams) to one API process, then to two. It also measures one process directly
 * (no nginx) to show nginx's own cost. The machine's 2 cores also run nginx, PostgreSQL and autocannon, so two
 * processes cannot double the throughput here; the ratio shows how much of the machine one process leaves idle.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { freePort, startServerProcess, type ServerProcess } from '../test/support/server-process.js';
import { registerAccount } from '../test/topology/client.js';
import { loadBalancerConf, startNginx, stopNginx } from './nginx.js';
import { fmt, scratchDir } from './support.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '64' },
    pg: { type: 'string', default: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379/5' },
  },
});
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const FILM = '/work/shared/media/video_short.mp4';
const WORDS = ['harbour', 'mountain', 'recipe', 'lecture', 'garden', 'concert', 'bicycle', 'history', 'robot', 'winter'];

async function call(base: string, path: string, token: string | null, init: RequestInit = {}): Promise<any> {
  const r = await fetch(base + path, { ...init, headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) } });
  const text = await r.text();
  if (!r.ok) throw new Error(`${init.method ?? 'GET'} ${path}: HTTP ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

interface Result {
  reqPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function load(base: string, paths: string[]): Promise<Result> {
  let i = 0;
  const r = await autocannon({ url: base, connections: CONNECTIONS, duration: SECONDS, requests: [{ setupRequest: (req: any) => ({ ...req, path: paths[i++ % paths.length] }) }] });
  return { reqPerSec: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

async function main() {
  const root = await scratchDir('api-scale-');
  const dbName = `reel_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: values.pg });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const dbUrl = values.pg!.replace(/\/[^/?]*(\?|$)/, `/${dbName}$1`);
  const procs: ServerProcess[] = [];
  let nginx: ChildProcess | null = null;
  try {
    const env = { DATA_DIR: join(root, 'data'), DATABASE_URL: dbUrl, REDIS_URL: values.redis!, BLOB_STORE: 'fs', BLOB_DIR: '', UPLOAD_DIR: '', LOG_LEVEL: 'info', X264_PRESET: 'ultrafast', UPLOADS_PER_HOUR: '0' };
    const api1 = await startServerProcess(env, ['serve', '--no-worker']);
    procs.push(api1);
    procs.push(await startServerProcess(env, ['worker']));
    const base = api1.url;

    // one transcoded film, then 30 ready copies by de-duplication, each with its own title
    const { token } = await registerAccount(base, { email: 'bench@example.test', password: 'benchmark password', handle: 'bench' });
    const film = await readFile(FILM);
    const up = await fetch(`${base}/api/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-length': String(film.length), 'upload-metadata': `title ${Buffer.from('the harbour at winter').toString('base64')}`, 'content-type': 'application/offset+octet-stream' },
      body: film,
    });
    const first = up.headers.get('reel-video-id')!;
    for (let i = 0; ; i++) {
      const v = await call(base, `/api/videos/${first}`, token);
      if (v.status === 'ready') break;
      if (v.status === 'failed' || i > 1200) throw new Error(`the film did not become ready: ${v.status}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const sha256 = createHash('sha256').update(film).digest('hex');
    const ids = [first];
    for (let i = 0; i < 30; i++) {
      const title = `${WORDS[i % WORDS.length]} ${WORDS[(i * 3 + 1) % WORDS.length]} part ${i}`;
      const r = await call(base, '/api/upload-checks', token, { method: 'POST', body: JSON.stringify({ sha256, size: film.length, title }) });
      if (!r.duplicate) throw new Error('the film was not recognised as a duplicate');
      ids.push(r.video.id);
    }
    const mix: string[] = [];
    for (const [i, id] of ids.entries()) {
      const w = WORDS[i % WORDS.length];
      mix.push(`/api/videos/${id}`, `/api/videos/${id}/playback`, `/api/videos/${id}/comments`, `/api/videos/${id}/up-next`, `/api/search?q=${w}`, '/api/feed/home', '/api/trending');
    }
    // every path answers 200 before the load starts
    for (const p of new Set(mix)) await call(base, p, null);

    const lbDir = join(root, 'lb');
    await mkdir(lbDir, { recursive: true });
    const lbPort = await freePort();
    const lb = `http://127.0.0.1:${lbPort}`;

    const direct = await load(base, mix);
    nginx = await startNginx(lbDir, loadBalancerConf({ port: lbPort, upstreams: [new URL(base).host] }), `${lb}/healthz`);
    const one = await load(lb, mix);
    await stopNginx(nginx);
    const api2 = await startServerProcess(env, ['serve', '--no-worker']);
    procs.push(api2);
    nginx = await startNginx(lbDir, loadBalancerConf({ port: lbPort, upstreams: [new URL(base).host, new URL(api2.url).host] }), `${lb}/healthz`);
    const two = await load(lb, mix);

    console.log(`\ndate ${new Date().toISOString()}; machine ${cpus().length} cores (${cpus()[0]?.model}), ${fmt(totalmem() / 2 ** 30)} GiB; load average ${loadavg().map((x) => fmt(x, 2)).join(' ')}; node ${process.version}`);
    console.log(`PostgreSQL + Redis; ${ids.length} ready videos; read mix of ${new Set(mix).size} paths (video, playback, comments, up next, search, home feed, trending); autocannon ${CONNECTIONS} connections × ${SECONDS} s\n`);
    console.log('| setup | req/s | p50 ms | p99 ms | non-2xx | errors | vs 1 process behind nginx |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const [name, r] of [['1 API process, direct', direct], ['1 API process behind nginx', one], ['2 API processes behind nginx', two]] as const) {
      console.log(`| ${name} | ${fmt(r.reqPerSec, 0)} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} | ${fmt(r.reqPerSec / one.reqPerSec, 2)}× |`);
    }
    if ([direct, one, two].some((r) => r.non2xx > 0 || r.errors > 0)) {
      console.log('\nSOME REQUESTS FAILED: the numbers above are not valid');
      process.exitCode = 1;
    }
  } finally {
    await stopNginx(nginx);
    for (const p of procs) await p.stop();
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => {});
    await admin.end();
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
