/**
 * Playback of public, unlisted and private videos in real Chromium through the watch page, which asks the
 * playback descriptor for its URLs: HLS with hls.js for every visibility, DASH with dash.js for a public and a
 * private video. Protected videos are fetched through /media/<id>/t/<token>/ only; a private video shows nothing
 * to a stranger. No mocks, no timing assertions (timeouts are guards only).
 */
import { readFileSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_DIR, registerUser, startTestPlatform, waitForVideo, type TestPlatform } from '../support/platform.js';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'];
const b64 = (s: string) => Buffer.from(s).toString('base64');

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
    tp = await startTestPlatform({ worker: true });
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

  it('public: HLS and DASH play from plain URLs', async () => {
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

  it('AES-128: hls.js fetches the key through the signed path and decrypts the segments', async () => {
    const ctx = await context(false);
    try {
      const { media, statuses } = await watch(ctx, '', encryptedId);
      const keyRequests = media.filter((u) => u.endsWith('/key.bin'));
      expect(keyRequests.length, media.join("\n")).toBeGreaterThan(0);
      expect(keyRequests.every((u) => new URL(u).pathname.startsWith(`/media/${encryptedId}/t/`))).toBe(true);
      expect(media.some((u) => u.endsWith('.m4s'))).toBe(true);
      expect(statuses.filter((s) => s >= 400)).toEqual([]);
      expect(await (await ctx.pages())[0].evaluate(() => document.getElementById('state')?.textContent)).toBe('');
    } finally {
      await ctx.close();
    }
  }, 60_000);
});
