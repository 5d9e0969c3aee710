/**
 * Signed playback tokens. Pure (node:crypto only, no I/O).
 *
 * A token grants playback of one video until an expiry time:
 *
 *     token = <exp>.<viewer>.<sig>
 *     sig   = base64url(HMAC-SHA256(secret, "reel-playback-v1\n" + videoId + "\n" + exp + "\n" + viewer))
 *
 * `exp` is a Unix time in seconds (decimal), `viewer` the viewer's account id or empty (anonymous link
 * viewers of unlisted videos). The video id is not in the token: it is in the URL (/media/<videoId>/t/<token>/…)
 * and in the signature, so a token for one video is refused for every other. Every character is URL-path safe,
 * so the token sits in the path and relative URIs in playlists inherit it. An edge or CDN holding the same
 * secret verifies it with the same three lines (see `reel edge-config` / README).
 *
 * Secrets: the first one signs, all verify (rotation: prepend a new secret, drop the old one a TTL later).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface PlaybackGrant {
  videoId: string;
  /** Unix seconds */
  expiresAt: number;
  viewer: string | null;
}

export type TokenCheck = { ok: true; grant: PlaybackGrant } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

const TOKEN = /^(\d{1,12})\.([A-Za-z0-9-]{0,64})\.([A-Za-z0-9_-]{43})$/;
const VIEWER = /^[A-Za-z0-9-]{0,64}$/;

export function tokenSignature(secret: string, videoId: string, expiresAt: number, viewer: string): string {
  return createHmac('sha256', secret).update(`reel-playback-v1\n${videoId}\n${expiresAt}\n${viewer}`).digest('base64url');
}

export function signPlaybackToken(secrets: readonly string[], grant: PlaybackGrant): string {
  if (secrets.length === 0 || !secrets[0]) throw new Error('no playback secret');
  if (!Number.isInteger(grant.expiresAt) || grant.expiresAt < 0) throw new Error('expiresAt must be whole seconds');
  const viewer = grant.viewer ?? '';
  if (!VIEWER.test(viewer)) throw new Error('viewer id is not token-safe');
  return `${grant.expiresAt}.${viewer}.${tokenSignature(secrets[0], grant.videoId, grant.expiresAt, viewer)}`;
}

/** Checks the signature (constant time, against every secret) before the expiry, so expiry never leaks for forgeries. */
export function verifyPlaybackToken(secrets: readonly string[], videoId: string, token: string, nowSec: number): TokenCheck {
  const m = TOKEN.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const expiresAt = Number(m[1]);
  const viewer = m[2];
  const given = Buffer.from(m[3], 'base64url');
  let valid = false;
  for (const secret of secrets) {
    const expected = Buffer.from(tokenSignature(secret, videoId, expiresAt, viewer), 'base64url');
    // no early exit: every secret is compared
    if (expected.length === given.length && timingSafeEqual(expected, given)) valid = true;
  }
  if (!valid) return { ok: false, reason: 'bad_signature' };
  if (expiresAt <= nowSec) return { ok: false, reason: 'expired' };
  return { ok: true, grant: { videoId, expiresAt, viewer: viewer || null } };
}

/** Splits `/media/<id>/` paths: "t/<token>/<file>" → token + file; anything else → file only. */
export function splitTokenPath(rest: string): { token: string | null; file: string } {
  if (!rest.startsWith('t/')) return { token: null, file: rest };
  const slash = rest.indexOf('/', 2);
  if (slash < 0) return { token: rest.slice(2), file: '' };
  return { token: rest.slice(2, slash), file: rest.slice(slash + 1) };
}

export const mediaBase = (videoId: string, token: string | null) => (token ? `/media/${videoId}/t/${token}/` : `/media/${videoId}/`);
