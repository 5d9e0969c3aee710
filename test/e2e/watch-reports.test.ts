/**
 * The watch page in chromium reports what the viewer does: a view is counted once enough was watched,
 * the position becomes the account's resume point (a reload continues there), likes are one click, and the
 * player's quality reports reach /metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { MEDIA_DIR, registerUser, startTestPlatform, waitForVideo, type TestPlatform } from '../support/platform.js';
import { tusUpload } from '../support/tus-upload.js';

describe('watch page: view reports, resume, likes', () => {
  let tp: TestPlatform;
  let browser: Browser;
  let base: string;
  let videoId: string;
  beforeAll(async () => {
    tp = await startTestPlatform({ worker: true });
    base = await tp.platform.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--autoplay-policy=no-user-gesture-required'] });
    const owner = await registerUser(tp.platform.app);
    await tusUpload({ endpoint: `${base}/api/uploads`, token: owner.token, file: MEDIA_DIR + 'the_last_man_on_earth.mp4', chunkSize: 8 * 1024 * 1024, metadata: { title: 'reports' } });
    const mine = await (await fetch(`${base}/api/me/videos`, { headers: { authorization: `Bearer ${owner.token}` } })).json();
    videoId = mine.items[0].id;
    expect((await waitForVideo(tp.platform.app, videoId, owner.token)).status).toBe('ready');
  });
  afterAll(async () => {
    await browser?.close();
    await tp?.close();
  });

  const currentTime = (page: Page) => page.evaluate(() => (document.getElementById('player') as HTMLVideoElement).currentTime);
  const stats = async (cookie?: string) => (await fetch(`${base}/api/videos/${videoId}/stats`, { headers: cookie ? { cookie } : {} })).json();

  it('counts a view after the minimum watch time, saves the resume position and resumes there after a reload', async () => {
    const viewer = await registerUser(tp.platform.app);
    const context = await browser.newContext();
    const [name, value] = viewer.cookie.split('=');
    await context.addCookies([{ name, value, url: base }]);
    const page = await context.newPage();
    const reports: Array<{ event: string; watchSeconds: number; positionSec: number }> = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith(`/api/videos/${videoId}/views`)) reports.push(r.postDataJSON());
    });
    await page.goto(`${base}/watch/${videoId}`);
    await page.locator('#views').filter({ hasText: '0 views' }).waitFor({ timeout: 20_000 });

    // 14 s film: 30% (4.2 s) must be watched before it counts
    await expect.poll(() => currentTime(page), { timeout: 30_000 }).toBeGreaterThan(2);
    expect((await stats()).views).toBe(0);
    await expect.poll(() => currentTime(page), { timeout: 30_000 }).toBeGreaterThan(7);
    await page.evaluate(() => (document.getElementById('player') as HTMLVideoElement).pause());
    await expect.poll(async () => (await stats()).views, { timeout: 10_000 }).toBe(1);
    expect(reports[0]).toMatchObject({ event: 'start', watchSeconds: 0 });
    const last = reports.at(-1)!;
    expect(last.watchSeconds).toBeGreaterThan(6);
    expect(last.positionSec).toBeGreaterThan(6);

    const resume = (await stats(viewer.cookie)).resumePositionSec;
    expect(resume).toBeGreaterThan(6);
    // a reload starts where the viewer stopped, and watching on does not count a second view this hour
    await page.reload();
    await expect.poll(() => currentTime(page), { timeout: 30_000 }).toBeGreaterThan(resume - 0.5);
    expect(await currentTime(page)).toBeLessThan(resume + 4);
    await page.locator('#views').filter({ hasText: '1 view' }).waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => (document.getElementById('player') as HTMLVideoElement).ended, undefined, { timeout: 30_000 });
    await expect.poll(() => reports.filter((r) => r.event === 'end').length, { timeout: 5_000 }).toBe(1);
    expect((await stats()).views).toBe(1);

    // like, then change to dislike: one rating per account
    await page.locator('#like').click();
    await expect.poll(async () => (await page.locator('#likes').textContent())?.trim()).toBe('1');
    await expect.poll(async () => page.locator('#like').getAttribute('aria-pressed')).toBe('true');
    await page.locator('#dislike').click();
    await expect.poll(async () => (await page.locator('#dislikes').textContent())?.trim()).toBe('1');
    expect((await page.locator('#likes').textContent())?.trim()).toBe('0');
    expect(await stats(viewer.cookie)).toMatchObject({ likes: 0, dislikes: 1, myRating: 'dislike' });

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/reel_playback_events_total\{event="start"\} 2/);
    await context.close();
  });

  it('an anonymous viewer counts as a view too, and is not asked for a resume position', async () => {
    const before = (await stats()).views;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/watch/${videoId}`);
    await expect.poll(() => currentTime(page), { timeout: 30_000 }).toBeGreaterThan(6);
    await page.evaluate(() => (document.getElementById('player') as HTMLVideoElement).pause());
    await expect.poll(async () => (await stats()).views, { timeout: 10_000 }).toBe(before + 1);
    // a click on like sends an anonymous viewer to sign in
    await page.locator('#like').click();
    await page.waitForURL(/\/login\?next=/);
    await context.close();
  });
});
