/**
 * The web app's watch and studio extras in headless chromium: WebVTT captions chosen in the player show their cues
 * (and the choice is remembered); autoplay of "up next" counts down when a video ends, can be cancelled, goes to the
 * next video, and its off switch persists; a channel is reachable at /@handle; the creator sets a thumbnail in the
 * studio (upload, frame) and sees it on cards and as the player's poster; the studio's processing progress arrives
 * by server-sent events (no polling), and falls back to polling when the stream is refused.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { MEDIA_DIR, registerUser, startTestPlatform, waitForVideo, type TestPlatform } from '../support/platform.js';
import { tusUpload } from '../support/tus-upload.js';
import { createWorker } from '../../src/wiring/platform.js';
import type { Worker } from '../../src/processing/worker.js';
import { launch, screenshot, watchErrors } from './web-support.js';

const FILM = MEDIA_DIR + 'the_last_man_on_earth.mp4';
const FILM_TITLE = 'The Last Man on Earth';
const TWIN_TITLE = 'Night of the Living Dead';
const VTT = 'WEBVTT\n\n00:00:00.000 --> 00:00:07.000\nA city of the undead\n\n00:00:07.000 --> 00:00:14.500\nThe last man on earth\n';

describe('web app: captions, autoplay, channel by handle, thumbnails, live studio progress', () => {
  let tp: TestPlatform;
  let browser: Browser;
  let base: string;
  let owner: { token: string; cookie: string; handle: string };
  let filmId: string;
  let twinId: string;
  let dir: string;
  let worker: Worker | null = null;
  const bearer = () => ({ authorization: `Bearer ${owner.token}` });

  /** the in-process worker is started and stopped by the tests, so a video can be held in "processing" */
  const startWorker = () => { if (!worker) { worker = createWorker(tp.platform); worker.start(); } };
  const stopWorker = async () => { await worker?.stop(); worker = null; };

  async function ownerContext(): Promise<BrowserContext> {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 860 } });
    const eq = owner.cookie.indexOf('=');
    await ctx.addCookies([{ name: owner.cookie.slice(0, eq), value: owner.cookie.slice(eq + 1), url: base }]);
    return ctx;
  }
  const playing = (page: Page, notes: string[], above = 0.5) =>
    page.waitForFunction((t) => ((window as any).reelPlayer?.video?.currentTime ?? 0) > t, above, { timeout: 30_000 }).catch((e) => {
      throw new Error(`${e.message}\n${notes.join('\n')}`);
    });

  beforeAll(async () => {
    tp = await startTestPlatform({ worker: false });
    base = (await tp.platform.app.listen({ port: 0, host: '127.0.0.1' })).replace('[::1]', 'localhost');
    dir = mkdtempSync(join(tmpdir(), 'reel-web-extras-'));
    owner = await registerUser(tp.platform.app, 'maker');
    startWorker();
    await tusUpload({ endpoint: `${base}/api/uploads`, token: owner.token, file: FILM, chunkSize: 8 * 1024 * 1024, metadata: { title: FILM_TITLE, visibility: 'public' } });
    filmId = (await (await fetch(`${base}/api/me/videos`, { headers: bearer() })).json()).items[0].id;
    expect((await waitForVideo(tp.platform.app, filmId, owner.token)).status).toBe('ready');
    await stopWorker();
    // a second video from the same bytes: ready at once (SHA-256 de-duplication)
    const bytes = readFileSync(FILM);
    const twin = await fetch(`${base}/api/upload-checks`, {
      method: 'POST',
      headers: { ...bearer(), 'content-type': 'application/json' },
      body: JSON.stringify({ title: TWIN_TITLE, visibility: 'public', sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length }),
    });
    expect(twin.status).toBe(201);
    twinId = (await (await fetch(`${base}/api/me/videos`, { headers: bearer() })).json()).items.find((v: any) => v.title === TWIN_TITLE).id;
    // English captions through the captions API
    const cap = await fetch(`${base}/api/videos/${filmId}/captions/en`, { method: 'PUT', headers: { ...bearer(), 'content-type': 'application/json' }, body: JSON.stringify({ label: 'English', content: VTT }) });
    expect(cap.status).toBe(200);
    browser = await launch();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await stopWorker();
    await tp?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the chosen caption track’s cues in the player and remembers the choice', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 860 } });
    const page = await ctx.newPage();
    const notes = watchErrors(page);
    await page.goto(`${base}/watch/${filmId}`);
    await playing(page, notes);
    const track = () => page.evaluate(() => {
      const v = (window as any).reelPlayer.video as HTMLVideoElement;
      const t = [...v.textTracks].find((x) => x.language === 'en');
      return t ? { mode: t.mode, label: t.label, cues: t.cues?.length ?? 0, active: [...(t.activeCues ?? [])].map((c) => (c as VTTCue).text) } : null;
    });
    expect(await track()).toMatchObject({ mode: 'disabled', label: 'English' });
    expect(await page.locator('#captions').getAttribute('aria-pressed')).toBe('false');

    // choose the English track; at 3 s its first cue is on screen
    await page.selectOption('#captions-track', { label: 'English' });
    await page.evaluate(() => { const v = (window as any).reelPlayer.video as HTMLVideoElement; v.pause(); v.currentTime = 3; });
    await expect.poll(track, { timeout: 10_000 }).toMatchObject({ mode: 'showing', cues: 2, active: ['A city of the undead'] });
    expect(await page.locator('#captions').getAttribute('aria-pressed')).toBe('true');
    // later in the film, the second cue
    await page.evaluate(() => { (window as any).reelPlayer.video.currentTime = 9; });
    await expect.poll(track).toMatchObject({ active: ['The last man on earth'] });
    await page.mouse.move(10, 10);
    await screenshot(page, 'watch-captions');

    // the c key turns them off and on again
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('c');
    await expect.poll(track).toMatchObject({ mode: 'disabled' });
    expect(await page.locator('#captions-track').inputValue()).toBe('');
    await page.keyboard.press('c');
    await expect.poll(track).toMatchObject({ mode: 'showing' });

    // the next visit starts with English captions on
    await page.reload();
    await playing(page, notes);
    await expect.poll(track, { timeout: 10_000 }).toMatchObject({ mode: 'showing' });
    expect(await page.locator('#captions-track').inputValue()).toBe('en');
    await ctx.close();
  }, 90_000);

  it('counts down to the first up-next video when one ends, can be cancelled, and its off switch persists', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 860 } });
    const page = await ctx.newPage();
    const notes = watchErrors(page);
    const toEnd = () => page.evaluate(() => { const v = (window as any).reelPlayer.video as HTMLVideoElement; v.currentTime = Math.max(0, v.duration - 0.6); void v.play(); });
    await page.goto(`${base}/watch/${filmId}`);
    await playing(page, notes);
    await page.locator('#up-next-list').waitFor({ timeout: 10_000 });
    const nextHref = await page.locator('#up-next-list a[href^="/watch/"]').first().getAttribute('href');
    const nextTitle = await page.locator('#up-next-list h3').first().textContent();
    expect(nextHref).toBe(`/watch/${twinId}`);
    expect(await page.locator('#autoplay-toggle').getAttribute('aria-checked')).toBe('true');

    // the end: a countdown with the next video; Cancel keeps us here
    await toEnd();
    await page.locator('#autoplay').waitFor({ timeout: 15_000 });
    expect(await page.locator('#autoplay-title').textContent()).toBe(nextTitle);
    expect(await page.locator('#autoplay-countdown').textContent()).toMatch(/^Up next in [1-5]$/);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('autoplay-cancel');
    await screenshot(page, 'watch-autoplay');
    await page.locator('#autoplay-cancel').click();
    expect(await page.locator('#autoplay').count()).toBe(0);
    await page.waitForTimeout(6000);
    expect(new URL(page.url()).pathname).toBe(`/watch/${filmId}`);

    // the end again: the countdown runs out and the next video plays
    await toEnd();
    await page.locator('#autoplay').waitFor({ timeout: 15_000 });
    await page.waitForURL(`${base}/watch/${twinId}`, { timeout: 15_000 });
    await expect.poll(() => page.locator('#title').textContent()).toBe(TWIN_TITLE);
    await page.waitForFunction((id) => (window as any).reelPlayer?.video && location.pathname === `/watch/${id}` && (window as any).reelPlayer.video.currentTime > 0.5, twinId, { timeout: 30_000 });

    // switched off, it stays off on the next visit, and the end of a video goes nowhere
    await page.locator('#autoplay-toggle').click();
    expect(await page.locator('#autoplay-toggle').getAttribute('aria-checked')).toBe('false');
    expect(await page.evaluate(() => localStorage.getItem('reel_autoplay'))).toBe('0');
    await page.reload();
    await playing(page, notes);
    expect(await page.locator('#autoplay-toggle').getAttribute('aria-checked')).toBe('false');
    await toEnd();
    await page.waitForFunction(() => (window as any).reelPlayer.video.ended, undefined, { timeout: 15_000 });
    await page.waitForTimeout(1500);
    expect(await page.locator('#autoplay').count()).toBe(0);
    expect(new URL(page.url()).pathname).toBe(`/watch/${twinId}`);
    await ctx.close();
  }, 120_000);

  it('opens a channel at /@handle', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 860 } });
    const page = await ctx.newPage();
    watchErrors(page);
    await page.goto(`${base}/@maker`);
    await expect.poll(() => page.locator('#channel-title').textContent(), { timeout: 10_000 }).toBe('maker');
    expect(await page.locator('#channel-meta').textContent()).toBe('@maker · 2 videos');
    await page.getByRole('list', { name: 'Channel videos' }).getByText(FILM_TITLE).waitFor();
    await page.goto(`${base}/channel/MAKER`);
    await expect.poll(() => page.locator('#channel-title').textContent(), { timeout: 10_000 }).toBe('maker');
    await page.goto(`${base}/@nobody-at-all`);
    await page.locator('#channel-missing').waitFor({ timeout: 10_000 });
    expect(await page.locator('#channel-missing').textContent()).toContain('There is no channel with this handle');
    await ctx.close();
  });

  it('sets a thumbnail in the studio (upload, then a frame) and shows it on cards and as the poster', async () => {
    const png = join(dir, 'poster.png');
    await promisify(execFile)(tp.platform.tools.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=1280x720', '-frames:v', '1', '-update', '1', png]);
    const ctx = await ownerContext();
    const page = await ctx.newPage();
    watchErrors(page);
    await page.goto(`${base}/studio`);
    const row = page.locator(`tr[data-video-id="${filmId}"]`);
    await row.waitFor({ timeout: 10_000 });
    const rowThumb = () => row.locator('.thumb img').getAttribute('src');
    expect(await rowThumb()).toBe(`/media/${filmId}/thumbnail.jpg`);
    await row.getByRole('button', { name: 'Edit' }).click();
    const editor = page.locator('.thumbnail-editor');

    // not an image: a clear refusal
    await editor.locator('.thumbnail-file').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('these are not pixels') });
    await expect.poll(() => editor.locator('.thumbnail-error').textContent()).toBe('A thumbnail must be a JPEG or PNG image');

    // a PNG
    await editor.locator('.thumbnail-file').setInputFiles(png);
    await expect.poll(() => editor.locator('.thumbnail-status').textContent(), { timeout: 20_000 }).toBe('Thumbnail saved');
    const uploaded = (await rowThumb())!;
    expect(uploaded).toMatch(new RegExp(`^/media/${filmId}/thumbs/[a-z0-9]+\\.jpg$`));
    await expect.poll(() => row.locator('.thumb img').evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0))).toBe(1280);
    await screenshot(page, 'studio-thumbnail');

    // cards on the home page and the channel page, and the watch page's poster
    const card = async (path: string) => {
      await page.goto(`${base}${path}`);
      const img = page.locator(`a[href="/watch/${filmId}"] .thumb img`).first();
      await img.waitFor({ timeout: 10_000 });
      await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0)).toBe(true);
      return img.getAttribute('src');
    };
    expect(await card('/')).toBe(uploaded);
    expect(await card('/@maker')).toBe(uploaded);
    await page.goto(`${base}/watch/${filmId}`);
    await expect.poll(() => page.locator('#player').getAttribute('poster'), { timeout: 10_000 }).toBe(uploaded);

    // a frame of the film instead
    await page.goto(`${base}/studio`);
    await row.getByRole('button', { name: 'Edit' }).click();
    const slider = editor.getByLabel(/Or use a frame at/);
    await slider.focus();
    await slider.press('End');
    await expect.poll(() => editor.locator('output').textContent()).toBe('0:13');
    await editor.getByRole('button', { name: 'Use this frame' }).click();
    await expect.poll(() => editor.locator('.thumbnail-status').textContent(), { timeout: 20_000 }).toBe('Thumbnail saved');
    const frame = (await rowThumb())!;
    expect(frame).toMatch(/\/thumbs\//);
    expect(frame).not.toBe(uploaded);
    expect(await card('/')).toBe(frame);
    await ctx.close();
  }, 90_000);

  it('shows processing per rung in the studio by server-sent events, and polls when the stream is refused', async () => {
    const ctx = await ownerContext();
    const page = await ctx.newPage();
    const notes = watchErrors(page);
    const polls: string[] = [];
    page.on('request', (r) => /\/api\/videos\/[^/]+\/(availability|tasks)$/.test(new URL(r.url()).pathname) && polls.push(r.url()));

    // a video held in processing (no worker yet), the studio open on its event stream
    await tusUpload({ endpoint: `${base}/api/uploads`, token: owner.token, file: MEDIA_DIR + 'low-bitrate.mp4', chunkSize: 8 * 1024 * 1024, metadata: { title: 'Live in the studio', visibility: 'public' } });
    const liveId = (await (await fetch(`${base}/api/me/videos`, { headers: bearer() })).json()).items.find((v: any) => v.title === 'Live in the studio').id;
    await page.goto(`${base}/studio`);
    await expect.poll(() => page.locator('#studio-videos').getAttribute('data-progress'), { timeout: 10_000 }).toBe('live');
    const row = page.locator(`tr[data-video-id="${liveId}"]`);
    await expect.poll(() => row.locator('.status-word').textContent(), { timeout: 10_000 }).toBe('processing');
    await row.locator('.processing[data-source="events"]').waitFor({ timeout: 10_000 });
    // (on a slow machine the studio may poll for a moment before the stream says hello; from now on it must not)
    polls.length = 0;

    // the worker starts: rung bars appear and fill, pushed by the server; then the row turns ready
    startWorker();
    await expect.poll(() => row.locator('.rung').count(), { timeout: 60_000 }).toBeGreaterThan(0);
    await expect.poll(() => row.locator('.status-word').textContent(), { timeout: 120_000 }).toBe('ready');
    expect(await row.textContent()).toMatch(/144p/);
    expect(polls).toEqual([]);
    await stopWorker();

    // the stream refused (an old server, a proxy): the studio polls instead and still follows processing
    await tusUpload({ endpoint: `${base}/api/uploads`, token: owner.token, file: MEDIA_DIR + 'video_short.mp4', chunkSize: 8 * 1024 * 1024, metadata: { title: 'Polled in the studio', visibility: 'public' } });
    const polledId = (await (await fetch(`${base}/api/me/videos`, { headers: bearer() })).json()).items.find((v: any) => v.title === 'Polled in the studio').id;
    await page.route('**/api/me/videos/events', (route) => route.fulfill({ status: 404, contentType: 'application/json', body: JSON.stringify({ error: { code: 'not_found', message: 'No route' } }) }));
    await page.reload();
    await expect.poll(() => page.locator('#studio-videos').getAttribute('data-progress'), { timeout: 10_000 }).toBe('polling');
    const polled = page.locator(`tr[data-video-id="${polledId}"]`);
    await polled.locator('.processing[data-source="polling"]').waitFor({ timeout: 10_000 });
    await expect.poll(() => polls.some((u) => u.includes(polledId)), { timeout: 10_000 }).toBe(true);
    startWorker();
    await expect.poll(() => polled.locator('.status-word').textContent(), { timeout: 120_000 }).toBe('ready');
    await stopWorker();
    expect(notes.filter((n) => !/404|Failed to load resource/.test(n))).toEqual([]);
    await ctx.close();
  }, 240_000);
});
