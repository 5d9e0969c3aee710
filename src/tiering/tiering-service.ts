/**
 * Storage tiering: applies the policy of core/tiering.ts to the published catalogue through the BlobStore port,
 * records each rendition's tier (rendition_tiers), serves the origin's misses from the cold store (promoting
 * what viewers fetch back to the hot store), hides dropped renditions from manifests and re-creates them on
 * demand through the task queue (tier-encode per chunk, then tier-finish; see recreate-steps.ts).
 *
 * Moves copy first, record the new tier, then delete the old copies: a crash in between leaves a file in both
 * stores (served either way), never in neither. Re-running the job finishes what it started.
 */
import type { Logger } from 'pino';
import type { Db } from '../adapters/db/schema.js';
import { MEDIA_PLAYLIST } from '../core/ffmpeg-args.js';
import type { Profile, TaskSpec } from '../core/pipeline.js';
import {
  DAY_MS,
  filterMasterPlaylist,
  filterMpd,
  isTopManifest,
  planTiering,
  renditionOfFile,
  shouldRecreate,
  type Tier,
  type TierMove,
  type TieringPolicy,
  type VideoUsage,
} from '../core/tiering.js';
import { sourceKey, videoPrefix, type Rendition, type VideosService } from '../catalog/videos-service.js';
import type { MediaPlan } from '../processing/media-plan.js';
import type { TaskQueue } from '../processing/task-queue.js';
import type { BlobStat, BlobStore } from '../ports/blob-store.js';
import { ReadThroughBlobStore } from './read-through-store.js';
import { hourStart } from '../core/view-rules.js';
import { TierStore, toState, type TierRow } from './tier-store.js';

export interface TieringDeps {
  db: Db;
  hot: BlobStore;
  cold: BlobStore;
  queue: TaskQueue;
  videos: VideosService;
  profile: Profile;
  policy: TieringPolicy;
  log: Logger;
  now?: () => number;
}

export interface RunResult {
  at: number;
  policy: string;
  inventoried: number;
  moves: Array<TierMove & { ok: boolean; error?: string }>;
  bytesToCold: number;
  bytesDropped: number;
  ms: number;
}

export interface StorageReport {
  policy: TieringPolicy;
  coldStore: string;
  tiers: Record<'hot' | 'cold' | 'dropped' | 'restoring', { bytes: number; renditions: number }>;
  byKind: Array<{ tier: string; kind: string; bytes: number; renditions: number }>;
  videos: { ready: number; inventoried: number };
  recreations: { total: number; fromSource: number; fromRendition: number };
  lastRun: Omit<RunResult, 'moves'> & { moves: number; failed: number } | null;
}

/** A rendition's files: the media playlist of a video/audio rendition stays hot when the rest goes cold. */
const fileKeys = (row: Pick<TierRow, 'video_id' | 'rendition' | 'kind'>, keys: string[], forCold: boolean) =>
  row.kind === 'source' ? keys : keys.filter((k) => !(forCold && k.endsWith(`/${MEDIA_PLAYLIST}`)));

const CODEC_SUFFIX = /-(vp9|av1)$/;

export class TieringService {
  readonly store: TierStore;
  readonly policy: TieringPolicy;
  private readonly now: () => number;
  private readonly inflight = new Map<string, Promise<unknown>>();
  private lastRun: RunResult | null = null;

  constructor(private readonly d: TieringDeps) {
    this.store = new TierStore(d.db);
    this.policy = d.policy;
    this.now = d.now ?? Date.now;
  }

  get coldStore(): BlobStore {
    return this.d.cold;
  }

  /** Hot first, cold second: what re-encodes read from. */
  readThrough(): BlobStore {
    return new ReadThroughBlobStore(this.d.hot, this.d.cold);
  }

  private async sourceKeyOf(videoId: string): Promise<string> {
    return (await this.d.videos.row(videoId))?.source_key ?? sourceKey(videoId);
  }

  private async keysOf(store: BlobStore, row: Pick<TierRow, 'video_id' | 'rendition' | 'kind'>): Promise<string[]> {
    if (row.kind === 'source') {
      const key = await this.sourceKeyOf(row.video_id);
      return (await store.stat(key)) ? [key] : [];
    }
    return store.list(`${videoPrefix(row.video_id)}${row.rendition}/`);
  }

  // ---------------------------------------------------------------- inventory

