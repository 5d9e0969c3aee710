/**
 * Test support: a whole Reel platform on a temporary data folder, on SQLite or PostgreSQL.
 * PostgreSQL tests get their own schema, so runs never see each other's rows.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config.js';
import { createPlatform, type Platform } from '../../src/wiring/platform.js';

export type DbKind = 'sqlite' | 'postgres';

/** The PostgreSQL server tests use: TEST_DATABASE_URL, else the local CI service. */
export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Databases the suite runs against. PostgreSQL is always included; set REEL_TEST_SKIP_POSTGRES=1 to leave it out
 * on a machine without it (CI never sets it, so a missing server fails loudly there).
 */
export function dbKinds(): DbKind[] {
  return process.env.REEL_TEST_SKIP_POSTGRES === '1' ? ['sqlite'] : ['sqlite', 'postgres'];
}

export async function freshDatabaseUrl(kind: DbKind, dir: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (kind === 'sqlite') return { url: `sqlite:${join(dir, 'reel.db')}`, drop: async () => {} };
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.end();
  const sep = PG_URL.includes('?') ? '&' : '?';
  return {
    url: `${PG_URL}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}

export interface TestPlatform {
  platform: Platform;
  config: Config;
  dir: string;
  close(): Promise<void>;
}

export async function startTestPlatform(opts: { db?: DbKind; worker?: boolean; env?: Record<string, string> } = {}): Promise<TestPlatform> {
  const dir = mkdtempSync(join(tmpdir(), 'reel-test-'));
  const database = await freshDatabaseUrl(opts.db ?? 'sqlite', dir);
  const config = loadConfig({ DATA_DIR: dir, DATABASE_URL: database.url, LOG_LEVEL: 'silent', X264_PRESET: 'ultrafast', ...opts.env });
  const platform = await createPlatform(config, { runWorker: opts.worker ?? false, logger: pino({ level: process.env.REEL_TEST_LOG ?? 'silent' }) });
  return {
    platform,
    config,
    dir,
    async close() {
      await platform.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A platform for the enclosing `describe`: started before its tests, closed after them. Its `tp` and `app` are
 * read inside tests and hooks (before the start they throw).
 */
export function usePlatform(opts: Parameters<typeof startTestPlatform>[0] = {}): { readonly tp: TestPlatform; readonly app: Platform['app'] } {
  let tp: TestPlatform | null = null;
  beforeAll(async () => {
    tp = await startTestPlatform(opts);
  });
  afterAll(async () => tp?.close());
  const started = () => {
    if (!tp) throw new Error('the test platform is not started yet: use it inside a test or a hook');
    return tp;
  };
  return {
    get tp() {
      return started();
    },
    get app() {
      return started().platform.app;
    },
  };
}

/** The header that authenticates an API request with a bearer token. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Register a user through the API and return its bearer token. */
export async function registerUser(app: Platform['app'], handle = `u${randomBytes(4).toString('hex')}`): Promise<{ token: string; cookie: string; handle: string }> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: `${handle}@example.test`, password: 'correct horse battery', handle } });
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
  const cookie = String(res.headers['set-cookie']).split(';')[0];
  const tok = await app.inject({ method: 'POST', url: '/api/tokens', headers: { cookie }, payload: { name: 'test' } });
  return { token: tok.json().token, cookie, handle };
}

/** Poll the API until the video leaves uploading/processing. */
export async function waitForVideo(app: Platform['app'], id: string, token: string, timeoutMs = 120_000): Promise<any> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = (await app.inject({ url: `/api/videos/${id}`, headers: { authorization: `Bearer ${token}` } })).json();
    if (v.status === 'ready' || v.status === 'failed') return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`video ${id} not finished after ${timeoutMs} ms`);
}

export const MEDIA_DIR = new URL('../../../shared/media/', import.meta.url).pathname;

/** Upload a file of ../shared/media in one tus creation-with-upload request; the new video's id. */
export async function uploadMedia(app: Platform['app'], token: string, file: string): Promise<string> {
  const bytes = readFileSync(MEDIA_DIR + file);
  const up = await app.inject({
    method: 'POST',
    url: '/api/uploads',
    headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length), 'content-type': 'application/offset+octet-stream' },
    payload: bytes,
  });
  if (up.statusCode !== 201) throw new Error(`upload of ${file}: HTTP ${up.statusCode} ${up.body}`);
  return String(up.headers['reel-video-id']);
}
