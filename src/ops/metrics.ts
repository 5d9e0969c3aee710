/**
 * Prometheus metrics (prom-client), one registry per platform instance. Services receive the narrow
 * recorder functions they need; the queue gauges are read from the database at scrape time.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface QueueStats {
  /** task counts by state and priority */
  depth(): Promise<Array<{ state: string; priority: number; n: number }>>;
}

export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'reel_http_request_duration_seconds',
    help: 'HTTP request duration by route, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly uploadsStarted = new Counter({ name: 'reel_uploads_started_total', help: 'tus uploads created', registers: [this.registry] });
  readonly uploadsCompleted = new Counter({ name: 'reel_uploads_completed_total', help: 'tus uploads whose last byte arrived', registers: [this.registry] });
  readonly uploadBytes = new Counter({ name: 'reel_upload_bytes_total', help: 'bytes of completed uploads', registers: [this.registry] });
  readonly taskDuration = new Histogram({
    name: 'reel_task_duration_seconds',
    help: 'pipeline task wall time by kind, codec and rungs (e.g. encode-chunk, h264, "144p" or "all")',
    labelNames: ['kind', 'codec', 'rungs', 'outcome'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900],
    registers: [this.registry],
  });
  readonly taskFailures = new Counter({
    name: 'reel_task_failures_total',
    help: 'task failures by kind, reason (bad_media or error) and what happened next (retry, dead, failed)',
    labelNames: ['kind', 'reason', 'next'] as const,
    registers: [this.registry],
  });
  readonly playbackEvents = new Counter({
    name: 'reel_playback_events_total',
    help: 'player reports: start, rebuffer, rendition switch, error',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });
  readonly timeToPlayable = new Histogram({
    name: 'reel_time_to_playable_seconds',
    help: 'from upload complete to the first playable segment',
    buckets: [0.5, 1, 2, 3, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  /** the edges' cache statistics, from their cache log (src/ops/edge-cache-log.ts, EDGE_ACCESS_LOG) */
  readonly edgeCacheRequests = new Counter({
    name: 'reel_edge_cache_requests_total',
    help: 'media requests served by the nginx edges, by cache status (HIT, MISS, EXPIRED, STALE, UPDATING, REVALIDATED, BYPASS) and edge; hit rate = HIT / all',
    labelNames: ['status', 'edge'] as const,
    registers: [this.registry],
  });
  readonly edgeCacheBytes = new Counter({
    name: 'reel_edge_cache_bytes_total',
    help: 'bytes the nginx edges sent for media, by cache status and edge',
    labelNames: ['status', 'edge'] as const,
    registers: [this.registry],
  });
  recordEdgeCache(e: { cache: string; bytes: number; edge: string }): void {
    this.edgeCacheRequests.inc({ status: e.cache, edge: e.edge });
    if (e.bytes > 0) this.edgeCacheBytes.inc({ status: e.cache, edge: e.edge }, e.bytes);
  }

  /** run before each scrape, e.g. reading the edges' cache log up to now; a failing hook does not fail the scrape */
  private readonly scrapeHooks: Array<() => Promise<void>> = [];
  beforeScrape(fn: () => Promise<void>): void {
    this.scrapeHooks.push(fn);
  }

  /** storage tiering's bytes by tier (hot, cold, dropped, restoring), read at scrape time; set by the wiring */
  storageBytesSource: (() => Promise<Record<string, number>>) | null = null;
  readonly storageBytes: Gauge<'tier'> = new Gauge({
    name: 'reel_storage_bytes',
    help: 'bytes of published renditions and kept sources by storage tier (dropped: bytes freed, re-created on demand)',
    labelNames: ['tier'] as const,
    registers: [this.registry],
    collect: async () => {
      if (!this.storageBytesSource) return;
      for (const [tier, bytes] of Object.entries(await this.storageBytesSource())) this.storageBytes.set({ tier }, bytes);
    },
  });

  constructor(queue?: QueueStats) {
    collectDefaultMetrics({ register: this.registry, prefix: 'reel_' });
    if (!queue) return;
    const depth = new Gauge({ name: 'reel_queue_depth', help: 'tasks by state and priority', labelNames: ['state', 'priority'] as const, registers: [this.registry] });
    const dead = new Gauge({ name: 'reel_dead_letter_tasks', help: 'tasks set aside after exhausting their retries', registers: [this.registry] });
    // refreshed at scrape time from the database, so every API process reports the shared queue
    const collect = async () => {
      const rows = await queue.depth();
      depth.reset();
      let deadN = 0;
      for (const r of rows) {
        if (['waiting', 'queued', 'running'].includes(r.state)) depth.set({ state: r.state, priority: String(r.priority) }, r.n);
        if (r.state === 'dead') deadN += r.n;
      }
      dead.set(deadN);
    };
    this.collectQueue = collect;
  }

  collectQueue: () => Promise<void> = async () => {};

  async render(): Promise<{ contentType: string; body: string }> {
    await Promise.all([this.collectQueue(), ...this.scrapeHooks.map((h) => h().catch(() => {}))]);
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