  /** Record the renditions (and kept source) of a ready video that have no row yet, as hot, with their sizes. */
  async inventory(videoId: string): Promise<number> {
    const video = await this.d.videos.row(videoId);
    if (!video || video.status !== 'ready') return 0;
    const have = new Set((await this.store.forVideo(videoId)).map((r) => r.rendition));
    const renditions = JSON.parse(video.renditions) as Rendition[];
    const t = this.now();
    const rows: TierRow[] = [];
    const base = { video_id: videoId, changed_at: t, last_access_at: null, generation: 0, recreations: 0, recreated_from: null, tier: 'hot' as Tier };
    const sized = async (prefix: string) => {
      const keys = await this.d.hot.list(prefix);
      let bytes = 0;
      for (const k of keys) bytes += (await this.d.hot.stat(k))?.size ?? 0;
      return { bytes, files: keys.length };
    };
    // rank within each codec ladder by size on screen, then bit rate
    const byCodec = new Map<string, Rendition[]>();
    for (const r of renditions) byCodec.set(r.codec ?? 'h264', [...(byCodec.get(r.codec ?? 'h264') ?? []), r]);
    for (const [codec, list] of byCodec) {
      list.sort((a, b) => Math.min(a.width, a.height) - Math.min(b.width, b.height) || a.bandwidth - b.bandwidth);
      for (const [rank, r] of list.entries()) {
        if (have.has(r.name)) continue;
        const s = await sized(`${videoPrefix(videoId)}${r.name}/`);
        // listed but without files (a de-duplicated copy of a video whose rung was dropped): dropped, re-created on demand
        rows.push({ ...base, rendition: r.name, kind: 'video', codec, rank, ...s, tier: s.files ? 'hot' : 'dropped' });
      }
    }
    if (!have.has('audio')) {
      const s = await sized(`${videoPrefix(videoId)}audio/`);
      if (s.files) rows.push({ ...base, rendition: 'audio', kind: 'audio', codec: null, rank: 0, ...s });
    }
    if (!have.has('source')) {
      const key = video.source_key ?? sourceKey(videoId);
      const st = await this.d.hot.stat(key);
      if (st) rows.push({ ...base, rendition: 'source', kind: 'source', codec: null, rank: 0, bytes: st.size, files: 1 });
    }
    await this.store.insertMissing(rows);
    return rows.length;
  }

  /** Inventory ready videos that have no rows, or renditions without one (e.g. a codec added later). */
  async inventoryAll(): Promise<number> {
    const videos = await this.d.db.selectFrom('videos').select(['id', 'renditions']).where('status', '=', 'ready').execute();
    const have = new Map<string, Set<string>>();
    for (const r of await this.d.db.selectFrom('rendition_tiers').select(['video_id', 'rendition']).execute()) {
      have.set(r.video_id, (have.get(r.video_id) ?? new Set()).add(r.rendition));
    }
    let n = 0;
    for (const v of videos) {
      const rows = have.get(v.id);
      if (rows && (JSON.parse(v.renditions) as Rendition[]).every((r) => rows.has(r.name))) continue;
      n += await this.inventory(v.id);
    }
    return n;
  }

  /** View statistics and rendition tiers of every inventoried ready video, as the pure planner wants them. */
  async usage(at: number): Promise<VideoUsage[]> {
    const since = at - this.policy.idleDays * DAY_MS;
    const videos = await this.d.db
      .selectFrom('videos')
      .select(['id', 'published_at', 'created_at', (eb) => eb('media', 'is not', null).as('planned')])
      .where('status', '=', 'ready')
      .execute();
    const views = await this.d.db
      .selectFrom('video_view_hourly')
      .select(['video_id', (eb) => eb.fn.sum<number>('views').as('n')])
      .where('hour', '>=', since)
      .where('hour', '<=', at)
      .groupBy('video_id')
      .execute();
    const viewsOf = new Map(views.map((v) => [v.video_id, Number(v.n)]));
    const rows = new Map<string, TierRow[]>();
    for (const r of await this.store.all()) rows.set(r.video_id, [...(rows.get(r.video_id) ?? []), r]);
    const out: VideoUsage[] = [];
    for (const v of videos) {
      const rs = rows.get(v.id);
      if (!rs?.length) continue;
      const access = rs.map((r) => (r.last_access_at === null ? null : Number(r.last_access_at))).filter((x): x is number => x !== null);
      out.push({
        videoId: v.id,
        publishedAt: Number(v.published_at ?? v.created_at),
        recentViews: viewsOf.get(v.id) ?? 0,
        lastAccessAt: access.length ? Math.max(...access) : null,
        renditions: rs.map(toState),
        // only a video processed by the chunked pipeline has the plan a re-creation needs
        canRecreate: Boolean(v.planned),
      });
    }
    return out;
  }

  // ---------------------------------------------------------------- the job

