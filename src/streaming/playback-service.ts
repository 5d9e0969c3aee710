/**
 * Playback authorization and descriptors.
 *
 * - Public videos: every file under /media/<id>/ is served to anyone; segments are immutable.
 * - Unlisted and private videos: every file (playlists, MPDs, init and media segments, thumbnail, storyboard,
 *   keys) needs a signed token in the path, /media/<id>/t/<token>/<file>, which only the playback descriptor
 *   hands out (to whoever may view the video: anyone with the link for unlisted, the owner for private).
 *   The owner's own session (cookie or bearer) also opens their files at the origin, without a token.
 * - A token that is malformed, forged, for another video or expired: 403 (`token_invalid` / `token_expired`).
 *   No token where one is needed: 404, exactly like a video that does not exist, so ids cannot be probed.
 */
import type { CurrentUser } from '../accounts/accounts-service.js';
import { isPlayable, videoPrefix, type VideosService } from '../catalog/videos-service.js';
import { mediaBase, signPlaybackToken, verifyPlaybackToken } from '../core/playback-token.js';
import type { BlobStore } from '../ports/blob-store.js';
import { AppError } from '../core/errors.js';
import type { SegmentCipher } from './segment-cipher.js';
import { kidUuid, LICENSE_FILE } from '../core/cenc.js';

/** A W3C ClearKey license answer (EME §9.1.4): JSON Web Keys of the requested key ids. */
export interface ClearKeyLicense {
  keys: Array<{ kty: 'oct'; k: string; kid: string }>;
  type: 'temporary';
}

export type MediaAccess =
  | { ok: true; visibility: string; status: string; tokened: boolean }
  | { ok: false; status: 403 | 404; code: string; message: string };

export interface PlaybackDescriptor {
  videoId: string;
  status: string;
  playable: boolean;
  visibility: string;
  durationSec: number | null;
  /** AES-128 HLS encryption: the players fetch the key (under baseUrl) with the same token */
  encrypted: boolean;
  /** an encrypted video's DASH manifest is ClearKey CENC: the license URL (same token) and the key id */
  clearKey: { licenseUrl: string; defaultKid: string } | null;
  /** the signed token in every URL below (null for public videos) */
  token: string | null;
  expiresAt: string | null;
  /** every file of the video is under this path; relative URIs in its manifests stay under it */
  baseUrl: string;
  hls: Partial<Record<'h264' | 'vp9' | 'av1', string>>;
  dash: Partial<Record<'h264' | 'vp9' | 'av1', string>>;
  thumbnailUrl: string | null;
  storyboard: { vtt: string; sprite: string } | null;
  captions: Array<{ lang: string; label: string; url: string }>;
  qualities: Array<{ name: string; codec: string; width: number; height: number; fps: number; bandwidth: number; codecs: string }>;
  resumePositionSec: number | null;
}

const CODECS = ['h264', 'vp9', 'av1'] as const;
const masterFile = (c: string) => (c === 'h264' ? 'master.m3u8' : `master-${c}.m3u8`);
const mpdFile = (c: string) => (c === 'h264' ? 'manifest.mpd' : `manifest-${c}.mpd`);

export interface PlaybackOptions {
  secrets: string[];
  /** seconds a token lasts beyond the video's duration */
  ttlSec: number;
  /** the viewer's resume position, when known */
  resumePosition?: (userId: string, videoId: string) => Promise<number | null>;
  cipher?: SegmentCipher;
  /** the video's caption tracks (file paths under its media base) */
  captions?: (videoId: string) => Promise<Array<{ lang: string; label: string; file: string }>>;
  now?: () => number;
}

