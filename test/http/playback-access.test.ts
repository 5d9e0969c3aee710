/**
 * Playback authorization at the origin (app.inject, a real transcode of a 5 s film): public files need no
 * token; unlisted and private files need a signed token in the path for every resource type, and a missing,
 * forged, expired or other-video token is refused. Also: descriptors, relative URIs through the token path,
 * cache headers, ranges and HEAD, the DASH manifest, and the generated secret kept under DATA_DIR.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, dbKinds, MEDIA_DIR, registerUser, startTestPlatform, waitForVideo, type TestPlatform } from '../support/platform.js';
import { parseMasterPlaylist, parseMediaPlaylist } from '../../src/core/hls.js';
import { signPlaybackToken } from '../../src/core/playback-token.js';
import { decryptSegment } from '../../src/core/hls-encryption.js';
import { loadPlaybackSecrets } from '../../src/streaming/playback-secret.js';

const SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const b64 = (s: string) => Buffer.from(s).toString('base64');

for (const db of dbKinds()) {
  describe(`playback authorization on ${db}`, () => {
    let tp: TestPlatform;
    let owner: { token: string; cookie: string };
    let stranger: { token: string };
    let id: string;
    /** every kind of file a video has, relative to its base */
    let files: Array<{ file: string; type: RegExp }>;
    const app = () => tp.platform.app;
    const setVisibility = async (visibility: string) =>
      expect((await app().inject({ method: 'PATCH', url: `/api/videos/${id}`, headers: bearer(owner.token), payload: { visibility } })).statusCode).toBe(200);
    const descriptor = (headers: Record<string, string> = {}) => app().inject({ url: `/api/videos/${id}/playback`, headers });

    beforeAll(async () => {
      tp = await startTestPlatform({ db, worker: true, env: { PLAYBACK_SECRET: SECRET } });
      owner = await registerUser(app());
      stranger = await registerUser(app());
      const created = await app().inject({ method: 'POST', url: '/api/videos', headers: bearer(owner.token), payload: { title: 'protected', visibility: 'public' } });
      id = created.json().video.id;
      const bytes = readFileSync(`${MEDIA_DIR}video_short.mp4`);
      const up = await app().inject({
        method: 'POST',
        url: '/api/uploads',
        headers: { ...bearer(owner.token), 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length), 'upload-metadata': `videoId ${b64(id)},filename ${b64('short.mp4')}`, 'content-type': 'application/offset+octet-stream' },
        payload: bytes,
      });
      expect(up.statusCode).toBe(201);
      const v = await waitForVideo(app(), id, owner.token);
      expect(v.status).toBe('ready');
      // one of each resource type, found by following the public manifests
      const media = parseMediaPlaylist((await app().inject({ url: `/media/${id}/${v.renditions[0].playlist}` })).body);
      const audio = parseMediaPlaylist((await app().inject({ url: `/media/${id}/audio/index.m3u8` })).body);
      const rung = v.renditions[0].name;
      files = [
        { file: 'master.m3u8', type: /mpegurl/ },
        { file: 'manifest.mpd', type: /^application\/dash\+xml/ },
        { file: `${rung}/index.m3u8`, type: /mpegurl/ },
        { file: `${rung}/${media.initUri}`, type: /^video\/mp4/ },
        { file: `${rung}/${media.segments[0].uri}`, type: /^video\/iso\.segment/ },
        { file: 'audio/index.m3u8', type: /mpegurl/ },
        { file: `audio/${audio.initUri}`, type: /^video\/mp4/ },
        { file: `audio/${audio.segments[0].uri}`, type: /^video\/iso\.segment/ },
        { file: 'thumbnail.jpg', type: /^image\/jpeg/ },
        { file: 'storyboard.vtt', type: /^text\/vtt/ },
        { file: 'storyboard.jpg', type: /^image\/jpeg/ },
      ];
    }, 120_000);
    afterAll(async () => tp?.close());

    it('public: every file without a token, segments immutable, manifests short-lived; the descriptor has no token', async () => {
      await setVisibility('public');
      const d = (await descriptor()).json();
      expect(d).toMatchObject({ videoId: id, visibility: 'public', token: null, expiresAt: null, baseUrl: `/media/${id}/`, playable: true, status: 'ready' });
      expect(d.hls).toEqual({ h264: `/media/${id}/master.m3u8` });
      expect(d.dash).toEqual({ h264: `/media/${id}/manifest.mpd` });
      expect(d.thumbnailUrl).toBe(`/media/${id}/thumbnail.jpg`);
      expect(d.storyboard).toEqual({ vtt: `/media/${id}/storyboard.vtt`, sprite: `/media/${id}/storyboard.jpg` });
      expect(d.qualities.map((q: any) => q.height)).toEqual(expect.arrayContaining([144, 720]));
      for (const f of files) {
        const r = await app().inject({ url: `/media/${id}/${f.file}` });
        expect(r.statusCode, f.file).toBe(200);
        expect(r.headers['content-type'], f.file).toMatch(f.type);
        expect(r.headers['access-control-allow-origin']).toBe('*');
        const manifest = /\.(m3u8|mpd)$/.test(f.file);
        expect(r.headers['cache-control'], f.file).toBe(manifest ? 'public, max-age=60' : 'public, max-age=31536000, immutable');
      }
    });

    for (const visibility of ['unlisted', 'private'] as const) {
      it(`${visibility}: every resource needs a token; missing → 404, forged / expired / other-video → 403`, async () => {
        await setVisibility(visibility);
        const now = Math.floor(Date.now() / 1000);
        const other = (await app().inject({ method: 'POST', url: '/api/videos', headers: bearer(owner.token), payload: { title: 'other' } })).json().video.id;
        const good = (visibility === 'unlisted' ? await descriptor() : await descriptor(bearer(owner.token))).json();
        expect(good.token).toMatch(/^\d+\.[A-Za-z0-9-]*\.[A-Za-z0-9_-]{43}$/);
        expect(good.baseUrl).toBe(`/media/${id}/t/${good.token}/`);
        expect(good.hls.h264).toBe(`${good.baseUrl}master.m3u8`);
        expect(good.dash.h264).toBe(`${good.baseUrl}manifest.mpd`);
        expect(Date.parse(good.expiresAt)).toBeGreaterThan(Date.now());
        const sig = good.token.split('.')[2];
        const bad: Array<[string, string, number, string]> = [
          ['forged signature', good.token.replace(sig, (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1)), 403, 'token_invalid'],
          ['signed with another secret', signPlaybackToken(['another-secret-of-sufficient-length-000000'], { videoId: id, expiresAt: now + 600, viewer: null }), 403, 'token_invalid'],
          ['expiry edited', good.token.replace(/^\d+/, String(now + 99_999)), 403, 'token_invalid'],
          ['expired', signPlaybackToken([SECRET], { videoId: id, expiresAt: now - 1, viewer: null }), 403, 'token_expired'],
          ['for another video', signPlaybackToken([SECRET], { videoId: other, expiresAt: now + 600, viewer: null }), 403, 'token_invalid'],
          ['garbage', 'nonsense', 403, 'token_invalid'],
        ];
        for (const f of files) {
          const ok = await app().inject({ url: `${good.baseUrl}${f.file}` });
          expect(ok.statusCode, `${visibility} ${f.file} with its token`).toBe(200);
          expect(ok.headers['content-type'], f.file).toMatch(f.type);
          expect(ok.headers['cache-control'], f.file).toMatch(/^private, /);
          // no token: as if it did not exist, for anonymous viewers and other accounts alike
          for (const headers of [{}, bearer(stranger.token)]) {
            const r = await app().inject({ url: `/media/${id}/${f.file}`, headers });
            expect(r.statusCode, `${visibility} ${f.file} without a token`).toBe(404);
          }
          for (const [what, token, status, code] of bad) {
            const r = await app().inject({ url: `/media/${id}/t/${token}/${f.file}` });
            expect(r.statusCode, `${visibility} ${f.file}: ${what}`).toBe(status);
            expect(r.json().error.code, `${visibility} ${f.file}: ${what}`).toBe(code);
          }
        }
        // the owner's own session opens the files without a token (studio previews)
        expect((await app().inject({ url: `/media/${id}/master.m3u8`, headers: { cookie: owner.cookie } })).statusCode).toBe(200);
      });
    }

    it('private: only the owner gets a descriptor; unlisted: anyone with the link', async () => {
      await setVisibility('private');
      expect((await descriptor()).statusCode).toBe(404);
      expect((await descriptor(bearer(stranger.token))).statusCode).toBe(404);
      const mine = (await descriptor({ cookie: owner.cookie })).json();
      expect(mine.token.split('.')[1]).not.toBe(''); // bound to the viewer's account
      await setVisibility('unlisted');
      const anon = (await descriptor()).json();
      expect(anon.token.split('.')[1]).toBe('');
      expect(anon.visibility).toBe('unlisted');
      expect((await descriptor(bearer(stranger.token))).statusCode).toBe(200);
    });

    it('relative URIs in the manifests stay under the token; ranges and HEAD work through it', async () => {
      await setVisibility('unlisted');
      const d = (await descriptor()).json();
      const origin = 'http://origin.test';
      const masterUrl = new URL(d.hls.h264, origin);
      const master = parseMasterPlaylist((await app().inject({ url: masterUrl.pathname })).body);
      expect(master.variants.length).toBeGreaterThan(1);
      for (const uri of [...master.variants.map((v) => v.uri), ...master.audio.map((a) => a.uri)]) {
        const plUrl = new URL(uri, masterUrl);
        expect(plUrl.pathname.startsWith(d.baseUrl)).toBe(true);
        const pl = parseMediaPlaylist((await app().inject({ url: plUrl.pathname })).body);
        for (const u of [pl.initUri!, pl.segments[0].uri, pl.segments.at(-1)!.uri]) {
          const segUrl = new URL(u, plUrl);
          expect(segUrl.pathname.startsWith(d.baseUrl)).toBe(true);
          expect((await app().inject({ url: segUrl.pathname })).statusCode, segUrl.pathname).toBe(200);
        }
      }
      // the MPD's SegmentURLs too
      const mpdUrl = new URL(d.dash.h264, origin);
      const mpd = (await app().inject({ url: mpdUrl.pathname })).body;
      const mediaUrls = [...mpd.matchAll(/(?:media|sourceURL)="([^"]+)"/g)].map((m) => m[1]);
      expect(mediaUrls.length).toBeGreaterThan(4);
      for (const u of [mediaUrls[0], mediaUrls[1], mediaUrls.at(-1)!]) expect((await app().inject({ url: new URL(u, mpdUrl).pathname })).statusCode, u).toBe(200);

      const seg = `${d.baseUrl}${files[4].file}`;
      const head = await app().inject({ method: 'HEAD', url: seg });
      expect(head.statusCode).toBe(200);
      const size = Number(head.headers['content-length']);
      expect(size).toBeGreaterThan(8);
      const part = await app().inject({ url: seg, headers: { range: 'bytes=0-7' } });
      expect(part.statusCode).toBe(206);
      expect(part.headers['content-range']).toBe(`bytes 0-7/${size}`);
      expect(part.rawPayload.subarray(4, 8).toString()).toMatch(/^(styp|moof|sidx)$/);
    });

    it('the DASH manifest lists every rung and the audio over the same segments as HLS', async () => {
      await setVisibility('public');
      const v = (await app().inject({ url: `/api/videos/${id}` })).json();
      const mpd = await app().inject({ url: `/media/${id}/manifest.mpd` });
      expect(mpd.headers['content-type']).toMatch(/^application\/dash\+xml/);
      for (const r of v.renditions) {
        expect(mpd.body).toContain(`<Representation id="${r.name}" codecs="${r.codecs}"`);
        const hls = parseMediaPlaylist((await app().inject({ url: `/media/${id}/${r.playlist}` })).body);
        for (const s of hls.segments) expect(mpd.body).toContain(`<SegmentURL media="${r.name}/${s.uri}"/>`);
      }
      expect(mpd.body).toContain('<Representation id="audio" codecs="mp4a.40.2"');
    });

    it('unknown ids and paths are 404 with or without a token', async () => {
      const t = signPlaybackToken([SECRET], { videoId: id, expiresAt: Math.floor(Date.now() / 1000) + 600, viewer: null });
      expect((await app().inject({ url: `/media/${id}/t/${t}/nothing.m4s` })).statusCode).toBe(404);
      expect((await app().inject({ url: `/media/${id}/t/${t}/../../x` })).statusCode).toBe(404);
      expect((await app().inject({ url: `/media/${id}/t/${t}/` })).statusCode).toBe(404);
      const ghost = randomUUID();
      const tg = signPlaybackToken([SECRET], { videoId: ghost, expiresAt: Math.floor(Date.now() / 1000) + 600, viewer: null });
      expect((await app().inject({ url: `/media/${ghost}/t/${tg}/master.m3u8` })).statusCode).toBe(404);
      expect((await app().inject({ url: `/api/videos/${ghost}/playback` })).statusCode).toBe(404);
    });
  });

  describe(`AES-128 encrypted playback on ${db}`, () => {
    let tp: TestPlatform;
    let owner: { token: string; cookie: string };
    let id: string;
    const app = () => tp.platform.app;

    beforeAll(async () => {
      tp = await startTestPlatform({ db, worker: true, env: { PLAYBACK_SECRET: SECRET } });
      owner = await registerUser(app());
      id = (await app().inject({ method: 'POST', url: '/api/videos', headers: bearer(owner.token), payload: { title: 'secret', visibility: 'unlisted' } })).json().video.id;
      expect((await app().inject({ method: 'PUT', url: `/api/videos/${id}/encryption` })).statusCode).toBe(401);
      const on = await app().inject({ method: 'PUT', url: `/api/videos/${id}/encryption`, headers: bearer(owner.token) });
      expect(on.json()).toEqual({ encrypted: true, method: 'aes-128' });
      const bytes = readFileSync(`${MEDIA_DIR}video_short.mp4`);
      const up = await app().inject({
        method: 'POST',
        url: '/api/uploads',
        headers: { ...bearer(owner.token), 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length), 'upload-metadata': `videoId ${b64(id)}`, 'content-type': 'application/offset+octet-stream' },
        payload: bytes,
      });
      expect(up.statusCode).toBe(201);
      expect((await waitForVideo(app(), id, owner.token)).status).toBe('ready');
    }, 120_000);
    afterAll(async () => tp?.close());

    it('stores ciphertext segments, clear init segments, and no key in the blob store; playlists carry EXT-X-KEY', async () => {
      const d = (await app().inject({ url: `/api/videos/${id}/playback` })).json();
      expect(d).toMatchObject({ encrypted: true, dash: {} });
      const keys = await tp.platform.blobs.list(`videos/${id}/`);
      expect(keys.some((k) => /key/i.test(k.slice(`videos/${id}/`.length)))).toBe(false);
      const key = (await app().inject({ url: `${d.baseUrl}key.bin` })).rawPayload;
      const master = parseMasterPlaylist((await app().inject({ url: d.hls.h264 })).body);
      for (const uri of [master.variants[0].uri, master.audio[0].uri]) {
        const dir = uri.split('/')[0];
        const text = (await app().inject({ url: `${d.baseUrl}${uri}` })).body;
        const pl = parseMediaPlaylist(text);
        // the map is clear, before the first key; every segment has its key line with an explicit IV
        expect(text.indexOf('#EXT-X-MAP')).toBeLessThan(text.indexOf('#EXT-X-KEY'));
        expect(text.match(/^#EXT-X-KEY:METHOD=AES-128,URI="\.\.\/key\.bin",IV=0x[0-9a-f]{32}$/gm)).toHaveLength(pl.segments.length);
        const init = (await app().inject({ url: `${d.baseUrl}${dir}/${pl.initUri}` })).rawPayload;
        expect(init.subarray(4, 8).toString()).toBe('ftyp');
        for (const s of pl.segments) {
          const parts: Buffer[] = [];
          for await (const c of await tp.platform.blobs.get(`videos/${id}/${dir}/${s.uri}`)) parts.push(c as Buffer);
          const stored = Buffer.concat(parts);
          expect(stored.length % 16, s.uri).toBe(0);
          expect(['moof', 'styp', 'sidx'], s.uri).not.toContain(stored.subarray(4, 8).toString());
          // and the key + the playlist's IV turn it back into a fragment
          const iv = Buffer.from(new RegExp(`IV=0x([0-9a-f]{32})\\n#EXTINF:[\\d.]+,\\n${s.uri.replace('.', '\\.')}`).exec(text)![1], 'hex');
          const clear = decryptSegment(key, iv, stored);
          expect(['moof', 'styp'], s.uri).toContain(clear.subarray(4, 8).toString());
        }
      }
      // encryption cannot be turned on once media exists
      expect((await app().inject({ method: 'PUT', url: `/api/videos/${id}/encryption`, headers: bearer(owner.token) })).statusCode).toBe(200); // already on: idempotent
      const other = (await app().inject({ method: 'POST', url: '/api/videos', headers: bearer(owner.token), payload: { title: 'x' } })).json().video.id;
      await tp.platform.videos.markProcessing(other, `sources/${other}`);
      expect((await app().inject({ method: 'PUT', url: `/api/videos/${other}/encryption`, headers: bearer(owner.token) })).statusCode).toBe(409);
    });

    it('serves the key only with a valid token (or to the owner): missing 404, forged / expired / other-video 403', async () => {
      const d = (await app().inject({ url: `/api/videos/${id}/playback` })).json();
      const now = Math.floor(Date.now() / 1000);
      const ok = await app().inject({ url: `${d.baseUrl}key.bin` });
      expect(ok.statusCode).toBe(200);
      expect(ok.rawPayload).toHaveLength(16);
      expect(ok.headers['cache-control']).toBe('private, no-store');
      expect((await app().inject({ url: `/media/${id}/key.bin`, headers: { cookie: owner.cookie } })).rawPayload).toEqual(ok.rawPayload);
      expect((await app().inject({ url: `/media/${id}/key.bin` })).statusCode).toBe(404);
      const sig = d.token.split('.')[2];
      for (const [token, code] of [
        [d.token.replace(sig, (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1)), 'token_invalid'],
        [signPlaybackToken([SECRET], { videoId: id, expiresAt: now - 5, viewer: null }), 'token_expired'],
        [signPlaybackToken([SECRET], { videoId: randomUUID(), expiresAt: now + 600, viewer: null }), 'token_invalid'],
      ]) {
        const r = await app().inject({ url: `/media/${id}/t/${token}/key.bin` });
        expect(r.statusCode).toBe(403);
        expect(r.json().error.code).toBe(code);
      }
    });
  });
}

describe('playback secret', () => {
  it('uses PLAYBACK_SECRET when set, else generates one under DATA_DIR once and keeps it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reel-secret-'));
    try {
      expect(await loadPlaybackSecrets(['s1', 's2'], join(dir, 'playback-secret'))).toEqual(['s1', 's2']);
      const file = join(dir, 'sub', 'playback-secret');
      const [first] = await loadPlaybackSecrets(null, file);
      expect(first.length).toBeGreaterThanOrEqual(43);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(await loadPlaybackSecrets(null, file)).toEqual([first]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
