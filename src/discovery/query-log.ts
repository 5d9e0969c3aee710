/**
 * The search query log (what autocomplete suggests from), written behind: a search adds its query to counts kept in
 * memory and returns; the counts go to the index's log in one write at most `flushMs` later. So no search waits for a
 * write (a commit on PostgreSQL, the single write connection on SQLite), and a burst of searches costs one write.
 * Suggestions read after a write of the pending queries they could match, so they always include every search
 * this process answered. Counts not yet written when the process stops are lost (they only rank suggestions).
 */
import type { Logger } from 'pino';
import type { SearchIndex } from '../ports/search-index.js';

export class QueryLog {
  private pending = new Map<string, { count: number; at: number }>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly index: SearchIndex,
    private readonly flushMs = 1000,
    private readonly log?: Logger,
  ) {}

  /** Count one more search of `query` (normalized); written within `flushMs`. */
  record(query: string, at: number): void {
    const p = this.pending.get(query);
    if (p) (p.count++, (p.at = Math.max(p.at, at)));
    else this.pending.set(query, { count: 1, at });
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  /** Logged queries starting with `prefix` (the pending ones written first if any could match). */
  async popular(prefix: string, limit: number, minCount: number): Promise<Array<{ query: string; count: number }>> {
    for (const q of this.pending.keys()) {
      if (q.startsWith(prefix)) {
        await this.flush();
        break;
      }
    }
    await this.writing;
    return this.index.popularQueries(prefix, limit, minCount);
  }

  /** Writes the pending counts now (one write per distinct query; a failure is logged and those counts dropped). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = new Map();
    if (batch.size === 0) return this.writing;
    this.writing = this.writing.then(async () => {
      try {
        for (const [query, p] of batch) await this.index.recordQuery(query, p.at, p.count);
      } catch (err) {
        this.log?.warn({ err, queries: batch.size }, 'search query log write failed');
      }
    });
    return this.writing;
  }
}
