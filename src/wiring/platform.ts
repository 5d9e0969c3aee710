/**
 * Wiring: the one place where adapters are chosen from the configuration and services are built.
 * `reel serve` = core + HTTP app + (optionally) an in-process worker; `reel worker` = core + worker only.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { openDatabase, type DatabaseHandle } from '../adapters/db/connect.js';
import { FsBlobStore } from '../adapters/blob/fs-blob-store.js';
import { FfmpegRunner } from '../adapters/media/ffmpeg-runner.js';
import { locateMediaTools } from '../adapters/media/locate-tools.js';
import { AccountsService } from '../accounts/accounts-service.js';
import { VideosService } from '../catalog/videos-service.js';
import { TASKS_CHANNEL, TaskQueue } from '../processing/task-queue.js';
import { Worker, type TaskHandler } from '../processing/worker.js';
import { loadProfile, PipelineService } from '../processing/pipeline-service.js';
import { makeTranscodeHandler } from '../processing/transcode-video.js';
import { inspectStep } from '../processing/steps/inspect.js';
import { planStep } from '../processing/steps/plan.js';
import { encodeChunkStep } from '../processing/steps/encode-chunk.js';
import { encodeAudioStep } from '../processing/steps/encode-audio.js';
import { storyboardStep, thumbnailsStep } from '../processing/steps/images.js';
import { packageStep, publishStep } from '../processing/steps/package.js';
import type { StepDeps } from '../processing/steps/deps.js';
import { LivePlaylists } from '../streaming/live-playlists.js';
import { PlaybackService } from '../streaming/playback-service.js';
import { loadPlaybackSecrets } from '../streaming/playback-secret.js';
import { SegmentCipher } from '../streaming/segment-cipher.js';
import { createTusServer } from '../upload/tus-uploads.js';
import { UploadPolicy } from '../upload/upload-policy.js';
import { UploadGrants } from '../upload/upload-grants.js';
import { Dedup } from '../upload/dedup.js';
import { buildApp } from '../http/app.js';
import { createEngagement, type Engagement } from '../engagement/engagement.js';
import { NotificationsService } from '../engagement/notifications-service.js';
import type { MediaTools } from '../ports/media-runner.js';
import { Metrics } from '../ops/metrics.js';
import { recordAttempt } from '../ops/task-metrics.js';
import type { BlobStore } from '../ports/blob-store.js';
import { S3BlobStore } from '../adapters/blob/s3-blob-store.js';
import type { SearchIndex } from '../ports/search-index.js';
import { SearchIndexer } from '../discovery/search-indexer.js';
import { createDiscovery, searchIndexFor, startDiscoveryRefresh, type Discovery } from '../discovery/discovery.js';
import { limitsFor } from './limits.js';
import { createTiering, startTieringSchedule } from './tiering.js';
import { TieringService } from '../tiering/tiering-service.js';
import { tieringHandlers } from '../tiering/recreate-steps.js';
import { tieringRoutes } from '../tiering/tiering-routes.js';
import { CaptionsService } from '../captions/captions-service.js';
import { ThumbnailsService } from '../catalog/thumbnails-service.js';
import { ProgressEvents } from '../catalog/progress-events.js';
import { AuditLog } from '../erasure/audit-log.js';
import { ErasureService } from '../erasure/erasure-service.js';
import { ModerationService } from '../moderation/moderation-service.js';
import { EdgeCache } from '../streaming/edge-cache.js';
import { SiteSettings } from '../admin/site-settings.js';
import { AdminService } from '../admin/admin-service.js';
import { adminRoutes } from '../admin/admin-routes.js';
import { startEdgeCacheLog } from '../ops/edge-cache-log.js';
import { signPlaybackToken } from '../core/playback-token.js';
import { listenForTasks } from '../adapters/db/task-wakeups.js';

function blobStoreFor(config: Config): BlobStore {
  if (!config.s3) return new FsBlobStore(config.blobDir);
  const { bucket, prefix, endpoint, region, forcePathStyle, accessKeyId, secretAccessKey } = config.s3;
  return new S3BlobStore({
    bucket,
    prefix,
    client: { endpoint, region, forcePathStyle, credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined },
  });
}

export interface Core {
  config: Config;
  log: Logger;
  database: DatabaseHandle;
  blobs: BlobStore;
  tools: MediaTools;
  media: FfmpegRunner;
  accounts: AccountsService;
  videos: VideosService;
  queue: TaskQueue;
  pipeline: PipelineService;
  metrics: Metrics;
  /** the search index and its indexer, which the videos service tells about every change (also in workers) */
  searchIndex: SearchIndex;
  indexer: SearchIndexer;
  /** HMAC secrets of playback tokens (the first signs) */
  playbackSecrets: string[];
  /** purges and pre-warms the edges (EDGE_URLS); a no-op without edges */
  edge: EdgeCache;
  /** storage tiering: cold store, dropped rungs re-created on demand (TIERING_POLICY) */
  tiering: TieringService;
}

