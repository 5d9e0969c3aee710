/**
 * View counting: players report a playback (start, heartbeats with watch seconds, end). Once a playback passes
 * the minimum watch time it is offered to the batch writer, which counts it once per viewer, video and clock
 * hour; the caller's promise settles after the batch is committed, so an acknowledged view is never lost.
 * Heartbeats of signed-in viewers also store their resume position (same batches).
 *
 * De-dup in memory first: a viewer already counted this hour (RecentViewers) is answered at once, and a viewer
 * whose view is on its way to the database waits for that write instead of sending another. So batches hold
 * only viewers this process has not seen, which lets the store append them optimistically (ViewStore); the
 * log's unique key stays the truth when memory forgot a viewer or another process counted it.
 */
import type { CurrentUser } from '../accounts/accounts-service.js';
import { AppError } from '../core/errors.js';
import type { VideosService } from '../catalog/videos-service.js';
import { countryCode, dedupKey, deviceClass, hourStart, HOUR_MS, minWatchSeconds, viewerKey } from '../core/view-rules.js';
import { RecentViewers } from '../core/view-dedup.js';
import { BatchBuffer, type BatchOptions } from './batch-buffer.js';
import type { ViewStore, ViewWrite } from './view-store.js';
import type { HotCounters } from '../ports/rate-limiter.js';
import { MemoryHotCounters } from '../adapters/limits/memory-limits.js';

export interface ViewReport {
  event: 'start' | 'heartbeat' | 'end';
  /** seconds actually watched in this playback so far */
  watchSeconds: number;
  /** current position in the video, for resume (signed-in viewers) */
  positionSec?: number;
}

export interface ViewerContext {
  user: CurrentUser | null;
  /** the player's anonymous viewer id (body field or cookie) */
  anonId?: string | null;
  ip: string;
  userAgent?: string;
  /** the edge's country header value (CF-IPCountry, X-Country) */
  countryHeader?: string | string[];
}

export interface ViewsOptions extends BatchOptions {
  now: () => number;
  /** how long a video's visibility and duration are reused by the write path */
  videoCacheMs: number;
  /** most viewers remembered in memory as counted this hour (the database key is what guarantees de-dup)… */
  recentKeys: number;
  /** …and at most this many for one video */
  recentPerVideo: number;
  /** displayed counts are cached here (Redis across API processes); the database is the truth */
  counters: HotCounters;
  /** how long a cached count lives before it is re-read from the database */
  countCacheSec: number;
}

const DEFAULTS: Omit<ViewsOptions, 'counters'> = { maxBatch: 1000, lingerMs: 2, parallel: 1, now: Date.now, videoCacheMs: 5000, recentKeys: 200_000, recentPerVideo: 100_000, countCacheSec: 30 };
const countKey = (videoId: string) => `views:${videoId}`;

export interface Analytics {
  totalViews: number;
  from: string;
  to: string;
  hours: Array<{ hour: string; views: number }>;
  countries: Array<{ country: string; views: number }>;
  devices: Array<{ device: string; views: number }>;
}

export class ViewsService {
  private readonly opts: ViewsOptions;
  private readonly buffer: BatchBuffer<ViewWrite, boolean>;
  private readonly videoCache = new Map<string, { until: number; durationSec: Promise<number | null>; known?: { durationSec: number | null } }>();
  /** viewers this process saw counted (or refused as repeats) this hour: their repeats skip the database */
  private readonly recent: RecentViewers;
  /** views on their way to the database, by de-dup key: a repeat meanwhile waits for this one */
  private readonly inFlight = new Map<string, Promise<boolean>>();

