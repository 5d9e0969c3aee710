// The admin console's API (src/admin/admin-routes.ts, src/moderation/moderation-routes.ts) as the page uses it.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../lib/api';

export interface Page<T> { items: T[]; next: string | null }

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
export type VideoState = 'uploading' | 'processing' | 'ready' | 'failed' | 'removed';
export const VIDEO_STATES: VideoState[] = ['uploading', 'processing', 'ready', 'failed', 'removed'];
export interface AdminVideo {
  id: string;
  title: string;
  status: VideoState;
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
  video: { id: string; title: string; status: string; channelHandle: string };
  key: string;
  kind: string;
  state: string;
  priority: number;
  attempts: number;
  maxAttempts: number;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}
export interface QueueSummary {
  byState: Record<string, number>;
  byPriority: Array<{ priority: number; state: string; count: number }>;
  videos: Record<string, number>;
}
export interface Flagged {
  video: { id: string; title: string; status: string; channelHandle: string };
  flags: number;
  reasons: Record<string, number>;
  notes: string[];
  lastFlaggedAt: string;
}
export interface Appeal { video: { id: string; title: string; channelHandle: string }; reason: string; appeal: string }
export interface Settings {
  maxUploadBytes: number;
  uploadQuotaDailyBytes: number;
  uploadQuotaTotalBytes: number;
  uploadsPerHour: number;
  commentsPerMinute: number;
  loginAttemptsPerMinute: number;
  ladderMaxRung: string;
}
export interface SettingsView { settings: Settings; defaults: Settings; overridden: Array<keyof Settings>; updatedAt: string | null; updatedBy: string | null }
export const RUNGS = ['144p', '240p', '360p', '480p', '720p', '1080p', '1440p', '2160p'];

/** A query string from the defined, non-empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

/** A cursor-paginated listing: the first page when `url` changes, more with loadMore(), reload() from the start. */
export function usePaged<T>(url: string) {
  const [items, setItems] = useState<T[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const seq = useRef(0);
  const load = useCallback(async (cursor: string | null) => {
    const mine = ++seq.current;
    setLoading(true);
    setError(null);
    try {
      const sep = url.includes('?') ? '&' : '?';
      const page = await api<Page<T>>(cursor ? `${url}${sep}cursor=${encodeURIComponent(cursor)}` : url);
      if (mine !== seq.current) return;
      setItems((prev) => (cursor ? [...prev, ...page.items] : page.items));
      setNext(page.next);
    } catch (err) {
      if (mine === seq.current) setError((err as Error).message);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, [url]);
  useEffect(() => { void load(null); }, [load]);
  return { items, next, loading, error, loadMore: () => next && load(next), reload: () => load(null), setItems };
}
