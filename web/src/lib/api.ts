// The HTTP API as the app uses it: JSON in and out, the session cookie, errors as ApiError.
export class ApiError extends Error {
  constructor(message: string, readonly status: number, readonly code?: string) {
    super(message);
  }
}

export async function api<T = any>(path: string, opts: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const res = await fetch(path, {
    method: opts.method ?? 'GET',
    credentials: 'same-origin',
    headers: opts.body !== undefined ? { 'content-type': 'application/json' } : {},
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
    signal: opts.signal,
  });
  const body = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(body?.error?.message ?? res.statusText, res.status, body?.error?.code);
  return body as T;
}

/** Send a file as the raw request body (e.g. a thumbnail image); JSON back, errors as ApiError. */
export async function sendFile<T = any>(path: string, file: Blob, method = 'PUT'): Promise<T> {
  const res = await fetch(path, { method, credentials: 'same-origin', headers: { 'content-type': file.type || 'application/octet-stream' }, body: file });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(body?.error?.message ?? res.statusText, res.status, body?.error?.code);
  return body as T;
}

/** The same, but null when the endpoint or resource does not exist (404/405) — for features still being built. */
export async function maybe<T = any>(path: string): Promise<T | null> {
  try {
    return await api<T>(path);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 405 || err.status === 501)) return null;
    throw err;
  }
}

export interface Channel { id: string; handle: string; name: string }
export interface ChannelInfo extends Channel { createdAt: string; subscriberCount: number; videoCount: number }
/** One video's processing as the studio's event stream reports it (GET /api/me/videos/events). */
export interface ProgressSnapshot {
  id: string;
  title: string;
  status: Video['status'];
  playable: boolean;
  progress: number;
  durationSec: number | null;
  rungs: Record<string, number>;
  tasks: { done: number; total: number; failed: number };
  error: { code: string; message: string } | null;
}
export interface Rendition { name: string; codec?: string; width: number; height: number; fps: number; codecs: string; bandwidth: number }
export type Visibility = 'public' | 'unlisted' | 'private';
export interface Video {
  id: string;
  title: string;
  description: string;
  tags: string[];
  visibility: Visibility;
  status: 'uploading' | 'processing' | 'ready' | 'failed';
  playable: boolean;
  error: { code: string; message: string } | null;
  progress: number;
  durationSec: number | null;
  width: number | null;
  height: number | null;
  channel: Channel;
  renditions: Rendition[];
  hlsUrl: string | null;
  storyboardUrl: string | null;
  thumbnailUrl: string | null;
  watchUrl: string;
  createdAt: string;
  publishedAt: string | null;
  viewCount: number;
}
export interface Me { id: string; email: string; channel: Channel }
export interface Playback {
  videoId: string;
  status: string;
  playable: boolean;
  durationSec: number | null;
  encrypted: boolean;
  hls: Partial<Record<'h264' | 'vp9' | 'av1', string>>;
  dash: Partial<Record<'h264' | 'vp9' | 'av1', string>>;
  thumbnailUrl: string | null;
  storyboard: { vtt: string; sprite: string } | null;
  captions: Array<{ lang: string; label: string; url: string }>;
  qualities: Array<{ name: string; codec: string; width: number; height: number; codecs: string }>;
  resumePositionSec: number | null;
}
export interface Stats { views: number; likes: number; dislikes: number; myRating: 'like' | 'dislike' | null; resumePositionSec?: number | null }
export interface Comment {
  id: string;
  videoId: string;
  parentId: string | null;
  author: { channelId: string; handle: string; name: string };
  byChannelOwner: boolean;
  body: string;
  state: 'pending' | 'approved' | 'removed';
  deleted: boolean;
  score: number;
  myVote: 'up' | 'down' | null;
  replyCount: number;
  createdAt: string;
  editedAt: string | null;
}
export interface PlaylistSummary { id: string; kind: 'custom' | 'watch_later'; title: string; description: string; visibility: Visibility; owner: { channelId: string; handle: string; name: string }; itemCount: number; updatedAt: string }
export interface Playlist extends PlaylistSummary { items: Array<{ position: number; video: Video; addedAt: string }> }
export interface Notification { id: string; kind: string; video: Video | null; createdAt: string; read: boolean }
