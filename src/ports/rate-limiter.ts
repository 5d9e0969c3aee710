/**
 * Rate limits and hot counters: state that many API processes must share and that is read and written far
 * more often than the database should be. In-process memory is the embedded default; Redis shares it across
 * processes. Neither holds anything that must survive: the database stays the source of truth.
 */

export interface RateDecision {
  allowed: boolean;
  /** hits left in the current window (0 when refused) */
  remaining: number;
  /** seconds until the window resets */
  retryAfterSec: number;
}

export interface RateLimiter {
  /** Count one hit for `key` in a fixed window of `windowSec`; refuse once more than `limit` hits arrived. */
  hit(key: string, limit: number, windowSec: number): Promise<RateDecision>;
  close(): Promise<void>;
}

/** A cache of counters that are incremented constantly (view counts). */
export interface HotCounters {
  /** Add `by` to each counter that is cached; counters not cached are left alone (the next read loads them). */
  incr(entries: Array<{ key: string; by: number }>): Promise<void>;
  /** Cached values; missing keys are absent from the map. */
  get(keys: string[]): Promise<Map<string, number>>;
  /** Cache a value read from the source of truth unless another process cached one first. */
  prime(key: string, value: number, ttlSec: number): Promise<void>;
  /** Drop cached values (after the source of truth was rewritten). */
  forget(keys: string[]): Promise<void>;
  close(): Promise<void>;
}
