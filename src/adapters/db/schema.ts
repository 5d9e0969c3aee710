/**
 * Table types for Kysely. Timestamps are integer milliseconds since the epoch in both SQLite and PostgreSQL.
 * JSON columns are stored as text so the same queries run on both engines.
 */
import type { Kysely } from 'kysely';

export interface UsersTable {
  id: string;
  email: string;
  password_hash: string;
  created_at: number;
}

export interface ChannelsTable {
  id: string;
  user_id: string;
  handle: string;
  name: string;
  /** added to task priorities of this channel's videos (lower runs first) */
  priority: number;
  created_at: number;
}

export interface SessionsTable {
  /** sha256 of the token, hex */
  token_hash: string;
  user_id: string;
  kind: 'session' | 'api';
  name: string;
  created_at: number;
  expires_at: number | null;
}

export type VideoStatus = 'uploading' | 'processing' | 'ready' | 'failed';
export type Visibility = 'public' | 'unlisted' | 'private';

export interface VideosTable {
  id: string;
  channel_id: string;
  title: string;
  description: string;
  /** JSON array of strings */
  tags: string;
  visibility: Visibility;
  status: VideoStatus;
  error_code: string | null;
  error_message: string | null;
  upload_id: string | null;
  upload_size: number | null;
  source_key: string | null;
  duration_sec: number | null;
  width: number | null;
  height: number | null;
  /** JSON array of rendition descriptors once ready */
  renditions: string;
  thumbnail_key: string | null;
  progress: number;
  /** JSON: media info and the processing plan (rungs, chunks) once planned */
  media: string | null;
  /** when the first rung's opening seconds became playable */
  playable_at: number | null;
  created_at: number;
  updated_at: number;
  published_at: number | null;
}

export type TaskState = 'waiting' | 'queued' | 'running' | 'done' | 'failed' | 'dead' | 'cancelled';

export interface TasksTable {
  id: string;
  video_id: string;
  kind: string;
  state: TaskState;
  priority: number;
  attempts: number;
  max_attempts: number;
  run_after: number;
  lease_until: number | null;
  worker_id: string | null;
  /** unique within a video, e.g. "video#3" */
  key: string;
  /** the profile step this task comes from */
  step: string;
  /** JSON array of keys of tasks (same video) that must be done first */
  deps: string;
  /** JSON */
  payload: string;
  /** JSON result for later steps (segment lists, media info); may grow while running */
  output: string | null;
  error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface Database {
  users: UsersTable;
  channels: ChannelsTable;
  sessions: SessionsTable;
  videos: VideosTable;
  tasks: TasksTable;
}

export type Db = Kysely<Database>;
