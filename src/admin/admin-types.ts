/**
 * The admin console's wire shapes: what src/admin/admin-service.ts returns and the /admin page (web/src/admin)
 * reads. Types only, nothing with code, so the web app can use them too.
 */
import type { TaskState, VideoStatus } from '../core/states.js';

export interface Page<T> {
  items: T[];
  /** pass as `cursor` for the next page; null on the last page */
  next: string | null;
}

export interface AdminUser {
  id: string;
  email: string;
  channel: { id: string; handle: string; name: string };
  createdAt: string;
  admin: boolean;
  suspended: { at: string; reason: string } | null;
  videoCount: number;
  uploadedBytes: number;
}

export interface AdminChannel {
  id: string;
  handle: string;
  name: string;
  owner: { id: string; email: string; suspended: boolean };
  createdAt: string;
  priority: number;
  videoCount: number;
  subscriberCount: number;
}

export interface AdminVideo {
  id: string;
  title: string;
  status: VideoStatus;
  visibility: string;
  channel: { id: string; handle: string };
  error: { code: string; message: string } | null;
  durationSec: number | null;
  uploadBytes: number | null;
  openFlags: number;
  createdAt: string;
  updatedAt: string;
}

export interface AdminTask {
  id: string;
  video: { id: string; title: string; status: VideoStatus; channelHandle: string };
  key: string;
  kind: string;
  state: TaskState;
  priority: number;
  attempts: number;
  maxAttempts: number;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface QueueSummary {
  /** tasks per state (every state listed, 0 when none) */
  byState: Record<string, number>;
  /** unfinished, failed and dead-lettered tasks per priority (lower runs first) */
  byPriority: Array<{ priority: number; state: TaskState; count: number }>;
  /** videos per status */
  videos: Record<string, number>;
}