  /** Inventory, decide (core/tiering.ts) and apply. `at` pretends it is that time (tests, what-if runs). */
  async run(opts: { at?: number; dryRun?: boolean } = {}): Promise<RunResult> {
    const started = Date.now();
    const at = opts.at ?? this.now();
    const result: RunResult = { at, policy: this.policy.kind, inventoried: 0, moves: [], bytesToCold: 0, bytesDropped: 0, ms: 0 };
    if (this.policy.kind === 'off') return result;
    result.inventoried = await this.inventoryAll();
    const moves = planTiering(await this.usage(at), this.policy, at);
    for (const m of moves) {
      if (opts.dryRun) {
        result.moves.push({ ...m, ok: true });
        continue;
      }
      try {
        const ok = m.to === 'cold' ? await this.moveToCold(m.videoId, m.rendition) : await this.drop(m.videoId, m.rendition);
        result.moves.push({ ...m, ok });
        if (ok && m.to === 'cold') result.bytesToCold += m.bytes;
        if (ok && m.to === 'dropped') result.bytesDropped += m.bytes;
      } catch (err) {
        this.d.log.warn({ err, videoId: m.videoId, rendition: m.rendition }, 'tiering move failed');
        result.moves.push({ ...m, ok: false, error: (err as Error).message });
      }
    }
    result.ms = Date.now() - started;
    if (!opts.dryRun) this.lastRun = result;
    this.d.log.info({ policy: result.policy, inventoried: result.inventoried, moves: result.moves.length, bytesToCold: result.bytesToCold, bytesDropped: result.bytesDropped }, 'tiering run');
    return result;
  }

  /** Copy a hot rendition to the cold store, record it, then delete the hot copies. */
  async moveToCold(videoId: string, rendition: string): Promise<boolean> {
    const row = await this.store.get(videoId, rendition);
    if (!row || row.tier !== 'hot') return false;
    const keys = fileKeys(row, await this.keysOf(this.d.hot, row), true);
    await copyAll(this.d.hot, this.d.cold, keys);
    if (!(await this.store.transition(videoId, rendition, 'hot', { tier: 'cold' }, this.now()))) return false;
    for (const k of keys) await this.d.hot.delete(k);
    return true;
  }

  /** Back to the hot store (a viewer fetched it). Concurrent calls share one promotion. */
  promote(videoId: string, rendition: string): Promise<boolean> {
    return this.once(`promote:${videoId}/${rendition}`, async () => {
      const row = await this.store.get(videoId, rendition);
      if (!row || row.tier !== 'cold') return false;
      const keys = await this.keysOf(this.d.cold, row);
      await copyAll(this.d.cold, this.d.hot, keys);
      if (!(await this.store.transition(videoId, rendition, 'cold', { tier: 'hot', last_access_at: this.now() }, this.now()))) return false;
      for (const k of keys) await this.d.cold.delete(k);
      return true;
    });
  }

  /** Delete a rendition from both stores; manifests stop listing it first. */
  async drop(videoId: string, rendition: string): Promise<boolean> {
    const row = await this.store.get(videoId, rendition);
    if (!row || (row.tier !== 'hot' && row.tier !== 'cold') || row.kind !== 'video') return false;
    if (!(await this.store.transition(videoId, rendition, row.tier, { tier: 'dropped' }, this.now()))) return false;
    const prefix = `${videoPrefix(videoId)}${rendition}/`;
    await this.d.hot.deletePrefix(prefix);
    await this.d.cold.deletePrefix(prefix);
    return true;
  }