export async function createCore(config: Config, logger?: Logger): Promise<Core> {
  const log = logger ?? pino({ level: config.logLevel });
  const loaded = loadProfile(config.pipelineProfile);
  const profile = config.x264Preset ? { ...loaded, video: { ...loaded.video, preset: config.x264Preset } } : loaded;
  const database = await openDatabase(config.databaseUrl);
  const blobs = blobStoreFor(config);
  const tools = await locateMediaTools({ ffmpeg: config.ffmpegPath, ffprobe: config.ffprobePath, preferBundled: config.ffmpegPreferBundled });
  log.info({ ffmpeg: tools.ffmpeg, ffprobe: tools.ffprobe, origin: tools.origin, version: tools.version, profile: profile.name }, `using ${tools.origin} ffmpeg ${tools.version}`);
  const media = new FfmpegRunner(tools);
  const accounts = new AccountsService(database.db);
  const videos = new VideosService(database.db, blobs);
  const queue = new TaskQueue(database.db, database.dialect, { maxAttempts: config.taskMaxAttempts });
  const pipeline = new PipelineService(queue, videos, blobs, profile);
  const metrics = new Metrics(queue);
  const searchIndex = searchIndexFor(database);
  const indexer = new SearchIndexer(database.db, searchIndex, log);
  videos.onChange(indexer.hook);
  const playbackSecrets = await loadPlaybackSecrets(config.playbackSecrets, config.playbackSecretFile);
  if (config.edgeUrls.length && !config.edgePurgeSecret) throw new Error('invalid configuration:\n  EDGE_PURGE_SECRET: required with EDGE_URLS (the same value as the edges were configured with)');
  const edge = new EdgeCache({
    edges: config.edgeUrls,
    secret: config.edgePurgeSecret ?? '',
    sign: (videoId) => signPlaybackToken(playbackSecrets, { videoId, expiresAt: Math.floor(Date.now() / 1000) + 600, viewer: 'edge' }),
    log,
  });
  videos.onPurge((id, files, signed) => void edge.purge(id, files, signed).catch((err) => log.warn({ err, videoId: id }, 'edge purge failed')));
  const tiering = createTiering(config, { db: database.db, blobs, queue, videos, profile, log });
  metrics.storageBytesSource = () => tiering.bytesByTier();
  return { config, log, database, blobs, tools, media, accounts, videos, queue, pipeline, metrics, searchIndex, indexer, playbackSecrets, edge, tiering };
}

/** On publish: subscribers' notifications, then (in the background) the edges' pre-warm. */
function publishedNotifier(core: Core): NonNullable<StepDeps['notifier']> {
  const notifications = new NotificationsService(core.database.db);
  return {
    async videoPublished(videoId) {
      await notifications.videoPublished(videoId);
      if (!core.edge.enabled) return;
      const v = await core.videos.row(videoId);
      if (v) void core.edge.warm(videoId, v.visibility === 'public').catch((err) => core.log.warn({ err, videoId }, 'edge pre-warm failed'));
    },
  };
}

/** Every task kind a profile may use. Adding a kind here (and a handler file) makes it usable in profiles. */
export function taskHandlers(core: Core): Record<string, TaskHandler> {
  const { config } = core;
  const d: StepDeps = {
    videos: core.videos,
    blobs: core.blobs,
    media: core.media,
    queue: core.queue,
    profile: core.pipeline.profile,
    workDir: config.workDir,
    keepSource: config.keepSource,
    notifier: publishedNotifier(core),
    // reads through the cold store: a duplicate of a video whose renditions went cold still gets every file
    dedup: new Dedup(core.database.db, core.tiering.readThrough()),
    onPlayable: (_id, seconds) => core.metrics.timeToPlayable.observe(seconds),
    cipher: new SegmentCipher(core.database.db),
  };
  return {
    inspect: inspectStep(d),
    plan: planStep(d),
    'encode-chunk': encodeChunkStep(d),
    'encode-audio': encodeAudioStep(d),
    thumbnails: thumbnailsStep(d),
    storyboard: storyboardStep(d),
    package: packageStep(d),
    publish: publishStep(d),
    // re-creating renditions dropped by storage tiering
    ...tieringHandlers(core.tiering, d),
    // the one-process, one-decode ladder (pipelines/single-process.json; the benchmark baseline)
    transcode: makeTranscodeHandler({
      videos: core.videos,
      blobs: core.blobs,
      media: core.media,
      settings: { segmentSec: core.pipeline.profile.segmentSeconds, gopSec: 2, preset: core.pipeline.profile.video.preset, crf: core.pipeline.profile.video.crf, audioKbps: 128, keepSource: config.keepSource, workDir: config.workDir },
    }),
  };
}

