// The admin console's API (src/admin/admin-routes.ts, src/moderation/moderation-routes.ts) as the page uses it.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../lib/api';

// the shapes the server returns, shared with it (types only: nothing of the server is bundled)
import type { Page } from '../../../src/admin/admin-types';
export type { AdminChannel, AdminTask, AdminUser, AdminVideo, Page, QueueSummary } from '../../../src/admin/admin-types';
export type { VideoStatus as VideoState } from '../../../src/core/states';
export { VIDEO_STATES } from '../../../src/core/states';
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
