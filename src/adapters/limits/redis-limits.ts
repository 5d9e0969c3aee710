/**
 * Redis rate limiter and hot counters, shared by every API process. Redis being down must never fail a
 * request: the limiter then lets traffic through and the counters report nothing cached, so callers read the
 * database (the durable path). Each failure is logged at most once a minute.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { HotCounters, RateDecision, RateLimiter } from '../../ports/rate-limiter.js';

// INCR, and start the window's clock on the first hit; returns the count and the milliseconds left
const HIT = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

// INCRBY only counters that are cached (a missing one is loaded from the database on the next read)
const INCR_CACHED = `for i, k in ipairs(KEYS) do
  if redis.call('EXISTS', k) == 1 then redis.call('INCRBY', k, ARGV[i]) end
end
return 0`;

export function connectRedis(url: string): Redis {
  return new Redis(url, {
    lazyConnect: false,
    // fail fast instead of queueing commands while Redis is away
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1000,
    commandTimeout: 500,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
}

class Degraded {
  private lastWarn = 0;
  constructor(
    private readonly log: Pick<Logger, 'warn'> | undefined,
    private readonly what: string,
  ) {}
  note(err: unknown): void {
    if (Date.now() - this.lastWarn < 60_000) return;
    this.lastWarn = Date.now();
    this.log?.warn({ err: err instanceof Error ? err.message : String(err) }, `redis unavailable: ${this.what}`);
  }
}

export class RedisRateLimiter implements RateLimiter {
  private readonly degraded: Degraded;
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'reel:rl:',
    log?: Pick<Logger, 'warn'>,
  ) {
    this.degraded = new Degraded(log, 'rate limits are not enforced');
  }

  async hit(key: string, limit: number, windowSec: number): Promise<RateDecision> {
    try {
      const [n, ttl] = (await this.redis.eval(HIT, 1, this.prefix + key, String(windowSec * 1000))) as [number, number];
      const retryAfterSec = Math.max(1, Math.ceil(ttl / 1000));
      return n <= limit ? { allowed: true, remaining: limit - n, retryAfterSec } : { allowed: false, remaining: 0, retryAfterSec };
    } catch (err) {
      this.degraded.note(err);
      return { allowed: true, remaining: limit, retryAfterSec: windowSec };
    }
  }

  async close(): Promise<void> {}
}

export class RedisHotCounters implements HotCounters {
  private readonly degraded: Degraded;
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'reel:hc:',
    log?: Pick<Logger, 'warn'>,
  ) {
    this.degraded = new Degraded(log, 'counters are read from the database');
  }

  async incr(entries: Array<{ key: string; by: number }>): Promise<void> {
    if (!entries.length) return;
    try {
      await this.redis.eval(INCR_CACHED, entries.length, ...entries.map((e) => this.prefix + e.key), ...entries.map((e) => String(e.by)));
    } catch (err) {
      this.degraded.note(err);
      // a missed increment would leave a stale cached value: drop those keys so the next read reloads them
      await this.redis.del(...entries.map((e) => this.prefix + e.key)).catch(() => {});
    }
  }

  async get(keys: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (!keys.length) return out;
    try {
      const values = await this.redis.mget(...keys.map((k) => this.prefix + k));
      values.forEach((v, i) => {
        if (v !== null) out.set(keys[i], Number(v));
      });
    } catch (err) {
      this.degraded.note(err);
    }
    return out;
  }

  async prime(key: string, value: number, ttlSec: number): Promise<void> {
    try {
      await this.redis.set(this.prefix + key, String(value), 'EX', ttlSec, 'NX');
    } catch (err) {
      this.degraded.note(err);
    }
  }

  async forget(keys: string[]): Promise<void> {
    if (!keys.length) return;
    try {
      await this.redis.del(...keys.map((k) => this.prefix + k));
    } catch (err) {
      this.degraded.note(err);
    }
  }

  async close(): Promise<void> {}
}
