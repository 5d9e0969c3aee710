/**
 * View counting rules (pure): who a viewer is, when a playback counts as a view, the de-dup bucket,
 * the device class from a user agent and the country from an edge header.
 */
import { hash } from 'node:crypto';

export const HOUR_MS = 3600_000;
/** a playback counts once the viewer watched this long… */
export const MIN_WATCH_SEC = 10;
/** …or this share of a video shorter than MIN_WATCH_SEC / SHORT_VIDEO_SHARE */
export const SHORT_VIDEO_SHARE = 0.3;

/** Seconds of watching after which a playback counts as a view (10 s, or 30% of short videos). */
export function minWatchSeconds(durationSec: number | null | undefined): number {
  if (!durationSec || !Number.isFinite(durationSec) || durationSec <= 0) return MIN_WATCH_SEC;
  return Math.min(MIN_WATCH_SEC, Math.round(durationSec * SHORT_VIDEO_SHARE * 100) / 100);
}

/** The start of the clock hour holding `ms`: a viewer counts once per video per such hour. */
export function hourStart(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** The de-dup key of a view: one per (video, viewer, clock hour). */
export function dedupKey(videoId: string, viewerKey: string, hour: number): string {
  return `${videoId}|${viewerKey}|${hour}`;
}

export interface ViewerIdentity {
  /** signed-in account */
  userId?: string | null;
  /** anonymous id the player keeps (body field or cookie) */
  anonId?: string | null;
  ip: string;
  userAgent?: string;
}

// one-shot hash (no Hash object): this runs for every player report
const h = (s: string) => hash('sha256', s, 'base64url').slice(0, 22);

/**
 * Who is watching: the account when signed in; else the player's anonymous id together with the IP (so a
 * copied id from elsewhere is another viewer); else the IP and user agent. Anonymous keys are hashed:
 * the log never holds raw IPs.
 */
export function viewerKey(v: ViewerIdentity): string {
  if (v.userId) return `u:${v.userId}`;
  if (v.anonId) return `a:${h(`${v.anonId}|${v.ip}`)}`;
  return `i:${h(`${v.ip}|${v.userAgent ?? ''}`)}`;
}

export type DeviceClass = 'mobile' | 'tablet' | 'desktop' | 'tv' | 'bot' | 'other';

/** Device class from a User-Agent header (the common cases; anything unrecognised is "other"). */
export function deviceClass(userAgent: string | undefined | null): DeviceClass {
  const ua = (userAgent ?? '').toLowerCase();
  if (!ua) return 'other';
  if (/bot|crawl|spider|slurp|curl\/|wget|python-requests|headless/.test(ua)) return 'bot';
  if (/smart-?tv|hbbtv|appletv|apple tv|googletv|crkey|roku|aftb|aftm|bravia|web0s|webos|tizen.*tv|playstation|xbox/.test(ua)) return 'tv';
  if (/ipad|tablet|kindle|silk\/|playbook/.test(ua) || (/android/.test(ua) && !/mobile/.test(ua))) return 'tablet';
  if (/mobi|iphone|ipod|android|windows phone|blackberry|opera mini/.test(ua)) return 'mobile';
  if (/windows nt|macintosh|mac os x|x11|linux|cros/.test(ua)) return 'desktop';
  return 'other';
}

/** ISO 3166 alpha-2 country from the edge's header (CF-IPCountry, X-Country); "ZZ" when unknown. */
export function countryCode(header: string | string[] | undefined): string {
  const v = (Array.isArray(header) ? header[0] : header)?.trim().toUpperCase();
  if (!v || !/^[A-Z]{2}$/.test(v) || v === 'XX') return 'ZZ';
  return v;
}

/** Counter shards per video: concurrent flushes (several processes) spread their increments over these rows. */
export const VIEW_SHARDS = 16;

export function pickShard(random: () => number = Math.random): number {
  return Math.floor(random() * VIEW_SHARDS) % VIEW_SHARDS;
}
