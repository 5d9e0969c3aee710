/**
 * The scale-out topology on one machine (issue 8), every piece a process or server of its own:
 *
 *   viewers ─► edge nginx (`reel edge-config`) ─► load balancer nginx ─► API 1, API 2 (`reel serve --no-worker`)
 *   uploads ─────────────────────────────────► load balancer nginx ─┘        │
 *   worker 1, worker 2 (`reel worker`) ◄── task queue ── PostgreSQL (own cluster) ◄──┤
 *                                                        Redis (own redis-server) ◄───┤
 *                      S3 fault proxy ─► s3rver (S3-compatible store) ◄───────────────┘
 *
 * Everything is configured by environment variables (src/config.ts), as on separate machines. The S3 endpoint the
 * processes are given is a fault-injecting proxy in front of s3rver, so tests can make the store fail for a while.
 * `startTopology()` returns handles to kill and restart each piece; `close()` tears everything down, and a process
 * exit handler stops the servers left behind if the caller never gets there.
 *
 *   npm run topology    start it, print the URLs, wait for Ctrl-C
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { edgeConfigCommand } from '../../src/streaming/edge-config-command.js';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { registerAccount } from './client.js';
import { loadBalancerConf, nginxUser, startNginx, stopNginx } from './nginx.js';
import { startPostgres, type TopologyPostgres } from './postgres.js';
import { startRedis, type TopologyRedis } from './redis.js';
import { startS3FaultProxy, type S3FaultProxy } from './s3-fault-proxy.js';

export const TOPOLOGY_ADMIN = { email: 'admin@topology.test', password: 'topology admin password', handle: 'topologyadmin' };
const PLAYBACK_SECRET = 'topology-playback-secret-0123456789-abcdef';
const EDGE_PURGE_SECRET = 'topology-purge-secret-0123456789-abcdefgh';
const BUCKET = 'reel';

export interface TopologyOptions {
  /** cap the ladder (admin site setting) so encodes stay short, e.g. '240p'; default: no cap */
  ladderMaxRung?: string;
  /**
   * where tus uploads in progress live: `blob` (default) the blob store, i.e. the S3 bucket (UPLOAD_STORE=blob, each
   * API process with its own UPLOAD_DIR for chunks in flight); `shared-dir`: one UPLOAD_DIR shared by both API
   * processes (UPLOAD_STORE=local, as with an NFS mount between machines)
   */
  uploadStore?: 'blob' | 'shared-dir';
  /** extra environment for every Reel process */
  env?: Record<string, string>;
  /** progress lines (default: none) */
  log?: (line: string) => void;
}

export interface Topology {
  root: string;
  /** the load balancer in front of both API processes (API, uploads, web app) */
  lbUrl: string;
  /** the caching edge in front of the load balancer (what viewers fetch media from) */
  edgeUrl: string;
  apis: ServerProcess[];
  workers: ServerProcess[];
  postgres: TopologyPostgres;
  redis: TopologyRedis;
  /** the S3 endpoint the processes use (the fault proxy) and the store behind it */
  s3: { endpoint: string; storeUrl: string; bucket: string; proxy: S3FaultProxy };
  /** a bearer token of the site admin (ADMIN_EMAILS) */
  adminToken: string;
  /** kill -9 an API process (and everything it spawned) */
  killApi(i: number): Promise<void>;
  /** start a killed or stopped API process again on its address (the load balancer's upstream) */
  startApi(i: number): Promise<ServerProcess>;
  killWorker(i: number): Promise<void>;
  startWorker(i: number): Promise<ServerProcess>;
  /** the output of every Reel process so far (or its last `lines` lines each), for a failing test's message */
  logs(lines?: number): string;
  close(): Promise<void>;
}

