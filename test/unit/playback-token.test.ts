/** Signed playback tokens: table-driven sign/verify, every way a token can be wrong, path splitting. */
import { describe, expect, it } from 'vitest';
import { mediaBase, signPlaybackToken, splitTokenPath, tokenSignature, verifyPlaybackToken } from '../../src/core/playback-token.js';

const SECRET = 'a'.repeat(43);
const OTHER = 'b'.repeat(43);
const VID = '6f1c1c8e-8f55-4c36-9d62-2f0b1a7c0e11';
const VID2 = '0b5f3d2a-1234-4d4d-8e8e-aaaaaaaaaaaa';
const NOW = 1_800_000_000;

describe('playback tokens', () => {
  const anon = signPlaybackToken([SECRET], { videoId: VID, expiresAt: NOW + 60, viewer: null });
  const bound = signPlaybackToken([SECRET], { videoId: VID, expiresAt: NOW + 60, viewer: 'user-1234' });

  it('has the documented shape: <exp>.<viewer>.<base64url HMAC-SHA256>, path safe', () => {
    expect(anon).toMatch(/^\d+\.\.[A-Za-z0-9_-]{43}$/);
    expect(bound.startsWith(`${NOW + 60}.user-1234.`)).toBe(true);
    expect(anon.split('.')[2]).toBe(tokenSignature(SECRET, VID, NOW + 60, ''));
    expect(encodeURIComponent(bound)).toBe(bound);
  });

  it.each([
    ['valid, anonymous', () => verifyPlaybackToken([SECRET], VID, anon, NOW), { ok: true, grant: { videoId: VID, expiresAt: NOW + 60, viewer: null } }],
    ['valid, bound to a viewer', () => verifyPlaybackToken([SECRET], VID, bound, NOW), { ok: true, grant: { videoId: VID, expiresAt: NOW + 60, viewer: 'user-1234' } }],
    ['verified by any configured secret (rotation)', () => verifyPlaybackToken([OTHER, SECRET], VID, anon, NOW), { ok: true }],
    ['another video', () => verifyPlaybackToken([SECRET], VID2, anon, NOW), { ok: false, reason: 'bad_signature' }],
    ['another secret', () => verifyPlaybackToken([OTHER], VID, anon, NOW), { ok: false, reason: 'bad_signature' }],
    ['expired (at the second)', () => verifyPlaybackToken([SECRET], VID, anon, NOW + 60), { ok: false, reason: 'expired' }],
    ['expiry pushed later by hand', () => verifyPlaybackToken([SECRET], VID, anon.replace(String(NOW + 60), String(NOW + 9999)), NOW), { ok: false, reason: 'bad_signature' }],
    ['viewer changed by hand', () => verifyPlaybackToken([SECRET], VID, bound.replace('user-1234', 'user-9999'), NOW), { ok: false, reason: 'bad_signature' }],
    ['signature flipped', () => verifyPlaybackToken([SECRET], VID, anon.slice(0, -1) + (anon.endsWith('A') ? 'B' : 'A'), NOW), { ok: false, reason: 'bad_signature' }],
    ['expired and forged says forged', () => verifyPlaybackToken([OTHER], VID, anon, NOW + 1000), { ok: false, reason: 'bad_signature' }],
    ['empty', () => verifyPlaybackToken([SECRET], VID, '', NOW), { ok: false, reason: 'malformed' }],
    ['garbage', () => verifyPlaybackToken([SECRET], VID, 'not-a-token', NOW), { ok: false, reason: 'malformed' }],
    ['truncated signature', () => verifyPlaybackToken([SECRET], VID, anon.slice(0, -2), NOW), { ok: false, reason: 'malformed' }],
  ])('%s', (_name, run, expected) => {
    expect(run()).toMatchObject(expected);
  });

  it('refuses to sign without a secret or with an unsafe viewer id', () => {
    expect(() => signPlaybackToken([], { videoId: VID, expiresAt: NOW, viewer: null })).toThrow();
    expect(() => signPlaybackToken([SECRET], { videoId: VID, expiresAt: NOW, viewer: 'a/b' })).toThrow();
    expect(() => signPlaybackToken([SECRET], { videoId: VID, expiresAt: 1.5, viewer: null })).toThrow();
  });

  it.each([
    ['master.m3u8', { token: null, file: 'master.m3u8' }],
    ['720p/c00000_000.m4s', { token: null, file: '720p/c00000_000.m4s' }],
    ['t/TOKEN/720p/index.m3u8', { token: 'TOKEN', file: '720p/index.m3u8' }],
    ['t/TOKEN/thumbnail.jpg', { token: 'TOKEN', file: 'thumbnail.jpg' }],
    ['t/TOKEN', { token: 'TOKEN', file: '' }],
    ['t//master.m3u8', { token: '', file: 'master.m3u8' }],
  ])('splits %s', (path, expected) => {
    expect(splitTokenPath(path)).toEqual(expected);
  });

  it('builds the base every relative URI resolves under', () => {
    expect(mediaBase(VID, null)).toBe(`/media/${VID}/`);
    expect(mediaBase(VID, anon)).toBe(`/media/${VID}/t/${anon}/`);
    expect(new URL('720p/init.mp4', `http://x${mediaBase(VID, anon)}master.m3u8`).pathname).toBe(`/media/${VID}/t/${anon}/720p/init.mp4`);
  });
});
