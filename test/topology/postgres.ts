/**
 * A PostgreSQL server the topology owns, so a test may restart it: a fresh cluster (initdb) in a temporary folder
 * owned by the postgres user, on a port of its own, run with that system user's rights (`runuser -u postgres`,
 * since PostgreSQL refuses to run as root). Trust authentication on 127.0.0.1 only; fsync off (the machine does not
 * crash during a test; a stop in `immediate` mode is still a crash of PostgreSQL itself, recovered from its WAL).
 *
 * When no cluster can be made here (no PostgreSQL binaries, no postgres user, not root), it falls back to a fresh
 * database on the machine's server (TEST_DATABASE_URL, else 127.0.0.1:5432) and says so: `owned` is false and
 * `restart()` refuses.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface TopologyPostgres {
  /** the database Reel uses */
  url: string;
  /** true: our own cluster (restartable); false: a database on the machine's server */
  owned: boolean;
  /** why there is no cluster of our own (owned = false) */
  fallbackReason?: string;
  /** stop the server (immediate: like a crash; fast: clean) and start it again after `downMs` */
  restart(opts?: { mode?: 'immediate' | 'fast'; downMs?: number }): Promise<void>;
  /** stop and remove everything; safe to call twice */
  close(): Promise<void>;
  /** synchronous last-resort stop for process exit handlers */
  closeSync(): void;
}

/** The newest /usr/lib/postgresql/<version>/bin with initdb and pg_ctl, or null. */
export function postgresBinDir(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')) && existsSync(join(base, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(base, versions[0], 'bin') : null;
}

function postgresUser(): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
  } catch {
    return null;
  }
}

export async function startPostgres(port: number): Promise<TopologyPostgres> {
  const bin = postgresBinDir();
  const user = postgresUser();
  const reason = !bin ? 'no /usr/lib/postgresql/*/bin/initdb' : !user ? 'no postgres system user' : process.getuid?.() !== 0 ? 'not running as root (runuser needs it)' : null;
  if (reason) return fallbackDatabase(reason);

  const dir = mkdtempSync(join(tmpdir(), 'reel-topology-pg-'));
  chownSync(dir, user!.uid, user!.gid);
  const data = join(dir, 'data');
  const asPostgres = (cmd: string, args: string[]) => run('runuser', ['-u', 'postgres', '--', join(bin!, cmd), ...args], { cwd: dir, maxBuffer: 16 * 2 ** 20 });
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c full_page_writes=off -c max_connections=200`;
  const start = () => asPostgres('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', options, 'start']);
  const stop = (mode: string) => asPostgres('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
  let running = false;
  let closed = false;
  try {
    await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale', '--no-sync']);
    await start();
    running = true;
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    await admin.connect();
    await admin.query('create database reel');
    await admin.end();
  } catch (err) {
    if (running) await stop('immediate').catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const closeSync = () => {
    if (closed) return;
    closed = true;
    try {
      if (running) execFileSync('runuser', ['-u', 'postgres', '--', join(bin!, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop'], { stdio: 'ignore' });
    } catch {
      /* already stopped */
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/reel`,
    owned: true,
    async restart(opts = {}) {
      await stop(opts.mode ?? 'immediate');
      running = false;
      await new Promise((r) => setTimeout(r, opts.downMs ?? 0));
      await start();
      running = true;
    },
    async close() {
      if (closed) return;
      if (running) await stop('immediate').catch(() => {});
      running = false;
      closeSync();
    },
    closeSync,
  };
}

async function fallbackDatabase(reason: string): Promise<TopologyPostgres> {
  const server = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `reel_topology_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  let closed = false;
  const drop = async () => {
    if (closed) return;
    closed = true;
    const c = new pg.Client({ connectionString: server });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`).catch(() => {});
    await c.end();
  };
  return {
    url: server.replace(/\/[^/?]*(\?|$)/, `/${name}$1`),
    owned: false,
    fallbackReason: `no PostgreSQL cluster of its own (${reason}): using database ${name} on ${new URL(server).host}`,
    async restart() {
      throw new Error('this topology does not own its PostgreSQL server, so it cannot restart it');
    },
    close: drop,
    closeSync() {
      if (closed) return;
      try {
        execFileSync('psql', [server, '-qc', `drop database if exists ${name} with (force)`], { stdio: 'ignore' });
      } catch {
        /* best effort */
      }
      closed = true;
    },
  };
}