export async function startTopology(opts: TopologyOptions = {}): Promise<Topology> {
  const log = opts.log ?? (() => {});
  const root = mkdtempSync(join(tmpdir(), 'reel-topology-'));
  const cleanups: Array<() => Promise<void>> = [];
  const syncCleanups: Array<() => void> = [];
  const onExit = () => {
    for (const f of syncCleanups.reverse()) {
      try {
        f();
      } catch {
        /* best effort */
      }
    }
  };
  process.once('exit', onExit);
  const apis: ServerProcess[] = [];
  const workers: ServerProcess[] = [];
  const dead: ServerProcess[] = [];
  let closed = false;

  const close = async () => {
    if (closed) return;
    closed = true;
    for (const p of [...apis, ...workers]) await p.stop().catch(() => {});
    for (const f of cleanups.reverse()) await f().catch(() => {});
    process.removeListener('exit', onExit);
    rmSync(root, { recursive: true, force: true });
  };

  try {
    const [pgPort, redisPort, lbPort, edgePort, api1Port, api2Port] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
    // every server is stopped by close(), and by the exit handler if the process ends first
    const postgres = await startPostgres(pgPort);
    cleanups.push(() => postgres.close());
    syncCleanups.push(() => postgres.closeSync());
    log(postgres.owned ? `PostgreSQL: own cluster on 127.0.0.1:${pgPort}` : `PostgreSQL: ${postgres.fallbackReason}`);
    const redis = await startRedis(redisPort);
    cleanups.push(() => redis.close());
    syncCleanups.push(() => redis.closeSync());
    log(`Redis on 127.0.0.1:${redisPort}`);

    const s3dir = join(root, 's3');
    mkdirSync(s3dir);
    const s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3dir, configureBuckets: [{ name: BUCKET, configs: [] }] });
    const { port: s3Port } = await s3rver.run();
    cleanups.push(() => s3rver.close());
    const storeUrl = `http://127.0.0.1:${s3Port}`;
    const proxy = await startS3FaultProxy(storeUrl);
    cleanups.push(() => proxy.close());
    log(`S3 (s3rver) on ${storeUrl}, through the fault proxy ${proxy.url}`);

    const lbUrl = `http://127.0.0.1:${lbPort}`;
    const edgeUrl = `http://127.0.0.1:${edgePort}`;
    const uploadStore = opts.uploadStore ?? 'blob';
    const common: Record<string, string> = {
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      BLOB_STORE: 's3',
      S3_BUCKET: BUCKET,
      S3_PREFIX: 'blobs/',
      S3_ENDPOINT: proxy.url,
      S3_FORCE_PATH_STYLE: 'true',
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      PLAYBACK_SECRET,
      EDGE_URLS: edgeUrl,
      EDGE_PURGE_SECRET,
      ADMIN_EMAILS: TOPOLOGY_ADMIN.email,
      UPLOADS_PER_HOUR: '0',
      LOGIN_ATTEMPTS_PER_MINUTE: '1000',
      X264_PRESET: 'ultrafast',
      WORKER_CONCURRENCY: '1',
      TASK_LEASE_SECONDS: '3',
      TASK_MAX_ATTEMPTS: '10',
      WORKER_POLL_MS: '200',
      LOG_LEVEL: 'info',
      UPLOAD_STORE: uploadStore === 'blob' ? 'blob' : 'local',
      ...opts.env,
    };
    const apiEnv = (i: number): Record<string, string> => ({
      ...common,
      PORT: String([api1Port, api2Port][i]),
      DATA_DIR: join(root, `api${i + 1}`),
      UPLOAD_DIR: uploadStore === 'blob' ? join(root, `api${i + 1}`, 'uploads') : join(root, 'shared-uploads'),
    });
    const workerEnv = (i: number): Record<string, string> => ({ ...common, DATA_DIR: join(root, `worker${i + 1}`), WORK_DIR: join(root, `worker${i + 1}`, 'work') });
    const track = (list: ServerProcess[], i: number, p: ServerProcess) => {
      list[i] = p;
      syncCleanups.push(() => {
        try {
          process.kill(-p.child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      });
      return p;
    };
    const startApi = async (i: number) => track(apis, i, await startServerProcess(apiEnv(i), ['serve', '--no-worker']));
    const startWorker = async (i: number) => track(workers, i, await startServerProcess(workerEnv(i), ['worker']));

    // API 1 first: it migrates the database; the admin caps the ladder before anything else reads the settings
    await startApi(0);
    const admin = await registerAccount(apis[0].url, TOPOLOGY_ADMIN);
    if (opts.ladderMaxRung) {
      const r = await fetch(`${apis[0].url}/api/admin/settings`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ladderMaxRung: opts.ladderMaxRung }),
      });
      if (!r.ok) throw new Error(`ladder cap: HTTP ${r.status} ${await r.text()}`);
    }
    await Promise.all([startApi(1), startWorker(0), startWorker(1)]);
    log(`API processes on ${apis.map((a) => a.url).join(', ')}; 2 workers`);

    const lbDir = join(root, 'lb');
    mkdirSync(lbDir);
    const lb: ChildProcess = await startNginx(lbDir, loadBalancerConf({ port: lbPort, upstreams: apis.map((a) => new URL(a.url).host) }), `${lbUrl}/healthz`);
    cleanups.push(() => stopNginx(lb));
    syncCleanups.push(() => lb.kill('SIGKILL'));

    const edgeDir = join(root, 'edge');
    mkdirSync(join(edgeDir, 'cache'), { recursive: true });
    const user = nginxUser();
    const edgeConf = edgeConfigCommand(
      ['--origin', lbUrl, '--listen', `127.0.0.1:${edgePort}`, '--cache-dir', join(edgeDir, 'cache'), '--cache-size', '1g', '--standalone', edgeDir, ...(user ? ['--user', user] : [])],
      { port: api1Port, edgePurgeSecret: EDGE_PURGE_SECRET },
    );
    const edge = await startNginx(edgeDir, edgeConf, `${edgeUrl}/healthz`);
    cleanups.push(() => stopNginx(edge));
    syncCleanups.push(() => edge.kill('SIGKILL'));
    log(`load balancer ${lbUrl}; edge ${edgeUrl}`);

    return {
      root,
      lbUrl,
      edgeUrl,
      apis,
      workers,
      postgres,
      redis,
      s3: { endpoint: proxy.url, storeUrl, bucket: BUCKET, proxy },
      adminToken: admin.token,
      async killApi(i) {
        dead.push(apis[i]);
        await apis[i].kill9();
      },
      startApi,
      async killWorker(i) {
        dead.push(workers[i]);
        await workers[i].kill9();
      },
      startWorker,
      logs(lines?: number) {
        const tail = (text: string) => (lines ? text.split('\n').slice(-lines).map((l) => l.slice(0, 600)).join('\n') : text);
        const parts = [...dead.map((p, i) => [`killed process ${i}`, p] as const), ...apis.map((p, i) => [`api ${i + 1}`, p] as const), ...workers.map((p, i) => [`worker ${i + 1}`, p] as const)];
        const nginxErrors = [lbDir, edgeDir].map((d) => {
          try {
            return readFileSync(join(d, 'error.log'), 'utf8');
          } catch {
            return '';
          }
        });
        return [...parts.map(([name, p]) => `===== ${name}\n${tail(p.log())}`), `===== nginx errors\n${tail(nginxErrors.join('\n'))}`].join('\n');
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