  /**
   * Re-create the dropped renditions of one codec ladder of a video: one tier-encode task per chunk (every
   * dropped rung of the ladder in one decode) and a tier-finish task that writes their playlists and marks them
   * hot. The input is the source when it is kept (hot or cold store), else the best rung still stored, an
   * upscale of a lower-quality encode (recorded in `recreated_from`). Returns the renditions claimed.
   */
  recreate(videoId: string, codec: string): Promise<string[]> {
    return this.once(`recreate:${videoId}/${codec}`, async () => {
      const plan = await this.d.videos.getPlan<MediaPlan>(videoId);
      const video = await this.d.videos.row(videoId);
      if (!plan || !video || video.status !== 'ready') return [];
      const rows = await this.store.forVideo(videoId);
      const dropped = rows.filter((r) => r.tier === 'dropped' && r.kind === 'video' && (r.codec ?? 'h264') === codec);
      if (!dropped.length) return [];
      const generation = Math.max(...rows.map((r) => Number(r.generation))) + 1;
      const claimed: string[] = [];
      for (const r of dropped) if (await this.store.transition(videoId, r.rendition, 'dropped', { tier: 'restoring', generation }, this.now())) claimed.push(r.rendition);
      if (!claimed.length) return [];
      const sourceHere = !!(await this.readThrough().stat(video.source_key ?? sourceKey(videoId)));
      const kept = rows.filter((r) => r.kind === 'video' && (r.codec ?? 'h264') === 'h264' && (r.tier === 'hot' || r.tier === 'cold')).sort((a, b) => Number(b.rank) - Number(a.rank));
      const from = sourceHere ? 'source' : (kept[0]?.rendition ?? 'unknown');
      const step = this.d.profile.steps.find((s) => s.kind === 'encode-chunk');
      const rungs = claimed.map((name) => name.replace(CODEC_SUFFIX, ''));
      const prefix = `tier.${codec}.g${generation}`;
      const specs: TaskSpec[] = plan.chunks.map((c) => ({
        key: `${prefix}#${c.index}`,
        step: 'tier',
        kind: 'tier-encode',
        after: [],
        priority: 100 + c.index,
        payload: { ...step?.options, chunk: c.index, start: c.start, end: c.end, codec, rungs },
      }));
      specs.push({ key: prefix, step: 'tier', kind: 'tier-finish', after: specs.map((s) => s.key), priority: 100, payload: { codec, generation, renditions: claimed, from } });
      await this.d.queue.addGraph(videoId, specs, await this.d.videos.channelPriority(videoId));
      this.d.log.info({ videoId, renditions: claimed, from, generation }, 'tiering: re-creating dropped renditions');
      return claimed;
    });
  }

  /** A watch of a video with dropped renditions: re-create them when the policy's view threshold is reached. */
  private async recreateIfWanted(videoId: string, dropped: Array<Pick<TierRow, 'codec' | 'changed_at'>>): Promise<void> {
    if ((this.policy.recreateAfterViews ?? 0) > 0) {
      const since = hourStart(Math.min(...dropped.map((d) => Number(d.changed_at))));
      const row = await this.d.db
        .selectFrom('video_view_hourly')
        .select((eb) => eb.fn.sum<number>('views').as('n'))
        .where('video_id', '=', videoId)
        .where('hour', '>=', since)
        .executeTakeFirst();
      if (!shouldRecreate(Number(row?.n ?? 0), this.policy)) return;
    }
    for (const codec of new Set(dropped.map((d) => d.codec ?? 'h264'))) await this.recreate(videoId, codec);
  }

  /** Called by tier-finish once the rendition's files and playlist are written again. */
  async restored(videoId: string, rendition: string, generation: number, sizes: { bytes: number; files: number }, from: string): Promise<boolean> {
    const row = await this.store.get(videoId, rendition);
    if (!row || row.tier !== 'restoring' || Number(row.generation) !== generation) return false;
    const t = this.now();
    return this.store.transition(videoId, rendition, 'restoring', { tier: 'hot', ...sizes, last_access_at: t, recreations: Number(row.recreations) + 1, recreated_from: from }, t);
  }

  /** A re-creation task gave up: its renditions go back to dropped, so a later watch tries again. */
  async recreateFailed(videoId: string, payload: { codec?: string; generation?: number }, key: string): Promise<void> {
    const m = /^tier\.([a-z0-9]+)\.g(\d+)/.exec(key);
    const generation = payload.generation ?? (m ? Number(m[2]) : NaN);
    for (const r of await this.store.forVideo(videoId)) {
      if (r.tier === 'restoring' && Number(r.generation) === generation) await this.store.transition(videoId, r.rendition, 'restoring', { tier: 'dropped' }, this.now());
    }
    this.d.log.warn({ videoId, task: key }, 'tiering: re-creation gave up; the renditions stay dropped');
  }

  // ---------------------------------------------------------------- serving hooks (streaming/media-routes.ts)

  /**
   * The origin found no file in the hot store. A cold rendition's file is served from the cold store (the
   * rendition is promoted in the background); a dropped rendition starts its re-creation and stays a 404.
   */
  async locate(videoId: string, file: string): Promise<{ store: BlobStore; stat: BlobStat } | null> {
    const rendition = renditionOfFile(file);
    if (!rendition) return null;
    const row = await this.store.get(videoId, rendition);
    if (!row) return null;
    if (row.tier === 'dropped') {
      this.background(this.recreateIfWanted(videoId, [row]));
      return null;
    }
    if (row.tier === 'restoring') return null;
    const key = `${videoPrefix(videoId)}${file}`;
    const stat = await this.d.cold.stat(key);
    if (!stat) return null;
    if (row.tier === 'cold') this.background(this.promote(videoId, rendition));
    // cold first, then hot: the file stays readable while the promotion moves it
    return { store: new ReadThroughBlobStore(this.d.cold, this.d.hot), stat };
  }

