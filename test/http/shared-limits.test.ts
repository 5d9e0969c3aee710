/**
 * Rate limits and hot counters as a user of several API processes sees them: sign-in attempts are limited per
 * address and per account across processes when they share Redis, and a view acknowledged by one process is
 * in the count another process shows at once; with Redis gone, views still count (the database path).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createPlatform, type Platform } from '../../src/wiring/platform.js';
import { registerUser, startTestPlatform, type TestPlatform } from '../support/platform.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const login = (app: Platform['app'], email: string, ip: string, password = 'wrong password!') =>
  app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password }, headers: { 'x-forwarded-for': ip } });

describe('sign-in attempts are limited', () => {
  let tp: TestPlatform;
  beforeAll(async () => {
    tp = await startTestPlatform({ env: { LOGIN_ATTEMPTS_PER_MINUTE: '3' } });
  });
  afterAll(async () => tp?.close());

  it('per client address (in-process default): the 4th attempt gets 429 with Retry-After, other addresses are unaffected', async () => {
    const u = await registerUser(tp.platform.app);
    const email = `${u.handle}@example.test`;
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await login(tp.platform.app, `nobody${i}@example.test`, '198.51.100.1')).statusCode);
    expect(codes).toEqual([401, 401, 401, 429]);
    const refused = await login(tp.platform.app, email, '198.51.100.1', 'correct horse battery');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await login(tp.platform.app, email, '198.51.100.2', 'correct horse battery')).statusCode).toBe(200);
  });

  it('per account: guessing one password from many addresses is stopped too', async () => {
    const u = await registerUser(tp.platform.app);
    const email = `${u.handle}@example.test`;
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await login(tp.platform.app, email, `198.51.100.${10 + i}`)).statusCode);
    expect(codes).toEqual([401, 401, 401, 429]);
  });
});

describe('two API processes sharing PostgreSQL and Redis', () => {
  let tp: TestPlatform;
  let second: Platform;
  beforeAll(async () => {
    tp = await startTestPlatform({ db: 'postgres', env: { REDIS_URL, LOGIN_ATTEMPTS_PER_MINUTE: '3' } });
    second = await createPlatform(tp.config, { runWorker: false, logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await second?.close();
    await tp?.close();
  });

  it('share the sign-in budget', async () => {
    const ip = `192.0.2.${Math.floor(Math.random() * 250)}`;
    const email = `shared${Date.now()}@example.test`;
    const codes = [];
    for (const app of [tp.platform.app, second.app, tp.platform.app, second.app]) codes.push((await login(app, email, ip)).statusCode);
    expect(codes).toEqual([401, 401, 401, 429]);
  });

  it('show a view acknowledged by the other process at once (cached counts are kept current)', async () => {
    const owner = await registerUser(tp.platform.app);
    const created = await tp.platform.app.inject({ method: 'POST', url: '/api/videos', headers: { authorization: `Bearer ${owner.token}` }, payload: { title: 'shared', visibility: 'public' } });
    const id = created.json().video.id;
    await tp.platform.videos.setMediaInfo(id, { durationSec: 600, width: 640, height: 360 });
    await tp.platform.videos.markReady(id, null);
    const count = async (p: Platform) => (await p.app.inject({ url: `/api/videos/${id}/stats` })).json().views;
    // both processes have read (and cached) the count
    expect(await count(tp.platform)).toBe(0);
    expect(await count(second)).toBe(0);
    for (const [i, p] of [tp.platform, second, second].entries()) {
      const r = await p.app.inject({ method: 'POST', url: `/api/videos/${id}/views`, payload: { viewerId: `viewer-${i}-xxxx`, watchSeconds: 30 } });
      expect(r.json().counted).toBe(true);
    }
    expect(await count(tp.platform)).toBe(3);
    expect(await count(second)).toBe(3);
  });
});

describe('Redis unavailable', () => {
  let tp: TestPlatform;
  beforeAll(async () => {
    tp = await startTestPlatform({ env: { REDIS_URL: 'redis://127.0.0.1:1', LOGIN_ATTEMPTS_PER_MINUTE: '3' } });
  });
  afterAll(async () => tp?.close());

  it('views are still counted and shown (durable path); sign-in still works', async () => {
    const owner = await registerUser(tp.platform.app);
    const created = await tp.platform.app.inject({ method: 'POST', url: '/api/videos', headers: { authorization: `Bearer ${owner.token}` }, payload: { title: 'no redis', visibility: 'public' } });
    const id = created.json().video.id;
    await tp.platform.videos.setMediaInfo(id, { durationSec: 600, width: 640, height: 360 });
    await tp.platform.videos.markReady(id, null);
    for (let i = 0; i < 3; i++) {
      const r = await tp.platform.app.inject({ method: 'POST', url: `/api/videos/${id}/views`, payload: { viewerId: `viewer-${i}-yyyy`, watchSeconds: 30 } });
      expect(r.statusCode).toBe(200);
      expect(r.json().counted).toBe(true);
    }
    expect((await tp.platform.app.inject({ url: `/api/videos/${id}/stats` })).json().views).toBe(3);
    expect((await login(tp.platform.app, `${owner.handle}@example.test`, '192.0.2.1', 'correct horse battery')).statusCode).toBe(200);
  });
});
