/** In-process rate limiter and hot counters: the embedded default (one API process). */
import type { HotCounters, RateDecision, RateLimiter } from '../../ports/rate-limiter.js';

export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  constructor(private readonly now: () => number = Date.now) {}

  async hit(key: string, limit: number, windowSec: number): Promise<RateDecision> {
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      if (this.windows.size > 100_000) this.sweep(now);
      w = { count: 0, resetAt: now + windowSec * 1000 };
      this.windows.set(key, w);
    }
    w.count++;
    const retryAfterSec = Math.max(1, Math.ceil((w.resetAt - now) / 1000));
    return w.count <= limit ? { allowed: true, remaining: limit - w.count, retryAfterSec } : { allowed: false, remaining: 0, retryAfterSec };
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
  }

  async close(): Promise<void> {
    this.windows.clear();
  }
}

export class MemoryHotCounters implements HotCounters {
  private readonly values = new Map<string, { value: number; expiresAt: number }>();
  constructor(private readonly now: () => number = Date.now) {}

  private live(key: string) {
    const v = this.values.get(key);
    if (v && v.expiresAt <= this.now()) {
      this.values.delete(key);
      return undefined;
    }
    return v;
  }

  async incr(entries: Array<{ key: string; by: number }>): Promise<void> {
    for (const { key, by } of entries) {
      const v = this.live(key);
      if (v) v.value += by;
    }
  }

  async get(keys: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const k of keys) {
      const v = this.live(k);
      if (v) out.set(k, v.value);
    }
    return out;
  }

  async prime(key: string, value: number, ttlSec: number): Promise<void> {
    if (!this.live(key)) this.values.set(key, { value, expiresAt: this.now() + ttlSec * 1000 });
  }

  async forget(keys: string[]): Promise<void> {
    for (const k of keys) this.values.delete(k);
  }

  async close(): Promise<void> {
    this.values.clear();
  }
}
