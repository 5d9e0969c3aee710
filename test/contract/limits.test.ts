/**
 * RateLimiter and HotCounters contract: the in-process adapters and the Redis adapters (real Redis at
 * REDIS_URL, default 127.0.0.1:6379) behave the same; the Redis ones degrade instead of failing when Redis is away.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { HotCounters, RateLimiter } from '../../src/ports/rate-limiter.js';
import { MemoryHotCounters, MemoryRateLimiter } from '../../src/adapters/limits/memory-limits.js';
import { connectRedis, RedisHotCounters, RedisRateLimiter } from '../../src/adapters/limits/redis-limits.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const clients: Redis[] = [];
afterAll(async () => {
  for (const c of clients) c.disconnect();
});
function redis(url = REDIS_URL): Redis {
  const c = connectRedis(url);
  clients.push(c);
  return c;
}
async function ready(c: Redis) {
  if (c.status !== 'ready') await new Promise((r, j) => { c.once('ready', r); c.once('error', j); });
  return c;
}

const adapters: Array<{ name: string; limiter: () => Promise<RateLimiter>; counters: () => Promise<HotCounters> }> = [
  { name: 'memory', limiter: async () => new MemoryRateLimiter(), counters: async () => new MemoryHotCounters() },
  {
    name: 'redis',
    limiter: async () => new RedisRateLimiter(await ready(redis()), `reel-test:${randomBytes(4).toString('hex')}:`),
    counters: async () => new RedisHotCounters(await ready(redis()), `reel-test:${randomBytes(4).toString('hex')}:`),
  },
];

for (const a of adapters) {
  describe(`RateLimiter contract: ${a.name}`, () => {
    it('allows `limit` hits per window, then refuses with the time to wait; keys are independent', async () => {
      const l = await a.limiter();
      const got = [];
      for (let i = 0; i < 4; i++) got.push(await l.hit('login:1.2.3.4', 3, 60));
      expect(got.map((d) => d.allowed)).toEqual([true, true, true, false]);
      expect(got.map((d) => d.remaining)).toEqual([2, 1, 0, 0]);
      expect(got[3].retryAfterSec).toBeGreaterThan(0);
      expect(got[3].retryAfterSec).toBeLessThanOrEqual(60);
      expect((await l.hit('login:5.6.7.8', 3, 60)).allowed).toBe(true);
    });

    it('opens a new window when the old one ends', async () => {
      const l = await a.limiter();
      expect((await l.hit('k', 1, 1)).allowed).toBe(true);
      expect((await l.hit('k', 1, 1)).allowed).toBe(false);
      await new Promise((r) => setTimeout(r, 1100));
      expect((await l.hit('k', 1, 1)).allowed).toBe(true);
    });

    it('counts concurrent hits exactly', async () => {
      const l = await a.limiter();
      const all = await Promise.all(Array.from({ length: 50 }, () => l.hit('burst', 20, 60)));
      expect(all.filter((d) => d.allowed)).toHaveLength(20);
    });
  });

  describe(`HotCounters contract: ${a.name}`, () => {
    it('caches primed values, increments only cached keys, forgets on demand', async () => {
      const c = await a.counters();
      expect((await c.get(['a', 'b'])).size).toBe(0);
      await c.incr([{ key: 'a', by: 5 }]); // not cached: nothing to bump, the next read loads the truth
      expect((await c.get(['a'])).has('a')).toBe(false);
      await c.prime('a', 10, 60);
      await c.prime('a', 99, 60); // another process primed first: kept
      await c.incr([{ key: 'a', by: 2 }, { key: 'b', by: 1 }]);
      await Promise.all(Array.from({ length: 20 }, () => c.incr([{ key: 'a', by: 1 }])));
      expect(Object.fromEntries(await c.get(['a', 'b']))).toEqual({ a: 32 });
      await c.forget(['a']);
      expect((await c.get(['a'])).size).toBe(0);
    });

    it('expires cached values after their time to live', async () => {
      const c = await a.counters();
      await c.prime('t', 1, 1);
      expect((await c.get(['t'])).get('t')).toBe(1);
      await new Promise((r) => setTimeout(r, 1100));
      expect((await c.get(['t'])).has('t')).toBe(false);
    });
  });
}

describe('Redis away: degrade, never fail a request', () => {
  it('lets traffic through and reports nothing cached, quickly', async () => {
    const dead = redis('redis://127.0.0.1:1'); // nothing listens on port 1
    dead.on('error', () => {});
    const warnings: string[] = [];
    const log = { warn: (_o: unknown, msg: string) => warnings.push(msg) };
    const l = new RedisRateLimiter(dead, 'x:', log as never);
    const c = new RedisHotCounters(dead, 'x:', log as never);
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) expect((await l.hit('k', 1, 60)).allowed).toBe(true);
    await c.prime('a', 1, 60);
    await c.incr([{ key: 'a', by: 1 }]);
    expect((await c.get(['a'])).size).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    // one warning per kind, not one per request
    expect(warnings).toEqual(['redis unavailable: rate limits are not enforced', 'redis unavailable: counters are read from the database']);
  });
});
