/** What every pipeline step handler receives (wired in one place: src/wiring). */
import type { BlobStore } from '../../ports/blob-store.js';
import type { MediaRunner } from '../../ports/media-runner.js';
import type { Profile } from '../../core/pipeline.js';
import type { VideosService } from '../../catalog/videos-service.js';
import type { TaskQueue } from '../task-queue.js';

export interface StepDeps {
  videos: VideosService;
  blobs: BlobStore;
  media: MediaRunner;
  queue: TaskQueue;
  profile: Profile;
  workDir: string;
  keepSource: boolean;
}