export function createWorker(core: Core): Worker {
  return new Worker(core.queue, taskHandlers(core), core.log, {
    concurrency: Math.max(1, core.config.workerConcurrency),
    leaseMs: core.config.taskLeaseMs,
    pollMs: core.config.workerPollMs,
    expressSlots: core.config.workerExpressSlots,
    traceOf: async (videoId) => (await core.videos.row(videoId))?.trace_id ?? null,
    remoteWakeups: core.database.dialect === 'postgres' ? (wake) => listenForTasks(core.config.databaseUrl, TASKS_CHANNEL, wake, core.log) : undefined,
    // a re-creation that gives up leaves its renditions dropped; it never fails the (still playable) video
    onGaveUp: (task, err, state) => (task.kind.startsWith('tier-') ? core.tiering.recreateFailed(task.video_id, JSON.parse(task.payload), task.key) : core.pipeline.gaveUp(task, err, state)),
    onAttempt: (task, ms, outcome, err) => recordAttempt(core.metrics, task, ms, outcome, err),
  });
}

export interface Platform extends Core {
  app: FastifyInstance;
  worker: Worker | null;
  engagement: Engagement;
  discovery: Discovery;
  /** the studio's live progress streams (server-sent events) */
  progress: ProgressEvents;
  /** remove expired unfinished uploads now (also runs every 15 minutes) */
  cleanupExpiredUploads(): Promise<number>;
  close(): Promise<void>;
}

