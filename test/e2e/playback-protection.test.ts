/**
 * Playback of public, unlisted and private videos in real Chromium through the watch page, which asks the
 * playback descriptor for its URLs: HLS with hls.js for every visibility, DASH with dash.js (and its manual
 * quality) for a public and a private video. Protected videos are fetched through /media/<id>/t/<token>/ only; a
 * private video shows nothing to a stranger. No mocks, no timing assertions (timeouts are guards only).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { signPlaybackToken } from '../../src/core/playback-token.js';
import { decryptSegment, segmentIv } from '../../src/core/hls-encryption.js';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_DIR, registerUser, startTestPlatform, waitForVideo, type TestPlatform } from '../support/platform.js';
import { pauseAt } from './web-support.js';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'];
const b64 = (s: string) => Buffer.from(s).toString('base64');
const run = promisify(execFile);
const SECRET = 'playback-protection-test-secret-0123456789';

describe('protected playback in Chromium', () => {
  let tp: TestPlatform;
  let base: string;
  let owner: { token: string; cookie: string };
  let id: string;
  let browser: Browser;
  let encryptedId: string;

  /** Create a video (optionally AES-128 encrypted), upload the 5 s film into it and wait until it is ready. */
  async function upload(meta: Record<string, string>, encrypt: boolean): Promise<string> {
    const app = tp.platform.app;
    const auth = { authorization: `Bearer ${owner.token}` };
    const vid = (await app.inject({ method: 'POST', url: '/api/videos', headers: auth, payload: meta })).json().video.id;
    if (encrypt) expect((await app.inject({ method: 'PUT', url: `/api/videos/${vid}/encryption`, headers: auth })).statusCode).toBe(200);
    const bytes = readFileSync(`${MEDIA_DIR}video_short.mp4`);
    const up = await app.inject({
      method: 'POST',
      url: '/api/uploads',
      headers: { ...auth, 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length), 'upload-metadata': `videoId ${b64(vid)}`, 'content-type': 'application/offset+octet-stream' },
      payload: bytes,
    });
    expect(up.statusCode).toBe(201);
    expect((await waitForVideo(app, vid, owner.token)).status).toBe('ready');
    return vid;
  }

  beforeAll(async () => {
    tp = await startTestPlatform({ worker: true, env: { PLAYBACK_SECRET: SECRET } });
    await tp.platform.app.listen({ port: 0, host: '127.0.0.1' });
    const addr = tp.platform.app.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no address');
    base = `http://127.0.0.1:${addr.port}`;
    owner = await registerUser(tp.platform.app);
    id = await upload({ title: 'watch me' }, false);
    encryptedId = await upload({ title: 'sealed', visibility: 'unlisted' }, true);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await tp?.close();
  });

  const setVisibility = async (visibility: string) =>
    expect((await tp.platform.app.inject({ method: 'PATCH', url: `/api/videos/${id}`, headers: { authorization: `Bearer ${owner.token}` }, payload: { visibility } })).statusCode).toBe(200);

  async function context(asOwner: boolean): Promise<BrowserContext> {
    const ctx = await browser.newContext();
    if (asOwner) {
      const [name, value] = owner.cookie.split('=');
      await ctx.addCookies([{ name, value, url: base }]);
    }
    return ctx;
  }

  /** Open the watch page and wait until the video plays past 1.5 s; return every /media/ URL it asked for. */
  async function watch(ctx: BrowserContext, query = '', video = id): Promise<{ page: Page; media: string[]; statuses: number[] }> {
    const page = await ctx.newPage();
    const media: string[] = [];
    const statuses: number[] = [];
    const notes: string[] = [];
    page.on('request', (r) => r.url().includes('/media/') && media.push(r.url()));
    page.on('response', (r) => r.url().includes('/media/') && statuses.push(r.status()));
    page.on('console', (m) => m.type() === 'error' && notes.push(m.text()));
    page.on('pageerror', (e) => notes.push(e.message));
    expect((await page.goto(`${base}/watch/${video}${query}`))?.status()).toBe(200);
    try {
      await page.waitForFunction(() => ((window as any).reelPlayer?.video?.currentTime ?? 0) > 1.5, undefined, { timeout: 30_000, polling: 100 });
    } catch (err) {
      const state = await page.evaluate(() => document.getElementById('state')?.textContent);
      throw new Error(`playback did not advance: ${(err as Error).message.split('\n')[0]}\nstate: ${state}\n${notes.join('\n')}\n${media.slice(-6).join('\n')}`);
    }
    expect(await page.evaluate(() => (window as any).reelPlayer.video.error)).toBeNull();
    return { page, media, statuses };
  }

  it('public: HLS and DASH play from plain URLs; a quality chosen on DASH plays', async () => {
    await setVisibility('public');
    const ctx = await context(false);
    try {
      const hls = await watch(ctx);
      expect(await hls.page.evaluate(() => !!(window as any).reelPlayer.hls)).toBe(true);
      expect(hls.media.some((u) => u.endsWith('.m4s'))).toBe(true);
      expect(hls.media.filter((u) => u.includes('/t/'))).toEqual([]);
      const dash = await watch(ctx, '?player=dash');
      expect(await dash.page.evaluate(() => !!(window as any).reelPlayer.dash)).toBe(true);
      expect(await dash.page.evaluate(() => (window as any).reelPlayer.video.currentSrc as string)).toMatch(/^blob:/);
      expect(dash.media.some((u) => u.endsWith('/manifest.mpd'))).toBe(true);
      expect(dash.media.some((u) => /\/\d+p\/c\d+_\d+\.m4s$/.test(u))).toBe(true);
      expect(dash.media.some((u) => /\/audio\/.+\.m4s$/.test(u))).toBe(true);
      expect(dash.media.some((u) => u.endsWith('.m3u8'))).toBe(false);
      // manual quality on dash.js: from the start, 144p while it plays (dash.js switches at the next segment), then
      // 360p while paused
      await dash.page.evaluate(() => { const v = (window as any).reelPlayer.video; v.currentTime = 0; return v.play(); });
      await dash.page.selectOption('#quality', { label: '144p' });
      await dash.page.waitForFunction(() => (window as any).reelPlayer.video.videoHeight === 144, undefined, { timeout: 20_000 });
      expect(await dash.page.evaluate(() => (window as any).reelPlayer.dash.getSettings().streaming.abr.autoSwitchBitrate.video)).toBe(false);
      await expect.poll(() => dash.page.locator('#current-level').textContent()).toBe('Playing 144p');
      // and while paused: the paused frame becomes the chosen rendition's
      await pauseAt(dash.page, 1);
      await dash.page.selectOption('#quality', { label: '360p' });
      await dash.page.waitForFunction(() => (window as any).reelPlayer.video.videoHeight === 360, undefined, { timeout: 20_000 });
      expect(await dash.page.evaluate(() => (window as any).reelPlayer.video.paused)).toBe(true);
    } finally {
      await ctx.close();
    }
  }, 90_000);

  it('unlisted: anyone with the link plays, every file through the signed token path', async () => {
    await setVisibility('unlisted');
    const ctx = await context(false);
    try {
      const { media, statuses } = await watch(ctx);
      expect(media.length).toBeGreaterThan(3);
      expect(media.filter((u) => !new URL(u).pathname.startsWith(`/media/${id}/t/`))).toEqual([]);
      expect(statuses.filter((s) => s >= 400)).toEqual([]);
    } finally {
      await ctx.close();
    }
  }, 60_000);

  it('private: the owner plays (HLS and DASH, signed); a stranger gets nothing', async () => {
    await setVisibility('private');
    const stranger = await context(false);
    try {
      const page = await stranger.newPage();
      const media: string[] = [];
      page.on('request', (r) => r.url().includes('/media/') && media.push(r.url()));
      await page.goto(`${base}/watch/${id}`);
      await page.waitForFunction(() => /private/.test(document.getElementById('state')?.textContent ?? ''), undefined, { timeout: 15_000 });
      expect(media).toEqual([]);
      // and the owner's signed URLs are the only way in: the plain ones are 404 for this stranger
      expect((await page.evaluate(async (u) => (await fetch(u)).status, `/media/${id}/master.m3u8`))).toBe(404);
    } finally {
      await stranger.close();
    }
    const mine = await context(true);
    try {
      const hls = await watch(mine);
      expect(hls.media.filter((u) => !new URL(u).pathname.startsWith(`/media/${id}/t/`))).toEqual([]);
      const dash = await watch(mine, '?player=dash');
      expect(dash.media.some((u) => u.endsWith('/manifest.mpd'))).toBe(true);
      expect(dash.media.filter((u) => !new URL(u).pathname.startsWith(`/media/${id}/t/`))).toEqual([]);
    } finally {
      await mine.close();
    }
  }, 90_000);

  it('AES-128: the starter, then hls.js, fetch the key through the signed path and decrypt the segments', async () => {
    const ctx = await context(false);
    try {
      const { page, media, statuses } = await watch(ctx, '', encryptedId);
      // the MSE starter decrypted the first segments itself (WebCrypto) for the first frame; hls.js then took the
      // MediaSource over and went on decrypting past them
      expect(await page.evaluate(() => performance.getEntriesByName('reel:starter buffered').length)).toBe(1);
      await page.waitForFunction(() => performance.getEntriesByName('reel:hls first fragment buffered').length > 0 && (window as any).reelPlayer.video.currentTime > 2.5, undefined, { timeout: 15_000, polling: 100 });
      expect(await page.evaluate(() => (window as any).reelPlayer.video.error)).toBeNull();
      const keyRequests = media.filter((u) => u.endsWith('/key.bin'));
      expect(keyRequests.length, media.join("\n")).toBeGreaterThan(0);
      expect(keyRequests.every((u) => new URL(u).pathname.startsWith(`/media/${encryptedId}/t/`))).toBe(true);
      expect(media.some((u) => u.endsWith('.m4s'))).toBe(true);
      expect(statuses.filter((s) => s >= 400)).toEqual([]);
      // the page (mounted after the first frame) shows no error
      await page.waitForSelector('#state', { state: 'attached', timeout: 15_000 });
      expect(await page.evaluate(() => document.getElementById('state')?.textContent)).toBe('');
    } finally {
      await ctx.close();
    }
  }, 60_000);
  it('ClearKey CENC: dash.js gets the key from the license endpoint through the signed path and plays', async () => {
    const ctx = await context(false);
    try {
      const { page: p2, media, statuses } = await watch(ctx, '?player=dash', encryptedId);
      expect(await p2.evaluate(() => !!(window as any).reelPlayer.dash)).toBe(true);
      // the protected MPD, CENC copies of video and audio, one license exchange, never the HLS key
      expect(media.some((u) => u.endsWith('/manifest.mpd'))).toBe(true);
      expect(media.some((u) => /\/\d+p\/cenc\/c\d+_\d+\.m4s$/.test(u)), media.join('\n')).toBe(true);
      expect(media.some((u) => /\/audio\/cenc\/.+\.m4s$/.test(u))).toBe(true);
      expect(media.filter((u) => u.endsWith('.m4s') && !u.includes('/cenc/'))).toEqual([]);
      expect(media.some((u) => u.endsWith('/key.bin'))).toBe(false);
      const lic = media.filter((u) => u.endsWith('/license'));
      expect(lic.length).toBeGreaterThan(0);
      expect(lic.every((u) => new URL(u).pathname.startsWith(`/media/${encryptedId}/t/`))).toBe(true);
      expect(statuses.filter((s) => s >= 400)).toEqual([]);
      // the browser decrypted through EME ClearKey (MediaKeys attached to the element)
      expect(await p2.evaluate(() => (window as any).reelPlayer.video.mediaKeys !== null)).toBe(true);
      const t1 = await p2.evaluate(() => (window as any).reelPlayer.video.currentTime as number);
      await p2.waitForFunction((t) => (window as any).reelPlayer.video.currentTime > t + 0.5, t1, { timeout: 15_000, polling: 100 });
      expect(await p2.evaluate(() => (window as any).reelPlayer.video.error)).toBeNull();
      await p2.waitForSelector('#state', { state: 'attached', timeout: 15_000 });
      expect(await p2.evaluate(() => document.getElementById('state')?.textContent)).toBe('');
    } finally {
      await ctx.close();
    }
  }, 90_000);

  describe('ClearKey license endpoint and the CENC files', () => {
    const app = () => tp.platform.app;
    const kidOf = (d: any) => Buffer.from(d.clearKey.defaultKid.replace(/-/g, ''), 'hex').toString('base64url');
    const ask = (url: string, payload: unknown, headers: Record<string, string> = {}) => app().inject({ method: 'POST', url, payload: payload as any, headers });

    /** A CENC segment of the MPD decodes with the license key to the frames of its HLS twin, and not without it. */
    async function decodesOnlyWithTheKey(d: any, key: Buffer, hlsKey: Buffer): Promise<void> {
      const mpd = (await app().inject({ url: d.dash.h264 })).body;
      const rung = /<Representation id="(\d+p)"/.exec(mpd)![1];
      const seg = new RegExp(`<SegmentURL media="(${rung}/cenc/c\\d+_\\d+\\.m4s)"/>`).exec(mpd)![1];
      const fetchBytes = async (file: string) => {
        const r = await app().inject({ url: d.baseUrl + file });
        expect(r.statusCode, file).toBe(200);
        return r.rawPayload;
      };
      const dir = mkdtempSync(join(tmpdir(), 'reel-cenc-'));
      try {
        const hlsSeg = seg.replace('/cenc/', '/');
        const clear = Buffer.concat([await fetchBytes(`${rung}/init.mp4`), decryptSegment(hlsKey, segmentIv(hlsSeg), await fetchBytes(hlsSeg))]);
        const cenc = Buffer.concat([await fetchBytes(`${rung}/cenc/init.mp4`), await fetchBytes(seg)]);
        expect(cenc.includes(clear.subarray(clear.length - 64))).toBe(false); // the sample data is not the clear one
        writeFileSync(join(dir, 'clear.mp4'), clear);
        writeFileSync(join(dir, 'cenc.mp4'), cenc);
        const frames = async (file: string, extra: string[] = []) => {
          const r = await run('ffmpeg', ['-hide_banner', '-v', 'error', ...extra, '-i', join(dir, file), '-map', '0:v', '-f', 'framemd5', '-'], { maxBuffer: 1 << 24 }).catch((e) => ({ stdout: String(e.stdout ?? ''), stderr: String(e.stderr ?? 'failed') }));
          return { md5: r.stdout.split('\n').filter((l) => l && !l.startsWith('#')), stderr: r.stderr };
        };
        const reference = await frames('clear.mp4');
        expect(reference.md5.length).toBeGreaterThan(10);
        expect((await frames('cenc.mp4', ['-decryption_key', key.toString('hex')])).md5).toEqual(reference.md5);
        const without = await frames('cenc.mp4');
        expect(without.md5).not.toEqual(reference.md5);
        const wrongKey = await frames('cenc.mp4', ['-decryption_key', hlsKey.toString('hex')]);
        expect(wrongKey.md5).not.toEqual(reference.md5);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    it('answers the W3C ClearKey exchange with the video key for a valid token (and the owner), nothing is cached', async () => {
      const d = (await app().inject({ url: `/api/videos/${encryptedId}/playback` })).json();
      expect(d).toMatchObject({ encrypted: true, clearKey: { licenseUrl: `${d.baseUrl}license` } });
      expect(d.dash.h264).toBe(`${d.baseUrl}manifest.mpd`);
      const mpd = (await app().inject({ url: d.dash.h264 })).body;
      expect(mpd).toContain(`<ContentProtection schemeIdUri="urn:mpeg:dash:mp4protection:2011" value="cenc" cenc:default_KID="${d.clearKey.defaultKid}"/>`);
      expect(mpd).toContain('schemeIdUri="urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e"');
      expect(mpd).toContain('<dashif:Laurl>license</dashif:Laurl>');
      const r = await ask(d.clearKey.licenseUrl, { kids: [kidOf(d)], type: 'temporary' });
      expect(r.statusCode).toBe(200);
      expect(r.headers['cache-control']).toBe('private, no-store');
      const body = r.json();
      expect(body).toMatchObject({ type: 'temporary', keys: [{ kty: 'oct', kid: kidOf(d) }] });
      expect(Buffer.from(body.keys[0].k, 'base64url')).toHaveLength(16);
      // a CDM message as text is accepted as well; the owner's session opens it without a token
      expect((await ask(d.clearKey.licenseUrl, JSON.stringify({ kids: [kidOf(d)], type: 'temporary' }), { 'content-type': 'text/plain' })).json()).toEqual(body);
      expect((await ask(`/media/${encryptedId}/license`, { kids: [kidOf(d)] }, { cookie: owner.cookie })).json()).toEqual(body);
      // the DASH key is not the HLS key
      expect(Buffer.from(body.keys[0].k, 'base64url')).not.toEqual((await app().inject({ url: `${d.baseUrl}key.bin` })).rawPayload);
      // unknown key ids and malformed requests
      expect((await ask(d.clearKey.licenseUrl, { kids: [Buffer.alloc(16, 7).toString('base64url')] })).statusCode).toBe(404);
      for (const bad of [{}, { kids: [] }, { kids: 'x' }, { kids: ['not base64 !'] }]) expect((await ask(d.clearKey.licenseUrl, bad)).statusCode).toBe(400);
      // a clear video has no license
      await setVisibility('public');
      const clear = (await app().inject({ url: `/api/videos/${id}/playback` })).json();
      expect(clear.clearKey).toBeNull();
      expect((await ask(`/media/${id}/license`, { kids: [kidOf(d)] })).statusCode).toBe(404);
    });

    it('refuses a missing (404), forged, expired or other-video token (403)', async () => {
      const d = (await app().inject({ url: `/api/videos/${encryptedId}/playback` })).json();
      const now = Math.floor(Date.now() / 1000);
      const req = { kids: [kidOf(d)], type: 'temporary' };
      const missing = await ask(`/media/${encryptedId}/license`, req);
      expect(missing.statusCode).toBe(404);
      expect(missing.body).not.toContain('"k"');
      const sig = d.token.split('.')[2];
      for (const [token, code] of [
        [d.token.replace(sig, (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1)), 'token_invalid'],
        [signPlaybackToken([SECRET], { videoId: encryptedId, expiresAt: now - 5, viewer: null }), 'token_expired'],
        [signPlaybackToken([SECRET], { videoId: randomUUID(), expiresAt: now + 600, viewer: null }), 'token_invalid'],
        [signPlaybackToken([SECRET], { videoId: id, expiresAt: now + 600, viewer: null }), 'token_invalid'],
        ['garbage', 'token_invalid'],
      ]) {
        const r = await ask(`/media/${encryptedId}/t/${token}/license`, req);
        expect(r.statusCode, token).toBe(403);
        expect(r.json().error.code).toBe(code);
        expect(r.body).not.toContain('"k"');
      }
    });

    it('stores no key in the blob store; CENC segments decode only with the license key, to the same frames as HLS', async () => {
      const d = (await app().inject({ url: `/api/videos/${encryptedId}/playback` })).json();
      const key = Buffer.from((await ask(d.clearKey.licenseUrl, { kids: [kidOf(d)] })).json().keys[0].k, 'base64url');
      const hlsKey = (await app().inject({ url: `${d.baseUrl}key.bin` })).rawPayload;
      const blobKeys = await tp.platform.blobs.list(`videos/${encryptedId}/`);
      expect(blobKeys.some((k) => k.includes('/cenc/'))).toBe(true);
      for (const k of blobKeys) {
        const parts: Buffer[] = [];
        for await (const c of await tp.platform.blobs.get(k)) parts.push(c as Buffer);
        const bytes = Buffer.concat(parts);
        expect(bytes.includes(key), k).toBe(false);
        expect(bytes.includes(hlsKey), k).toBe(false);
      }
      await decodesOnlyWithTheKey(d, key, hlsKey);
    });

    it('packaging re-creates missing CENC copies from the stored HLS files (videos encoded before CENC packaging)', async () => {
      const d = (await app().inject({ url: `/api/videos/${encryptedId}/playback` })).json();
      const mpdBefore = (await app().inject({ url: d.dash.h264 })).body;
      const copies = (await tp.platform.blobs.list(`videos/${encryptedId}/`)).filter((k) => k.includes('/cenc/')).sort();
      expect(copies.length).toBeGreaterThan(4);
      for (const k of copies) await tp.platform.blobs.delete(k);
      await tp.platform.blobs.delete(`videos/${encryptedId}/manifest.mpd`);
      const task = (await tp.platform.queue.forVideo(encryptedId)).find((t) => t.kind === 'package')!;
      const { taskHandlers } = await import('../../src/wiring/platform.js');
      await taskHandlers(tp.platform).package({ task, payload: JSON.parse(task.payload), signal: new AbortController().signal, log: tp.platform.log, setOutput: async () => {} });
      expect((await tp.platform.blobs.list(`videos/${encryptedId}/`)).filter((k) => k.includes('/cenc/')).sort()).toEqual(copies);
      expect((await app().inject({ url: d.dash.h264 })).body).toBe(mpdBefore);
      const key = Buffer.from((await ask(d.clearKey.licenseUrl, { kids: [kidOf(d)] })).json().keys[0].k, 'base64url');
      await decodesOnlyWithTheKey(d, key, (await app().inject({ url: `${d.baseUrl}key.bin` })).rawPayload);
    });
  });
});
