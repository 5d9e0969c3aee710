/**
 * Upload throughput: a large file through the real tus endpoint over loopback, with tus-js-client on one
 * connection and on N connections (concatenation: parallel partial uploads + a final one), against copying the
 * same file on the same disk; and the time to answer a de-duplicated upload (declared SHA-256 already known).
 *
 *   npx tsx bench/upload.ts [--mib=1024] [--parallel=4] [--runs=2] [--store=local|s3]
 *
 * --store=s3: the blob store is an S3-compatible server (s3rver, in this process, its folder on the same disk) and
 * uploads in progress are kept in it (UPLOAD_STORE=blob), as in a deployment of several API processes.
 *
 * The platform runs in this process (embedded defaults: SQLite, blob folder), without a worker, with its data
 * folder on the same filesystem as the copy. Prints MiB/s and the ratios; the BRIEF's target is ≥ 0.5× of the
 * copy for the parallel case.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, rm, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../src/config.js';
import { createPlatform } from '../src/wiring/platform.js';
import { CACHE_DIR, fmt, median, SHARED_FILM } from './support.js';

const { values } = parseArgs({ options: { mib: { type: 'string', default: '1024' }, parallel: { type: 'string', default: '4' }, runs: { type: 'string', default: '2' }, store: { type: 'string', default: 'local' } } });
const S3 = values.store === 's3';
const MIB = Number(values.mib);
const PARALLEL = Number(values.parallel);
const RUNS = Number(values.runs);

async function makeFile(path: string, mib: number): Promise<void> {
  if ((await stat(path).catch(() => null))?.size === mib * 2 ** 20) return;
  const f = await open(path, 'w');
  // incompressible bytes (no layer may cheat), 4 MiB of randomness repeated
  const block = randomBytes(4 * 2 ** 20);
  for (let written = 0; written < mib * 2 ** 20; written += block.length) await f.write(block, 0, Math.min(block.length, mib * 2 ** 20 - written));
  await f.close();
}

async function main() {
  const dir = join(CACHE_DIR, 'upload-bench');
  await mkdir(dir, { recursive: true });
  const src = join(dir, `source-${MIB}MiB.bin`);
  await makeFile(src, MIB);
  const size = (await stat(src)).size;

  const copies: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    execFileSync('sync');
    const dst = join(dir, 'copy.bin');
    const t = performance.now();
    await copyFile(src, dst);
    const f = await open(dst, 'r+');
    await f.sync(); // the upload's bytes are on disk when it is acknowledged; make the copy pay the same
    await f.close();
    copies.push((performance.now() - t) / 1000);
    await rm(dst);
  }

  const dataDir = join(dir, 'data');
  await rm(dataDir, { recursive: true, force: true });
  const s3 = S3 ? await startS3(join(dir, 's3')) : null;
  const config = loadConfig({ DATA_DIR: dataDir, WORKER_CONCURRENCY: '0', MAX_UPLOAD_BYTES: String(size * 2), UPLOADS_PER_HOUR: '0', LOG_LEVEL: 'warn', LOGIN_ATTEMPTS_PER_MINUTE: '1000', ...(s3?.env ?? {}) });
  const platform = await createPlatform(config, { runWorker: false, logger: pino({ level: 'warn' }) });
  const base = await platform.app.listen({ port: 0, host: '127.0.0.1' });
  const reg = await platform.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: 'bench@example.test', password: 'correct horse battery', handle: 'bench' } });
  const cookie = String(reg.headers['set-cookie']).split(';')[0];
  const token = (await platform.app.inject({ method: 'POST', url: '/api/tokens', headers: { cookie }, payload: { name: 'bench' } })).json().token as string;

  // with S3: the store's own ingest rate, the file PUT straight into the same server (multipart, as Reel's S3 adapter does)
  const directPuts: number[] = [];
  if (s3) {
    const { createReadStream } = await import('node:fs');
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await platform.blobs.put(`bench/direct-${i}`, createReadStream(src));
      directPuts.push((performance.now() - t) / 1000);
      await platform.blobs.delete(`bench/direct-${i}`);
    }
  }

  // the client on a worker thread (./upload-client.mjs): it and the server each get a core, as on two machines
  const upload = (parallel: number) =>
    new Promise<number>((resolve, reject) => {
      const worker = new Worker(new URL('./upload-client.mjs', import.meta.url), { workerData: { path: src, endpoint: `${base}/api/uploads`, token, parallel } });
      worker.once('message', (m: { seconds?: number; error?: string }) => {
        void worker.terminate();
        if (m.error) reject(new Error(m.error));
        else resolve(m.seconds!);
      });
      worker.once('error', reject);
    });
  const single: number[] = [];
  const multi: number[] = [];
  // every run starts with no dirty pages left by the one before (the kernel's writeback would slow it down)
  const settle = () => execFileSync('sync');
  for (let i = 0; i < RUNS; i++) {
    settle();
    single.push(await upload(1));
    settle();
    multi.push(await upload(PARALLEL));
  }

  await platform.close();
  await s3?.close();
  await rm(dataDir, { recursive: true, force: true });

  // de-duplication: the account already has a ready video of these bytes (a real film, transcoded once);
  // declaring the hash makes a new video from its renditions without sending a byte
  const film = readFileSync(SHARED_FILM);
  const p2 = await createPlatform(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', X264_PRESET: 'ultrafast' }), { runWorker: true, logger: pino({ level: 'warn' }) });
  const base2 = await p2.app.listen({ port: 0, host: '127.0.0.1' });
  await p2.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: 'bench@example.test', password: 'correct horse battery', handle: 'bench' } });
  const login = await p2.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'bench@example.test', password: 'correct horse battery' } });
  const cookie2 = String(login.headers['set-cookie']).split(';')[0];
  const created = await p2.app.inject({ method: 'POST', url: '/api/uploads', headers: { cookie: cookie2, 'tus-resumable': '1.0.0', 'upload-length': String(film.length), 'upload-metadata': `title ${Buffer.from('film').toString('base64')}`, 'content-type': 'application/offset+octet-stream' }, payload: film });
  const filmId = String(created.headers['reel-video-id']);
  for (let i = 0; i < 600; i++) {
    const v = (await p2.app.inject({ url: `/api/videos/${filmId}`, headers: { cookie: cookie2 } })).json();
    if (v.status === 'ready') break;
    if (v.status === 'failed') throw new Error('film failed to transcode');
    await new Promise((r) => setTimeout(r, 250));
  }
  const sha256 = createHash('sha256').update(film).digest('hex');
  const dedup: number[] = [];
  let status = 0;
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    const r = await fetch(`${base2}/api/upload-checks`, { method: 'POST', headers: { cookie: cookie2, 'content-type': 'application/json' }, body: JSON.stringify({ sha256, size: film.length, title: `again ${i}` }) });
    status = r.status;
    await r.text();
    dedup.push(performance.now() - t);
  }
  await p2.close();
  await rm(dataDir, { recursive: true, force: true });

  const mibs = (sec: number) => size / 2 ** 20 / sec;
  const copy = median(copies);
  console.log(`file: ${fmt(size / 2 ** 20, 0)} MiB, runs: ${RUNS} (medians), uploads kept in ${S3 ? 'S3 (s3rver), UPLOAD_STORE=blob' : 'local files'}`);
  console.log(`copy on the same disk (copyFile + fsync):  ${fmt(copy, 2)} s  ${fmt(mibs(copy), 0)} MiB/s`);
  console.log(`tus, 1 connection:                          ${fmt(median(single), 2)} s  ${fmt(mibs(median(single)), 0)} MiB/s  = ${fmt(copy / median(single), 2)}× the copy`);
  console.log(`tus, ${PARALLEL} connections (concatenation):      ${fmt(median(multi), 2)} s  ${fmt(mibs(median(multi)), 0)} MiB/s  = ${fmt(copy / median(multi), 2)}× the copy (target ≥ 0.5×)`);
  if (directPuts.length) {
    const put = median(directPuts);
    console.log(`S3 PUT of the file straight to the store:    ${fmt(put, 2)} s  ${fmt(mibs(put), 0)} MiB/s  (the store's own ceiling)`);
    console.log(`  tus vs that PUT: 1 connection ${fmt(put / median(single), 2)}×, ${PARALLEL} connections ${fmt(put / median(multi), 2)}×`);
  }
  console.log(`de-duplicated upload (${(film.length / 2 ** 20).toFixed(1)} MiB film, HTTP ${status}: a new ready video, no bytes sent) answered in ${fmt(median(dedup), 1)} ms median, ${fmt(Math.max(...dedup), 1)} ms max`);
}

/** an S3-compatible server on the same disk, and the settings that put blobs and uploads in progress in it */
async function startS3(folder: string) {
  await rm(folder, { recursive: true, force: true });
  const { default: S3rver } = await import('s3rver');
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: folder, configureBuckets: [{ name: 'bench', configs: [] }] });
  const { port } = await server.run();
  const env = { BLOB_STORE: 's3', S3_BUCKET: 'bench', S3_ENDPOINT: `http://127.0.0.1:${port}`, S3_FORCE_PATH_STYLE: 'true', S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER', UPLOAD_STORE: 'blob' };
  return { env, close: async () => { await server.close(); await rm(folder, { recursive: true, force: true }); } };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
