/**
 * The web app as new users meet it, in headless chromium: a creator signs up, uploads the_last_man_on_earth.mp4
 * through the upload page (progress with speed and time left, pause/resume, a reload in the middle, details
 * edited while the bytes go up), watches processing progress in the studio, plays it, changes quality and speed,
 * comments, replies, likes; a second account subscribes, gets notified of the creator's next upload, searches
 * for the film and finds it on the home page. Screenshots of each main page go to docs/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { MEDIA_DIR, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { launch, pauseAt, playerState, screenshot, signUp, watchErrors } from './web-support.js';

const FILM = MEDIA_DIR + 'the_last_man_on_earth.mp4';
const SECOND = MEDIA_DIR + '60fps_720p_small.mp4';
const TITLE = 'The Last Man on Earth (1964)';

describe('web app: a creator and a viewer', () => {
  let tp: TestPlatform;
  let browser: Browser;
  let base: string;
  let creator: BrowserContext;
  let viewer: BrowserContext;
  let page: Page; // the creator's
  let notes: string[];
  let videoId: string;

  beforeAll(async () => {
    tp = await startTestPlatform({ worker: true });
    base = (await tp.platform.app.listen({ port: 0, host: '127.0.0.1' })).replace('[::1]', 'localhost');
    browser = await launch();
    creator = await browser.newContext({ viewport: { width: 1366, height: 860 } });
    page = await creator.newPage();
    notes = watchErrors(page);
  });
  afterAll(async () => {
    await browser?.close();
    await tp?.close();
  });

  it('signs up, uploads through the page with a real progress bar, pause/resume and a reload, and edits details meanwhile', async () => {
    await screenshotOfSignUp();
    await signUp(page, base, 'vincent');

    // a slow uplink (CDP throttling) so that progress, pause and reload happen mid-upload
    const cdp = await creator.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 160 * 1024 });

    await page.goto(`${base}/upload`);
    await page.locator('#file').setInputFiles(FILM);
    const item = page.locator('.upload-item').first();
    const status = item.locator('.upload-status');
    // progress with speed and time left
    await expect.poll(async () => (await status.textContent()) ?? '', { timeout: 20_000 }).toMatch(/^\d+\.\d% · .* of 1\.8 MB · [\d.]+ KB\/s · \d+:\d\d left/);
    const firstPct = Number(/^([\d.]+)%/.exec((await status.textContent())!)![1]);
    expect(firstPct).toBeLessThan(60);

    // details filled while uploading
    await item.getByLabel('Title').fill(TITLE);
    await item.getByLabel('Description').fill('Vincent Price, alone in a city of the undead. Public domain.');
    await item.getByLabel('Tags (comma separated)').fill('classic, horror');
    await item.locator('.save-meta').click();
    await expect.poll(async () => item.getByRole('status').textContent()).toBe('Details saved');
    expect((await status.textContent()) ?? '').not.toMatch(/Uploaded/);
    await screenshot(page, 'upload');

    // pause: the bar stops; resume: it goes on
    await item.locator('button.pause').click();
    await expect.poll(async () => (await status.textContent()) ?? '').toMatch(/^Paused at [\d.]+%/);
    const pausedAt = Number(/Paused at ([\d.]+)%/.exec((await status.textContent())!)![1]);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await status.textContent()) ?? '').toBe(`Paused at ${pausedAt.toFixed(1)}%`);
    await item.locator('button.resume').click();
    await expect.poll(async () => Number(/^([\d.]+)%/.exec((await status.textContent()) ?? '')?.[1] ?? 0), { timeout: 20_000 }).toBeGreaterThan(pausedAt);

    // a reload in the middle: the page offers to continue, the same file resumes where the server stopped
    await page.reload();
    await expect(page.locator('#resume-here').textContent()).resolves.toContain(TITLE);
    const patches: string[] = [];
    page.on('request', (r) => r.method() === 'PATCH' && r.url().includes('/api/uploads/') && patches.push(r.headers()['upload-offset']));
    await page.locator('#file').setInputFiles(FILM);
    const again = page.locator('.upload-item').first();
    await expect.poll(async () => (await again.locator('.upload-status').textContent()) ?? '', { timeout: 20_000 }).toMatch(/continued from|Uploaded|Ready/);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    expect(Number(patches[0])).toBeGreaterThan(0);
    // the reload did not make a second video: the details saved before it are kept
    await expect.poll(() => again.getByLabel('Title').inputValue()).toBe(TITLE);

    // processing shows, then the video is ready and linked
    await expect.poll(async () => (await again.locator('.upload-status').textContent()) ?? '', { timeout: 30_000 }).toMatch(/Processing|Ready/);
    const mine = await page.evaluate(async () => (await (await fetch('/api/me/videos')).json()).items);
    expect(mine).toHaveLength(1);
    videoId = mine[0].id;
    expect(mine[0]).toMatchObject({ title: TITLE, tags: ['classic', 'horror'], visibility: 'public' });
  }, 120_000);

  it('shows processing per rung in the studio, then the ready video with analytics', async () => {
    const studio = await creator.newPage();
    await studio.goto(`${base}/studio`);
    const row = studio.locator(`tr[data-video-id="${videoId}"]`);
    await row.waitFor({ timeout: 20_000 });
    const status = await row.locator('.status-word').textContent();
    if (status === 'processing') {
      // rung bars appear with "playable now" as soon as the lowest rung has the opening seconds
      await expect.poll(() => row.locator('.rung').count(), { timeout: 30_000 }).toBeGreaterThan(0);
      await expect.poll(() => row.locator('.playable-now').count(), { timeout: 60_000 }).toBe(1);
      await screenshot(studio, 'studio-processing');
    }
    await expect.poll(() => row.locator('.status-word').textContent(), { timeout: 110_000 }).toBe('ready');
    expect(await row.textContent()).toMatch(/144p, 240p, 360p, 480p, 720p/);
    await row.getByRole('button', { name: 'Analytics' }).click();
    await studio.locator('.analytics svg.chart').waitFor();
    await studio.close();
  }, 150_000);

  it('plays the video, switches quality and speed, answers keyboard shortcuts; comments, replies and likes', async () => {
    await page.goto(`${base}/watch/${videoId}`);
    await page.waitForFunction(() => ((window as any).reelPlayer?.video?.currentTime ?? 0) > 1.5, undefined, { timeout: 30_000 }).catch((e) => {
      throw new Error(`${e.message}\n${notes.join('\n')}`);
    });
    expect(await page.locator('#title').textContent()).toBe(TITLE);
    expect(await page.locator('#state').textContent()).toBe('');
    // the page's HTML carried the first playlists: the player started without asking for the master playlist, and
    // the first segments came from the page's preloads
    const asked = await page.evaluate(() => (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((r) => `${r.initiatorType} ${new URL(r.name).pathname}`));
    expect(asked.filter((r) => r.endsWith('/master.m3u8'))).toEqual([]);
    expect(asked.filter((r) => r.startsWith('link ') && r.endsWith('.m4s')).length).toBeGreaterThan(0);
    // the MSE starter showed the first frame from those segments before hls.js was even evaluated; hls.js then took
    // its MediaSource over and went on from where the buffer ended: one range from 0, past the first segments
    const marks = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime])));
    expect(marks['reel:starter buffered']).toBeGreaterThan(0);
    expect(marks['reel:hls started']).toBeGreaterThanOrEqual(marks['reel:early shown']);
    // the early entry (an async script, which may run after the app's) started the video, and the app waited for
    // its first frame before it started
    expect(marks['reel:early entry runs']).toBeGreaterThan(0);
    expect(marks['reel:app started']).toBeGreaterThanOrEqual(marks['reel:early shown']);
    await page.waitForFunction(() => performance.getEntriesByName('reel:hls first fragment buffered').length > 0 && (window as any).reelPlayer.video.currentTime > 5, undefined, { timeout: 30_000 });
    const ranges = await page.evaluate(() => {
      const b = (window as any).reelPlayer.video.buffered as TimeRanges;
      return Array.from({ length: b.length }, (_, i) => [b.start(i), b.end(i)]);
    });
    expect(ranges).toHaveLength(1);
    expect(ranges[0][0]).toBeLessThan(0.2);
    expect(ranges[0][1]).toBeGreaterThan(6);

    // manual quality while paused: the paused frame becomes the chosen rendition's (hls.js alone would go on showing
    // the old one until play); then from the start while it plays (the film lasts 14 s), and back to Auto
    await pauseAt(page, 3);
    await page.selectOption('#quality', { label: '144p' });
    await page.waitForFunction(() => (window as any).reelPlayer.video.videoHeight === 144, undefined, { timeout: 30_000 }).catch(async (e) => {
      throw new Error(`${e.message}\n${await playerState(page)}\n${notes.join('\n')}`);
    });
    expect(await page.evaluate(() => (window as any).reelPlayer.video.paused)).toBe(true);
    await page.evaluate(() => { const v = (window as any).reelPlayer.video; v.currentTime = 0; return v.play(); });
    await expect.poll(() => page.locator('#current-level').textContent()).toBe('Playing 144p');
    await page.selectOption('#quality', { label: 'Auto' });
    expect(await page.evaluate(() => (window as any).reelPlayer.hls.autoLevelEnabled)).toBe(true);
    // speed
    await page.selectOption('#speed', '1.5');
    expect(await page.evaluate(() => (window as any).reelPlayer.video.playbackRate)).toBe(1.5);
    // shortcuts: k pauses and plays, j goes back 10 s, m mutes
    await page.locator('body').click({ position: { x: 5, y: 200 } }).catch(() => {});
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('k');
    await expect.poll(() => page.evaluate(() => (window as any).reelPlayer.video.paused)).toBe(true);
    const t = await page.evaluate(() => (window as any).reelPlayer.video.currentTime);
    await page.keyboard.press('j');
    expect(await page.evaluate(() => (window as any).reelPlayer.video.currentTime)).toBeLessThan(Math.max(0.01, t - 1));
    await page.keyboard.press('m');
    expect(await page.evaluate(() => (window as any).reelPlayer.video.muted)).toBe(true);
    await page.keyboard.press('m');
    await page.keyboard.press('k');
    await expect.poll(() => page.evaluate(() => (window as any).reelPlayer.video.paused)).toBe(false);

    // storyboard preview on hovering the seek bar
    const seek = page.locator('.seek');
    const box = (await seek.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    await page.locator('.storyboard-tile').waitFor({ timeout: 10_000 });
    expect(await page.locator('.storyboard-tile').evaluate((el) => getComputedStyle(el).backgroundImage)).toMatch(/storyboard|sprite|\.jpg/);

    // comment, reply, sort
    await page.getByLabel('Add a comment').fill('What a film. Still holds up.');
    await page.getByRole('button', { name: 'Comment', exact: true }).click();
    const comment = page.locator('.comment-list > .comment').first();
    await expect.poll(() => comment.locator('.comment-body').first().textContent()).toBe('What a film. Still holds up.');
    await comment.locator('.reply-button').click();
    await comment.getByLabel('Add a reply').fill('Thanks for watching!');
    await comment.locator('form.comment-form').getByRole('button', { name: 'Reply', exact: true }).click();
    await expect.poll(() => comment.locator('.replies .comment-body').first().textContent()).toBe('Thanks for watching!');
    await page.selectOption('#comment-sort', 'new');
    await expect.poll(() => page.locator('.comment-list > .comment .comment-body').first().textContent()).toBe('What a film. Still holds up.');
    await expect.poll(() => page.locator('.comment-list > .comment .replies-toggle').first().textContent()).toMatch(/1 reply/);

    // like
    await page.locator('#like').click();
    await expect.poll(() => page.locator('#likes').textContent()).toBe('1');
    expect(await page.locator('#like').getAttribute('aria-pressed')).toBe('true');
    await page.mouse.move(10, 10);
    await screenshot(page, 'watch');
  }, 120_000);

  it('a second account subscribes from the channel page and is notified of the next upload', async () => {
    viewer = await browser.newContext({ viewport: { width: 1366, height: 860 } });
    const v = await viewer.newPage();
    watchErrors(v);
    await signUp(v, base, 'ruth');
    await v.goto(`${base}/watch/${videoId}`);
    await v.locator('#channel-name').click();
    await v.waitForURL(`${base}/channel/vincent`);
    await v.locator('#subscribe').click();
    await expect.poll(() => v.locator('#subscribe').getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => v.locator('#subscriber-count').textContent()).toBe('1 subscriber');
    await screenshot(v, 'channel');

    // the creator uploads again, through the page
    await page.goto(`${base}/upload`);
    await page.locator('#file').setInputFiles(SECOND);
    await expect.poll(async () => (await page.locator('.upload-item .upload-status').first().textContent()) ?? '', { timeout: 110_000 }).toMatch(/Ready!/);

    // the viewer's bell counts it, the notifications page lists it
    await v.goto(`${base}/`);
    await expect.poll(async () => { await v.reload(); return v.locator('#unread-count').textContent({ timeout: 2000 }).catch(() => null); }, { timeout: 30_000 }).toBe('1');
    await v.locator('#notifications-link').click();
    await v.waitForURL(`${base}/notifications`);
    await expect.poll(() => v.locator('#notification-list').textContent()).toMatch(/Vincent uploaded: 60fps 720p small/);
    await screenshot(v, 'notifications');
    await expect.poll(() => v.locator('#unread-count').count()).toBe(0);
  }, 150_000);

  it('searches with autocomplete and finds the film on the home page', async () => {
    const v = await viewer.newPage();
    // the pages use the discovery endpoints (search index, suggestions, home feed), not their fallbacks
    const discovery: string[] = [];
    v.on('response', (r) => /\/api\/(search|feed\/home)/.test(r.url()) && discovery.push(`${r.status()} ${new URL(r.url()).pathname}`));
    await v.goto(`${base}/`);
    await v.locator('#recommended').getByText(TITLE).waitFor({ timeout: 20_000 });
    expect(await v.locator('#recommended-title').textContent()).toBe('Recommended');
    await screenshot(v, 'home');

    const box = v.getByRole('combobox', { name: 'Search videos' });
    await box.click();
    await box.pressSequentially('last man', { delay: 40 });
    const option = v.getByRole('option', { name: TITLE });
    await option.waitFor({ timeout: 10_000 });
    await box.press('ArrowDown');
    await box.press('Enter');
    await v.waitForURL(/\/search\?q=/);
    await v.locator('#search-results').getByText(TITLE).waitFor({ timeout: 10_000 });
    expect(discovery).toEqual(expect.arrayContaining(['200 /api/feed/home', '200 /api/search/suggestions', '200 /api/search']));
    expect(discovery.filter((d) => !d.startsWith('200'))).toEqual([]);
    await screenshot(v, 'search');
    await v.locator('#search-results a[href^="/watch/"]').first().click();
    await v.waitForURL(`${base}/watch/${videoId}`);

    // the creator's history has the film (with how far they got), and Save adds it to Watch later
    await page.goto(`${base}/history`);
    await expect.poll(async () => { await page.reload(); return (await page.locator('#history').textContent({ timeout: 2000 }).catch(() => '')) ?? ''; }, { timeout: 20_000 }).toContain(TITLE);
    expect(await page.locator('#history .resume-bar').count()).toBeGreaterThan(0);
    await screenshot(page, 'history');
    await page.goto(`${base}/watch/${videoId}`);
    await page.locator('#save').click();
    await page.getByRole('dialog', { name: 'Save to playlist' }).getByLabel('Watch later').check();
    await expect.poll(() => page.getByRole('dialog', { name: 'Save to playlist' }).locator('[aria-live]').textContent()).toBe('Saved to Watch later');
    await page.goto(`${base}/playlists`);
    await expect.poll(() => page.locator('#playlists').textContent()).toMatch(/Watch later · 1 video\b/);
    await page.locator('#playlists').getByText('Watch later').click();
    await page.waitForURL(/\/playlist\//);
    await page.locator('main').getByText(TITLE).waitFor();
    await screenshot(page, 'playlist');

    // the studio's analytics: the views of this hour are a bar of the chart
    await page.goto(`${base}/studio`);
    const row = page.locator(`tr[data-video-id="${videoId}"]`);
    await row.getByRole('button', { name: 'Analytics' }).click();
    await page.locator('.analytics svg.chart').waitFor();
    expect(Number(await page.locator('.analytics .total-views').textContent())).toBeGreaterThanOrEqual(1);
    expect(await page.locator('.analytics rect.bar').evaluateAll((bars) => bars.filter((b) => Number(b.getAttribute('height')) > 0).length)).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'studio');

    // a phone-sized watch page, for the README
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const p = await phone.newPage();
    await p.goto(`${base}/watch/${videoId}`);
    await p.waitForFunction(() => ((window as any).reelPlayer?.video?.currentTime ?? 0) > 1, undefined, { timeout: 30_000 });
    await p.evaluate(() => (window as any).reelPlayer.video.pause());
    await screenshot(p, 'watch-phone');
    await phone.close();
  }, 90_000);

  async function screenshotOfSignUp(): Promise<void> {
    await page.goto(`${base}/signup`);
    await page.locator('#auth-submit').waitFor();
    await screenshot(page, 'sign-up');
  }
});
