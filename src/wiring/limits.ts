/** Chooses the rate limiter and hot counters: in-process by default, Redis when REDIS_URL is set. */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { HotCounters, RateLimiter } from '../ports/rate-limiter.js';
import { MemoryHotCounters, MemoryRateLimiter } from '../adapters/limits/memory-limits.js';
import { connectRedis, RedisHotCounters, RedisRateLimiter } from '../adapters/limits/redis-limits.js';

export interface Limits {
  limiter: RateLimiter;
  counters: HotCounters;
  close(): Promise<void>;
}

export function limitsFor(config: Config, log: Logger): Limits {
  if (!config.redisUrl) return { limiter: new MemoryRateLimiter(), counters: new MemoryHotCounters(), close: async () => {} };
  const redis = connectRedis(config.redisUrl);
  // connection errors are reported by the adapters (rate-limited); keep ioredis from logging each retry
  redis.on('error', () => {});
  log.info({ redis: config.redisUrl.replace(/\/\/[^@]*@/, '//***@') }, 'rate limits and hot counters in Redis');
  return {
    limiter: new RedisRateLimiter(redis, 'reel:rl:', log),
    counters: new RedisHotCounters(redis, 'reel:hc:', log),
    close: async () => {
      redis.disconnect();
    },
  };
}
