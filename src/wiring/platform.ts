/**
 * Wiring: the one place where adapters are chosen from the configuration and services are built.
 * `reel serve` uses it with an in-process worker; tests use it with a temporary data folder.
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
import { Worker } from '../processing/worker.js';
import { makeFailureHandler, makeTranscodeHandler } from '../processing/transcode-video.js';
import { createTusServer } from '../upload/tus-uploads.js';
import { buildApp } from '../http/app.js';

export interface Platform {
  app: FastifyInstance;
  worker: Worker | null;
  database: DatabaseHandle;
  videos: VideosService;
  queue: TaskQueue;
  blobs: FsBlobStore;
  log: Logger;
  /** remove expired unfinished uploads now (also runs every 15 minutes) */
  cleanupExpiredUploads(): Promise<number>;
  close(): Promise<void>;
}

export async function createPlatform(config: Config, opts: { logger?: Logger; runWorker?: boolean } = {}): Promise<Platform> {
  const log = opts.logger ?? pino({ level: config.logLevel });
  await mkdir(config.uploadDir, { recursive: true });
  const database = await openDatabase(config.databaseUrl);
  const blobs = new FsBlobStore(config.blobDir);
  const tools = await locateMediaTools({ ffmpeg: config.ffmpegPath, ffprobe: config.ffprobePath, preferBundled: config.ffmpegPreferBundled });
  log.info({ ffmpeg: tools.ffmpeg, ffprobe: tools.ffprobe, origin: tools.origin, version: tools.version }, `using ${tools.origin} ffmpeg ${tools.version}`);
  const media = new FfmpegRunner(tools);

  const accounts = new AccountsService(database.db);
  const videos = new VideosService(database.db, blobs);
  const queue = new TaskQueue(database.db, database.dialect, { maxAttempts: config.taskMaxAttempts });
  const tus = createTusServer({ accounts, videos, blobs, queue, log, uploadDir: config.uploadDir, maxUploadBytes: config.maxUploadBytes, expiryMs: config.uploadExpiryMs });

  const onFailure = makeFailureHandler(videos, blobs);
  const worker =
    opts.runWorker === false || config.workerConcurrency === 0
      ? null
      : new Worker(
          queue,
          {
            transcode: makeTranscodeHandler({
              videos,
              blobs,
              media,
              settings: { segmentSec: config.segmentSec, gopSec: 2, preset: config.x264Preset, crf: 23, audioKbps: 128, keepSource: config.keepSource, workDir: config.workDir },
            }),
          },
          log,
          { concurrency: config.workerConcurrency, leaseMs: config.taskLeaseMs, onGaveUp: (task, err) => onFailure(task.video_id, err) },
        );

  const app = await buildApp(
    {
      accounts,
      videos,
      queue,
      blobs,
      tools,
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
    app,
    worker,
    database,
    videos,
    queue,
    blobs,
    log,
    cleanupExpiredUploads: () => tus.cleanupExpired(),
    async close() {
      clearInterval(cleanup);
      await worker?.stop();
      await app.close();
      await database.close();
    },
  };
}
