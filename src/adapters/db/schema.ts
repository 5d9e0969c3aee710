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
  /** set by a site admin (migration 0013): a suspended account cannot sign in or upload */
  suspended_at?: number | null;
  suspended_reason?: string | null;
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

/** removed: taken down by an admin (error_code taken_down, error_message the reason); restorable */
export type { VideoStatus } from '../../core/states.js';
import type { TaskState, VideoStatus } from '../../core/states.js';
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
  /** SHA-256 (hex) of the uploaded bytes, computed by the server; used to skip re-transcoding duplicates */
  source_sha256: string | null;
  created_at: number;
  updated_at: number;
  published_at: number | null;
  /** correlation id of the request that created the video (logs of its upload, tasks and publish carry it) */
  trace_id: string | null;
  /** the owner's appeal of a takedown, while it waits for an admin */
  appeal: string | null;
}

export type { TaskState } from '../../core/states.js';

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

export interface UploadGrantsTable {
  /** sha256 of the grant token */
  token_hash: string;
  user_id: string;
  size: number;
  type: string;
  expires_at: number;
  /** the upload created with it (a grant is single-use) */
  upload_id: string | null;
  created_at: number;
}

export interface Database {
  users: UsersTable;
  channels: ChannelsTable;
  sessions: SessionsTable;
  videos: VideosTable;
  tasks: TasksTable;
  upload_grants: UploadGrantsTable;
}

export type Db = Kysely<Database>;

// ---- engagement (migration 0003); merged into Database by declaration merging ----

export interface ViewEventsTable {
  video_id: string;
  /** "u:<user id>", "a:<hash of anonymous id + IP>" or "i:<hash of IP + user agent>" */
  viewer_key: string;
  /** start of the clock hour: (video_id, viewer_key, hour) is the primary key, i.e. the de-dup rule */
  hour: number;
  at: number;
  user_id: string | null;
  country: string;
  device: string;
  watch_sec: number;
}

export interface VideoViewCountsTable {
  video_id: string;
  shard: number;
  views: number;
}

export interface VideoViewHourlyTable {
  video_id: string;
  hour: number;
  country: string;
  device: string;
  views: number;
}

export interface WatchHistoryTable {
  user_id: string;
  video_id: string;
  position_sec: number;
  watched_sec: number;
  updated_at: number;
}

export interface VideoRatingsTable {
  user_id: string;
  video_id: string;
  /** 1 like, -1 dislike */
  value: number;
  created_at: number;
}

export interface Database {
  view_events: ViewEventsTable;
  video_view_counts: VideoViewCountsTable;
  video_view_hourly: VideoViewHourlyTable;
  watch_history: WatchHistoryTable;
  video_ratings: VideoRatingsTable;
}

export type CommentState = 'pending' | 'approved' | 'removed';

export interface CommentsTable {
  id: string;
  video_id: string;
  user_id: string;
  /** the top-level comment this replies to; null for top-level comments */
  parent_id: string | null;
  body: string;
  state: CommentState;
  /** up votes minus down votes */
  score: number;
  created_at: number;
  edited_at: number | null;
  /** deleted by its author while it had replies: kept as a placeholder with an empty body */
  deleted_at: number | null;
}

export interface CommentVotesTable {
  comment_id: string;
  user_id: string;
  /** 1 up, -1 down */
  value: number;
}

export interface Database {
  comments: CommentsTable;
  comment_votes: CommentVotesTable;
}

export interface SubscriptionsTable {
  user_id: string;
  channel_id: string;
  created_at: number;
}

export interface NotificationsTable {
  user_id: string;
  /** unique per user and event, e.g. "video:<video id>", so a re-run of the publish step notifies once */
  id: string;
  kind: 'new_video';
  video_id: string | null;
  channel_id: string | null;
  created_at: number;
  read_at: number | null;
}

export interface Database {
  subscriptions: SubscriptionsTable;
  notifications: NotificationsTable;
}

export interface PlaylistsTable {
  id: string;
  user_id: string;
  /** "watch_later": the account's one Watch later list, created on first use */
  kind: 'custom' | 'watch_later';
  title: string;
  description: string;
  visibility: Visibility;
  created_at: number;
  updated_at: number;
}

export interface PlaylistItemsTable {
  playlist_id: string;
  video_id: string;
  /** 0-based order in the playlist, dense */
  position: number;
  added_at: number;
}

export interface Database {
  playlists: PlaylistsTable;
  playlist_items: PlaylistItemsTable;
}

// ---- discovery (migration 0006) ----

/** One document per public, ready video (the search index; PostgreSQL adds tsvector columns, SQLite FTS5 tables). */
export interface SearchDocumentsTable {
  video_id: string;
  channel_id: string;
  title: string;
  /** tags joined with spaces */
  tags: string;
  channel_name: string;
  description: string;
  /** caption text of every track (lowest weight) */
  captions: string;
  duration_sec: number | null;
  published_at: number;
  indexed_at: number;
}

/** Searches that found something, normalized: the source of query suggestions. */
export interface SearchQueriesTable {
  query: string;
  count: number;
  last_at: number;
}

export interface Database {
  search_documents: SearchDocumentsTable;
  search_queries: SearchQueriesTable;
}

// ---- captions (migration 0007) ----

export interface CaptionsTable {
  video_id: string;
  /** BCP 47 tag; (video_id, lang) is the primary key */
  lang: string;
  label: string;
  /** the cues' plain text, for search (the WebVTT file itself is a blob next to the renditions) */
  text: string;
  cues: number;
  updated_at: number;
}

export interface Database {
  captions: CaptionsTable;
}

// ---- audit log (migration 0009): append-only ----

export interface AuditLogTable {
  /** time-ordered unique id: <at padded>-<random> */
  seq: string;
  at: number;
  actor_id: string | null;
  actor_handle: string | null;
  /** e.g. video.delete, video.visibility, account.erase */
  action: string;
  target_type: string;
  target_id: string;
  /** JSON */
  detail: string;
}

export interface Database {
  audit_log: AuditLogTable;
}

// ---- moderation (migration 0010) ----

export interface VideoFlagsTable {
  video_id: string;
  user_id: string;
  reason: string;
  note: string;
  created_at: number;
  resolved_at: number | null;
}

export interface Database {
  video_flags: VideoFlagsTable;
}
