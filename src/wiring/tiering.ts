/** Wiring of storage tiering: the cold store from the configuration, the service, its schedule. */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../adapters/db/schema.js';
import { FsBlobStore } from '../adapters/blob/fs-blob-store.js';
import { S3BlobStore } from '../adapters/blob/s3-blob-store.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Profile } from '../core/pipeline.js';
import type { VideosService } from '../catalog/videos-service.js';
import type { TaskQueue } from '../processing/task-queue.js';
import { TieringService } from '../tiering/tiering-service.js';

export function coldStoreFor(config: Config): BlobStore {
  const cold = config.tiering.cold;
  if ('dir' in cold) return new FsBlobStore(cold.dir);
  const { bucket, prefix, endpoint, region, forcePathStyle, accessKeyId, secretAccessKey } = cold.s3;
  return new S3BlobStore({
    bucket,
    prefix,
    client: { endpoint, region, forcePathStyle, credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined },
  });
}

export function createTiering(config: Config, parts: { db: Db; blobs: BlobStore; queue: TaskQueue; videos: VideosService; profile: Profile; log: Logger }): TieringService {
  const t = config.tiering;
  const tiering = new TieringService({
    ...parts,
    hot: parts.blobs,
    cold: coldStoreFor(config),
    policy: { kind: t.policy, idleDays: t.idleDays, minViews: t.minViews, dropRungs: t.dropRungs, keepRungs: t.keepRungs, recreateAfterViews: t.recreateAfterViews },
    log: parts.log.child({ area: 'tiering' }),
  });
  // a deleted video's cold copies and tier rows go with it
  parts.videos.onChange(tiering.onVideoChanged);
  return tiering;
}

/** Apply the policy every `intervalMs` (workers); returns the stop function. Runs are idempotent, so several workers may run it. */
export function startTieringSchedule(tiering: TieringService, intervalMs: number, log: Logger): () => void {
  if (tiering.policy.kind === 'off' || intervalMs <= 0) return () => {};
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void tiering
      .run()
      .catch((err) => log.warn({ err }, 'tiering run failed'))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
