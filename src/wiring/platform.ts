/**
 * Wiring: the one place where adapters are chosen from the configuration and services are built.
 * `reel serve` = core + HTTP app + (optionally) an in-process worker; `reel worker` = core + worker only.
 */
import { mkdir } from 'node:fs/promises';
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
import { TaskQueue } from '../processing/task-queue.js';
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
import { createTusServer } from '../upload/tus-uploads.js';
import { buildApp } from '../http/app.js';
import type { MediaTools } from '../ports/media-runner.js';
import type { BlobStore } from '../ports/blob-store.js';
import { S3BlobStore } from '../adapters/blob/s3-blob-store.js';

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
  return { config, log, database, blobs, tools, media, accounts, videos, queue, pipeline };
}

/** Every task kind a profile may use. Adding a kind here (and a handler file) makes it usable in profiles. */
export function taskHandlers(core: Core): Record<string, TaskHandler> {
  const { config } = core;
  const d: StepDeps = { videos: core.videos, blobs: core.blobs, media: core.media, queue: core.queue, profile: core.pipeline.profile, workDir: config.workDir, keepSource: config.keepSource };
  return {
    inspect: inspectStep(d),
    plan: planStep(d),
    'encode-chunk': encodeChunkStep(d),
    'encode-audio': encodeAudioStep(d),
    thumbnails: thumbnailsStep(d),
    storyboard: storyboardStep(d),
    package: packageStep(d),
    publish: publishStep(d),
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
    onGaveUp: (task, err, state) => core.pipeline.gaveUp(task, err, state),
  });
}

export interface Platform extends Core {
  app: FastifyInstance;
  worker: Worker | null;
  /** remove expired unfinished uploads now (also runs every 15 minutes) */
  cleanupExpiredUploads(): Promise<number>;
  close(): Promise<void>;
}

export async function createPlatform(config: Config, opts: { logger?: Logger; runWorker?: boolean } = {}): Promise<Platform> {
  const core = await createCore(config, opts.logger);
  const { log, blobs, accounts, videos, queue, pipeline, database } = core;
  await mkdir(config.uploadDir, { recursive: true });
  const tus = createTusServer({ accounts, videos, blobs, pipeline, log, uploadDir: config.uploadDir, maxUploadBytes: config.maxUploadBytes, expiryMs: config.uploadExpiryMs });
  const worker = opts.runWorker === false || config.workerConcurrency === 0 ? null : createWorker(core);
  const app = await buildApp(
    {
      accounts,
      videos,
      queue,
      blobs,
      tools: core.tools,
      live: new LivePlaylists(videos, queue, pipeline.profile.audio.bitrateKbps),
      pipeline,
      tus: tus.server,
      uploads: {
        remove: (id) => tus.store.remove(id),
        offset: async (id) => (await tus.store.getUpload(id).catch(() => null))?.offset ?? null,
      },
      checkDatabase: async () => {
        await sql`select 1`.execute(database.db);
      },
    },
    { logger: log, cookieSecure: config.cookieSecure },
  );
  const cleanup = setInterval(() => void tus.cleanupExpired().catch((err) => log.warn({ err }, 'upload cleanup failed')), 15 * 60_000);
  cleanup.unref();
  worker?.start();
  return {
    ...core,
    app,
    worker,
    cleanupExpiredUploads: () => tus.cleanupExpired(),
    async close() {
      clearInterval(cleanup);
      await worker?.stop();
      await app.close();
      await database.close();
    },
  };
}