export async function createPlatform(config: Config, opts: { logger?: Logger; runWorker?: boolean } = {}): Promise<Platform> {
  const core = await createCore(config, opts.logger);
  const { log, blobs, accounts, videos, queue, pipeline, database } = core;
  await mkdir(config.uploadDir, { recursive: true });
  // site settings (admin console): the configuration gives the defaults, the database what admins changed
  const settings = new SiteSettings(database.db, {
    maxUploadBytes: config.maxUploadBytes,
    uploadQuotaDailyBytes: config.uploadQuotaDailyBytes,
    uploadQuotaTotalBytes: config.uploadQuotaTotalBytes,
    uploadsPerHour: config.uploadsPerHour,
    commentsPerMinute: 5,
    loginAttemptsPerMinute: config.loginAttemptsPerMinute,
    ladderMaxRung: '2160p',
  });
  const policy = new UploadPolicy(database.db, async () => {
    const s = await settings.get();
    return { maxBytes: s.maxUploadBytes, dailyBytes: s.uploadQuotaDailyBytes, totalBytes: s.uploadQuotaTotalBytes, perHour: s.uploadsPerHour };
  });
  // the ladder a new upload gets is fixed when its pipeline starts (the plan task's payload)
  pipeline.planOptions = async () => ({ maxRung: (await settings.get()).ladderMaxRung });
  const grants = new UploadGrants(database.db, 15 * 60_000);
  const tus = createTusServer({ metrics: core.metrics, accounts, policy, grants, videos, blobs, pipeline, log, uploadStore: config.uploadStore, uploadDir: config.uploadDir, maxUploadBytes: async () => (await settings.get()).maxUploadBytes, expiryMs: config.uploadExpiryMs });
  const worker = opts.runWorker === false || config.workerConcurrency === 0 ? null : createWorker(core);
  const limits = limitsFor(config, log);
  const captions = new CaptionsService(database.db, blobs, videos);
  const thumbnails = new ThumbnailsService(videos, blobs, core.media, { workDir: config.workDir, cipher: new SegmentCipher(database.db) });
  const audit = new AuditLog(database.db);
  const moderation = new ModerationService(database.db, videos, audit, config.adminEmails);
  const erasure = new ErasureService(database.db, videos, accounts, audit, (uploadId) => tus.store.remove(uploadId));
  const engagement = createEngagement(database.db, database.dialect, videos, { views: { counters: limits.counters }, comments: { perMinuteSource: async () => (await settings.get()).commentsPerMinute } });
  const discovery = createDiscovery(database, videos, core.searchIndex, core.indexer, log, { budgetMs: config.recommendBudgetMs, cacheMs: config.discoveryCacheMs });
  // in the background: on a first start over an existing catalogue this indexes every public video
  const startupReconcile = core.indexer
    .reconcile()
    .then((r) => r.indexed + r.removed > 0 && log.info(r, 'search index reconciled'))
    .catch((err) => log.warn({ err }, 'search index reconcile failed'));
  const reconcile = config.searchReconcileMs > 0 ? setInterval(() => void core.indexer.reconcile().catch((err) => log.warn({ err }, 'search index reconcile failed')), config.searchReconcileMs) : null;
  reconcile?.unref();
  // the co-watch and "similar" lists behind recommendations: the last 30 s of views and video changes (+ 5 s lag) every 30 s
  const stopCowatch = startDiscoveryRefresh(discovery, 30_000, log);
  const playback = new PlaybackService(videos, blobs, {
    secrets: core.playbackSecrets,
    ttlSec: config.playbackTokenTtlSec,
    resumePosition: (userId, videoId) => engagement.history.resumePosition(userId, videoId),
    captions: (videoId) => captions.tracks(videoId),
    cipher: new SegmentCipher(database.db),
  });
  const live = new LivePlaylists(videos, queue, pipeline.profile.audio.bitrateKbps, new SegmentCipher(database.db));
  // the studio's server-sent processing progress
  const progress = new ProgressEvents({ videos, tasks: (id) => queue.forVideo(id), availability: (id) => live.availability(id) });
  const app = await buildApp(
    {
      accounts,
      tiering: core.tiering,
      videos,
      queue,
      blobs,
      tools: core.tools,
      engagement,
      discovery,
      limiter: limits.limiter,
      captions,
      thumbnails,
      erasure,
      audit,
      moderation,
      uploadApi: { policy, grants, dedup: new Dedup(database.db, blobs) },
      metrics: core.metrics,
      live,
      progress,
      playback,
      pipeline,
      tus: tus.server,
      tusExtras: tus.extras,
      uploads: {
        remove: (id) => tus.store.remove(id),
        offset: async (id) => (await tus.store.getUpload(id).catch(() => null))?.offset ?? null,
      },
      checkDatabase: async () => {
        await sql`select 1`.execute(database.db);
      },
    },
    { logger: log, cookieSecure: config.cookieSecure || config.tls !== null, loginAttemptsPerMinute: async () => (await settings.get()).loginAttemptsPerMinute,
      edgePurgeSecret: config.edgePurgeSecret,
      https: config.tls ? { cert: await readFile(config.tls.certFile), key: await readFile(config.tls.keyFile) } : null,
    },
  );
  const cleanup = setInterval(() => void tus.cleanupExpired().catch((err) => log.warn({ err }, 'upload cleanup failed')), 15 * 60_000);
  cleanup.unref();
  await app.register(tieringRoutes(core.tiering, config.adminEmails));
  await app.register(adminRoutes(new AdminService(database.db, moderation, videos, queue, audit, settings)));
  // the edges' cache hit/miss log (EDGE_ACCESS_LOG) → reel_edge_cache_requests_total
  const edgeLog = config.edgeAccessLog ? await startEdgeCacheLog(config.edgeAccessLog, { record: (e) => core.metrics.recordEdgeCache(e) }, log) : null;
  if (edgeLog) core.metrics.beforeScrape(edgeLog.poll);
  const stopTiering = worker ? startTieringSchedule(core.tiering, config.tiering.intervalMs, log) : () => {};
  worker?.start();
  return {
    ...core,
    app,
    worker,
    engagement,
    discovery,
    progress,
    cleanupExpiredUploads: () => tus.cleanupExpired(),
    async close() {
      clearInterval(cleanup);
      if (reconcile) clearInterval(reconcile);
      await startupReconcile;
      core.indexer.close();
      await stopCowatch();
      stopTiering();
      await edgeLog?.close();
      await worker?.stop();
      await core.tiering.settled();
      await app.close();
      await limits.close();
      await database.close();
    },
  };
}