export class PlaybackService {
  private readonly now: () => number;
  constructor(
    private readonly videos: VideosService,
    private readonly blobs: BlobStore,
    private readonly opts: PlaybackOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** The token check alone (no database): what an edge needs. Returns the seconds it stays valid. */
  checkToken(id: string, token: string): { ok: true; validForSec: number } | { ok: false; status: 403; code: string; message: string } {
    const nowSec = Math.floor(this.now() / 1000);
    const check = verifyPlaybackToken(this.opts.secrets, id, token, nowSec);
    if (check.ok) return { ok: true, validForSec: check.grant.expiresAt - nowSec };
    return check.reason === 'expired'
      ? { ok: false, status: 403, code: 'token_expired', message: 'This playback link has expired; ask for a new one' }
      : { ok: false, status: 403, code: 'token_invalid', message: 'This playback link is not valid for this video' };
  }

  /** May this request read files of video `id`? `token` is the one in the path, or null. */
  async authorize(id: string, token: string | null, user: CurrentUser | null): Promise<MediaAccess> {
    if (token !== null) {
      const check = this.checkToken(id, token);
      if (!check.ok) return check;
    }
    const row = await this.videos.row(id);
    const missing = { ok: false, status: 404, code: 'not_found', message: 'No such media file' } as const;
    if (!row || !isPlayable(row)) return missing;
    if (token === null && row.visibility !== 'public' && user?.id !== row.owner_id) return missing;
    return { ok: true, visibility: row.visibility, status: row.status, tokened: token !== null };
  }

  /** Turn AES-128 encryption on for a video of `owner` that is still waiting for its upload. */
  async enableEncryption(owner: CurrentUser, id: string): Promise<void> {
    if (!this.opts.cipher) throw new Error('encryption is not configured');
    const row = await this.videos.owned(owner, id);
    await this.opts.cipher.enable(id, row.status);
  }

  /** The AES-128 key of a video, for an already authorized request; null when the video is not encrypted. */
  async key(id: string): Promise<Buffer | null> {
    return (await this.opts.cipher?.key(id)) ?? null;
  }

  /**
   * The ClearKey license exchange for an already authorized request: `body` is the CDM's license request,
   * {"kids": [base64url key ids], "type": "temporary"}. Answers the video's CENC key for the key ids it knows;
   * null when the video is not encrypted; throws 400 for a malformed request and 404 when no key id is the video's.
   */
  async license(id: string, body: unknown): Promise<ClearKeyLicense | null> {
    const keys = (await this.opts.cipher?.cencKeys(id)) ?? null;
    if (!keys) return null;
    const req = typeof body === 'string' || Buffer.isBuffer(body) ? safeJson(String(body)) : body;
    const kids = (req as { kids?: unknown } | null)?.kids;
    if (!Array.isArray(kids) || kids.length === 0 || kids.length > 64 || !kids.every((k) => typeof k === 'string' && /^[A-Za-z0-9_-]{1,64}={0,2}$/.test(k))) {
      throw new AppError('bad_license_request', 'A ClearKey license request is {"kids": [base64url key ids], "type": "temporary"}', 400);
    }
    const mine = keys.kid.toString('base64url');
    if (!kids.some((k: string) => k.replace(/=+$/, '') === mine)) throw new AppError('key_not_found', 'No key of this video has that key id', 404);
    return { keys: [{ kty: 'oct', k: keys.key.toString('base64url'), kid: mine }], type: 'temporary' };
  }

  /** A token for `videoId`, valid for the configured TTL plus the video's length. */
  sign(videoId: string, viewer: string | null, durationSec: number | null): { token: string; expiresAt: number } {
    const expiresAt = Math.floor(this.now() / 1000) + this.opts.ttlSec + Math.ceil(durationSec ?? 0);
    return { token: signPlaybackToken(this.opts.secrets, { videoId, expiresAt, viewer }), expiresAt };
  }

  /** What a player needs to play `id` (404 when the viewer may not see it). */
  async descriptor(id: string, viewer: CurrentUser | null): Promise<PlaybackDescriptor> {
    const v = await this.videos.getVisible(id, viewer);
    const signed = v.visibility === 'public' ? null : this.sign(v.id, viewer?.id ?? null, v.durationSec);
    const base = mediaBase(v.id, signed?.token ?? null);
    const ready = v.status === 'ready';
    const hls: PlaybackDescriptor['hls'] = {};
    const dash: PlaybackDescriptor['dash'] = {};
    if (v.playable) {
      for (const c of CODECS) {
        if (!v.manifests[c]) continue;
        hls[c] = base + masterFile(c);
        if (ready && (await this.blobs.stat(videoPrefix(v.id) + mpdFile(c)))) dash[c] = base + mpdFile(c);
      }
    }
    const cenc = (await this.opts.cipher?.cencKeys(v.id)) ?? null;
    const hasStoryboard = ready && !!(await this.blobs.stat(videoPrefix(v.id) + 'storyboard.vtt'));
    return {
      videoId: v.id,
      status: v.status,
      playable: v.playable,
      visibility: v.visibility,
      durationSec: v.durationSec,
      encrypted: !!cenc,
      clearKey: cenc && dash.h264 ? { licenseUrl: base + LICENSE_FILE, defaultKid: kidUuid(cenc.kid) } : null,
      token: signed?.token ?? null,
      expiresAt: signed ? new Date(signed.expiresAt * 1000).toISOString() : null,
      baseUrl: base,
      hls,
      dash,
      // the thumbnail's own file name (a custom one lives under thumbs/ and changes name when replaced)
      thumbnailUrl: v.thumbnailUrl ? base + v.thumbnailUrl.slice(`/media/${v.id}/`.length) : null,
      storyboard: hasStoryboard ? { vtt: base + 'storyboard.vtt', sprite: base + 'storyboard.jpg' } : null,
      captions: ((await this.opts.captions?.(v.id)) ?? []).map((c) => ({ lang: c.lang, label: c.label, url: base + c.file })),
      qualities: v.renditions.map((r) => ({ name: r.name, codec: r.codec ?? 'h264', width: r.width, height: r.height, fps: r.fps, bandwidth: r.bandwidth, codecs: r.codecs })),
      resumePositionSec: viewer && this.opts.resumePosition ? await this.opts.resumePosition(viewer.id, v.id).catch(() => null) : null,
    };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
