/**
 * Group commit: callers add items and await the result of the batch write that contains them. A batch is
 * written when `maxBatch` items wait or `lingerMs` after the first one arrived; while `parallel` writes are in
 * flight new items gather and go out together as soon as one finishes. So an acknowledged item is always
 * committed (flush-on-ack), and concurrency alone makes batches large.
 */
export interface BatchOptions {
  maxBatch: number;
  lingerMs: number;
  /** batch writes in flight at once (1 = strictly one after another) */
  parallel: number;
}

/** below this many items a batch is not split further across write slots */
const MIN_SHARE = 64;

interface Pending<T, R> {
  item: T;
  resolve(r: R): void;
  reject(e: unknown): void;
}

export class BatchBuffer<T, R> {
  private pending: Pending<T, R>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly opts: BatchOptions,
  ) {}

  add(item: T): Promise<R> {
    if (this.closed) return Promise.reject(new Error('batch buffer is closed'));
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.opts.maxBatch) this.kick();
      else if (!this.timer && this.inFlight.size < this.opts.parallel) this.timer = setTimeout(() => this.kick(), this.opts.lingerMs);
    });
  }

  /** items waiting for a write */
  get size(): number {
    return this.pending.length;
  }

  /** Write everything added so far and wait for it. */
  async flush(): Promise<void> {
    this.kick();
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Refuse new items, write the waiting ones. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    // share what waits between the free slots, so the next batch is prepared while the database writes this one
    const free = this.opts.parallel - this.inFlight.size;
    const size = Math.min(this.opts.maxBatch, Math.max(MIN_SHARE, Math.ceil(this.pending.length / Math.max(1, free))));
    while (this.inFlight.size < this.opts.parallel && this.pending.length > 0) {
      const batch = this.pending.splice(0, size);
      const p: Promise<void> = this.writeBatch(batch).finally(() => {
        this.inFlight.delete(p);
        // items that arrived while every slot was busy
        if (this.pending.length > 0) this.kick();
      });
      this.inFlight.add(p);
    }
  }

  private async writeBatch(batch: Pending<T, R>[]): Promise<void> {
    try {
      const results = await this.write(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
