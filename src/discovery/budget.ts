/**
 * Latency budget helpers for discovery: a stage that fails or is still running at the deadline is dropped (and
 * named), so one slow query degrades a recommendation list instead of delaying it; and a small TTL cache for
 * results shared by every viewer (trending, popular), refreshed by one caller while the others get the old value.
 */

export type StageResult<T> = { ok: true; value: T } | { ok: false; reason: 'timeout' | 'error'; error?: unknown };

export function withinDeadline<T>(work: Promise<T>, deadline: number, now: () => number = Date.now): Promise<StageResult<T>> {
  const left = Math.max(0, deadline - now());
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, reason: 'timeout' }), left);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve({ ok: true, value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ ok: false, reason: 'error', error });
      },
    );
  });
}

export class TtlCache<T> {
  private value: { at: number; data: T } | null = null;
  private loading: Promise<T> | null = null;

  constructor(
    private readonly ttlMs: number,
    private readonly load: () => Promise<T>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached value; a recently expired one is returned while a refresh runs; otherwise waits for the load. */
  async get(): Promise<T> {
    const fresh = this.value && this.now() - this.value.at < this.ttlMs;
    if (fresh) return this.value!.data;
    if (!this.loading) {
      this.loading = this.load().then(
        (data) => {
          this.value = { at: this.now(), data };
          this.loading = null;
          return data;
        },
        (err: unknown) => {
          this.loading = null;
          throw err;
        },
      );
    }
    // a recently expired value is served while one caller refreshes it; an older one is not
    if (this.value && this.now() - this.value.at < 4 * this.ttlMs) {
      this.loading.catch(() => {});
      return this.value.data;
    }
    return this.loading;
  }

  invalidate(): void {
    this.value = null;
  }
}

/** A small LRU map whose entries also expire after `ttlMs` (per-key results that many requests share). */
export class LruCache<K, V> {
  private readonly map = new Map<K, { at: number; value: V }>();

  constructor(
    private readonly size: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    this.map.delete(key);
    if (this.now() - e.at >= this.ttlMs) return undefined;
    this.map.set(key, e);
    return e.value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, { at: this.now(), value });
    if (this.map.size > this.size) this.map.delete(this.map.keys().next().value as K);
  }

  clear(): void {
    this.map.clear();
  }
}
