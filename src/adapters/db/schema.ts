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
  created_at: number;
  updated_at: number;
  published_at: number | null;
}

export type TaskState = 'queued' | 'running' | 'done' | 'failed' | 'dead';

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
  /** JSON */
  payload: string;
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