  /**
   * A master playlist or MPD without the renditions that are dropped or being re-created (null when nothing
   * is missing, so the stored file is served as is). Asking for one is a watch: dropped renditions start being
   * re-created, and join the manifest when they are back.
   */
  async manifest(videoId: string, file: string, read: () => Promise<string>): Promise<string | null> {
    if (!isTopManifest(file)) return null;
    const missing = await this.store.missing(videoId);
    if (!missing.length) return null;
    const dropped = missing.filter((m) => m.tier === 'dropped');
    if (dropped.length) this.background(this.recreateIfWanted(videoId, dropped));
    const names = new Set(missing.map((m) => m.rendition));
    const text = await read();
    return file.endsWith('.mpd') ? filterMpd(text, names) : filterMasterPlaylist(text, names);
  }

  // ---------------------------------------------------------------- report, erasure

  async report(): Promise<StorageReport> {
    const totals = await this.store.totals();
    const tiers = { hot: { bytes: 0, renditions: 0 }, cold: { bytes: 0, renditions: 0 }, dropped: { bytes: 0, renditions: 0 }, restoring: { bytes: 0, renditions: 0 } };
    for (const t of totals) {
      tiers[t.tier].bytes += t.bytes;
      tiers[t.tier].renditions += t.n;
    }
    const ready = await this.d.db.selectFrom('videos').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'ready').executeTakeFirstOrThrow();
    const inventoried = await this.d.db.selectFrom('rendition_tiers').select((eb) => eb.fn.count<number>('video_id').distinct().as('n')).executeTakeFirstOrThrow();
    const rec = await this.d.db
      .selectFrom('rendition_tiers')
      .select(['recreated_from', (eb) => eb.fn.sum<number>('recreations').as('n')])
      .where('recreations', '>', 0)
      .groupBy('recreated_from')
      .execute();
    const fromSource = rec.filter((r) => r.recreated_from === 'source').reduce((s, r) => s + Number(r.n), 0);
    const total = rec.reduce((s, r) => s + Number(r.n), 0);
    const last = this.lastRun;
    return {
      policy: this.policy,
      coldStore: this.d.cold.kind,
      tiers,
      byKind: totals.map((t) => ({ tier: t.tier, kind: t.kind, bytes: t.bytes, renditions: t.n })),
      videos: { ready: Number(ready.n), inventoried: Number(inventoried.n) },
      recreations: { total, fromSource, fromRendition: total - fromSource },
      lastRun: last ? { ...last, moves: last.moves.length, failed: last.moves.filter((m) => !m.ok).length } : null,
    };
  }

  /** Bytes by tier for the reel_storage_bytes gauge. */
  async bytesByTier(): Promise<Record<string, number>> {
    const out: Record<string, number> = { hot: 0, cold: 0, dropped: 0, restoring: 0 };
    for (const t of await this.store.totals()) out[t.tier] += t.bytes;
    return out;
  }

  /** A deleted video: its cold copies and rows go too (the hot store is cleaned by the videos service). */
  async forget(videoId: string): Promise<void> {
    await this.d.cold.deletePrefix(videoPrefix(videoId));
    await this.d.cold.delete(sourceKey(videoId));
    await this.store.deleteVideo(videoId);
  }

  /** For the videos service's change listener: forget a video once its row is gone. Never throws. */
  readonly onVideoChanged = async (videoId: string): Promise<void> => {
    try {
      if (await this.d.videos.row(videoId)) return;
      await this.forget(videoId);
    } catch (err) {
      this.d.log.warn({ err, videoId }, 'tiering: cleaning a deleted video failed');
    }
  };

  /** Wait for background promotions and re-creation requests started by viewers (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight.values()]);
  }

  private once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const running = this.inflight.get(key);
    if (running) return running as Promise<T>;
    const p = fn().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private background(p: Promise<unknown>): void {
    p.catch((err) => this.d.log.warn({ err }, 'tiering background work failed'));
  }

}

async function copyAll(from: BlobStore, to: BlobStore, keys: string[]): Promise<void> {
  for (const k of keys) {
    const src = await from.stat(k);
    if (!src) continue;
    const have = await to.stat(k);
    if (have && have.size === src.size) continue; // an earlier, interrupted move already copied it
    await to.put(k, await from.get(k));
    const copied = await to.stat(k);
    if (!copied || copied.size !== src.size) throw new Error(`copy of ${k} is ${copied?.size ?? 'missing'} bytes, expected ${src.size}`);
  }
}