  constructor(
    private readonly store: ViewStore,
    private readonly videos: VideosService,
    opts: Partial<ViewsOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, counters: opts.counters ?? new MemoryHotCounters(), ...opts };
    this.buffer = new BatchBuffer((items) => this.commit(items), this.opts);
    this.recent = new RecentViewers({ maxKeys: this.opts.recentKeys, perVideoHour: this.opts.recentPerVideo });
  }

  async report(videoId: string, ctx: ViewerContext, report: ViewReport): Promise<{ counted: boolean; minWatchSeconds: number }> {
    // most reports find the video's check done already: no await then (a repeat is answered without any)
    const known = this.knownDuration(videoId, ctx.user);
    const durationSec = known !== undefined ? known : await this.visibleDuration(videoId, ctx.user);
    const threshold = minWatchSeconds(durationSec);
    const at = this.opts.now();
    let progressWrite: Promise<boolean> | null = null;
    if (ctx.user && report.positionSec !== undefined) {
      const positionSec = durationSec ? Math.min(report.positionSec, durationSec) : report.positionSec;
      progressWrite = this.buffer.add({ kind: 'progress', progress: { userId: ctx.user.id, videoId, positionSec, watchedSec: report.watchSeconds, at } });
    }
    let viewWrite: Promise<boolean> | null = null;
    let repeatOf: Promise<boolean> | null = null;
    if (report.watchSeconds >= threshold) {
      const vk = viewerKey({ userId: ctx.user?.id, anonId: ctx.anonId, ip: ctx.ip, userAgent: ctx.userAgent });
      const hour = hourStart(at);
      if (!this.recent.has(videoId, hour, vk)) {
        const key = dedupKey(videoId, vk, hour);
        repeatOf = this.inFlight.get(key) ?? null;
        if (!repeatOf) {
          viewWrite = this.buffer.add({
            kind: 'view',
            event: { videoId, viewerKey: vk, hour, at, userId: ctx.user?.id ?? null, country: countryCode(ctx.countryHeader), device: deviceClass(ctx.userAgent), watchSec: report.watchSeconds },
          });
          this.inFlight.set(key, viewWrite); // cleared by commit(), which also remembers the viewer
        }
      }
    }
    if (progressWrite) await progressWrite;
    // a repeat of a view being written: not a view of its own, answered once that write is durable
    if (repeatOf) await repeatOf;
    const counted = viewWrite ? await viewWrite : false;
    return { counted, minWatchSeconds: threshold };
  }

  /** The video's id when the viewer may see it; 404 otherwise. */
  async visible(videoId: string, user: CurrentUser | null): Promise<string> {
    return (await this.videos.getVisible(videoId, user)).id;
  }

  /**
   * Commit a batch, then bump the cached counts by the views it counted. Its viewers are remembered as counted
   * this hour (also those the log refused: they were counted before) and leave the in-flight map either way.
   */
  private async commit(items: ViewWrite[]): Promise<boolean[]> {
    let counted: boolean[];
    try {
      counted = await this.store.commit(items);
    } finally {
      for (const w of items) if (w.kind === 'view') this.inFlight.delete(dedupKey(w.event.videoId, w.event.viewerKey, w.event.hour));
    }
    const by = new Map<string, number>();
    items.forEach((w, i) => {
      if (w.kind !== 'view') return;
      this.recent.remember(w.event.videoId, w.event.hour, w.event.viewerKey);
      if (counted[i]) by.set(w.event.videoId, (by.get(w.event.videoId) ?? 0) + 1);
    });
    await this.opts.counters.incr([...by].map(([videoId, n]) => ({ key: countKey(videoId), by: n })));
    return counted;
  }

  /** The displayed view count: the hot-counter cache, else the counter shards (every acknowledged view). */
  async count(videoId: string): Promise<number> {
    const cached = (await this.opts.counters.get([countKey(videoId)])).get(countKey(videoId));
    if (cached !== undefined) return cached;
    const n = await this.store.count(videoId);
    await this.opts.counters.prime(countKey(videoId), n, this.opts.countCacheSec);
    return n;
  }

  /** Creator analytics: views per hour for the last `days` days, and by country and device over that period. */
  async analytics(owner: CurrentUser, videoId: string, days = 30): Promise<Analytics> {
    await this.videos.owned(owner, videoId);
    const to = hourStart(this.opts.now());
    const from = to - days * 24 * HOUR_MS + HOUR_MS;
    const rows = await this.store.hourly(videoId, from);
    const sumBy = <K extends string>(key: (r: (typeof rows)[number]) => string, name: K) => {
      const m = new Map<string, number>();
      for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + r.views);
      return [...m.entries()].map(([k, views]) => ({ [name]: k, views }) as { [P in K]: string } & { views: number });
    };
    const hours = sumBy((r) => String(r.hour), 'hour').map((h) => ({ hour: new Date(Number(h.hour)).toISOString(), views: h.views }));
    return {
      totalViews: await this.store.count(videoId),
      from: new Date(from).toISOString(),
      to: new Date(to + HOUR_MS).toISOString(),
      hours,
      countries: sumBy((r) => r.country, 'country').sort((a, b) => b.views - a.views),
      devices: sumBy((r) => r.device, 'device').sort((a, b) => b.views - a.views),
    };
  }

  /** Exact recount from the log (owner only): rewrites the counters and roll-ups of the video. */
  async recount(owner: CurrentUser, videoId: string): Promise<{ before: number; after: number }> {
    await this.videos.owned(owner, videoId);
    await this.buffer.flush();
    const result = await this.store.recount(videoId);
    await this.opts.counters.forget([countKey(videoId)]);
    return result;
  }

  /** Commit every waiting view now. */
  flush(): Promise<void> {
    return this.buffer.flush();
  }

  close(): Promise<void> {
    return this.buffer.close();
  }

  /** The duration (null: unknown) from a finished, still fresh visibility check; undefined when there is none. */
  private knownDuration(videoId: string, user: CurrentUser | null): number | null | undefined {
    const hit = this.videoCache.get(user ? `${videoId}|${user.id}` : videoId);
    return hit?.known && hit.until > this.opts.now() ? hit.known.durationSec : undefined;
  }

  /** Visibility check + duration, cached briefly and shared by concurrent callers (one query per video, not per view). */
  private visibleDuration(videoId: string, user: CurrentUser | null): Promise<number | null> {
    const ck = user ? `${videoId}|${user.id}` : videoId;
    const now = this.opts.now();
    const hit = this.videoCache.get(ck);
    if (hit && hit.until > now) return hit.durationSec;
    const entry: { until: number; durationSec: Promise<number | null>; known?: { durationSec: number | null } } = { until: now + this.opts.videoCacheMs, durationSec: null as never };
    entry.durationSec = this.videos.getVisible(videoId, user).then((v) => {
      if (!v.playable) throw new AppError('not_playable', 'This video cannot be watched yet', 409);
      entry.known = { durationSec: v.durationSec };
      return v.durationSec;
    });
    const durationSec = entry.durationSec;
    if (this.videoCache.size > 10_000) this.videoCache.clear();
    this.videoCache.set(ck, entry);
    durationSec.catch(() => this.videoCache.delete(ck)); // 404s and errors are not cached
    return durationSec;
  }
}
