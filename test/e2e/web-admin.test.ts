/**
 * The admin console in headless chromium: a site admin (ADMIN_EMAILS) signs up, finds the console through the
 * header link (a non-admin sees neither the link nor the console), re-runs a dead-lettered task shown with its
 * error, moves to the flagged videos with the keyboard and takes one down with a reason, lowers the upload size
 * limit (the next larger tus upload is refused with 413) and suspends an account. Each effect is checked
 * through the API, not only on the page.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { bearer, MEDIA_DIR, registerUser, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { launch, screenshot, signUp, watchErrors } from './web-support.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('web app: the admin console', () => {
  let tp: TestPlatform;
  let browser: Browser;
  let base: string;
  let page: Page;
  let notes: string[];
  let creator: { token: string; cookie: string; handle: string };
  let flakyId: string;
  let flakyTask: string;
  let flaggedId: string;

  beforeAll(async () => {
    tp = await startTestPlatform({ worker: false, env: { ADMIN_EMAILS: 'chief@example.test', TASK_MAX_ATTEMPTS: '1' } });
    const { app, queue, pipeline, videos, blobs } = tp.platform;
    base = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('[::1]', 'localhost');
    creator = await registerUser(app, 'maker');
    const viewer = await registerUser(app, 'watcher');

    // an upload whose inspect task failed for a recoverable reason and, with one attempt allowed, was dead-lettered
    const bytes = readFileSync(`${MEDIA_DIR}video_short.mp4`);
    const up = await app.inject({
      method: 'POST',
      url: '/api/uploads',
      headers: { ...bearer(creator.token), 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length), 'upload-metadata': `title ${b64('Flaky upload')}`, 'content-type': 'application/offset+octet-stream' },
      payload: bytes,
    });
    flakyId = String(up.headers['reel-video-id']);
    const task = (await queue.claim('test-worker', 10_000))!;
    expect(task.video_id).toBe(flakyId);
    expect(await queue.fail(task, 'test-worker', 'blob store timed out', true)).toBe('dead');
    await pipeline.gaveUp((await queue.get(task.id))!, new Error('blob store timed out'), 'dead');
    flakyTask = task.id;

    // a published video a viewer flagged
    flaggedId = (await app.inject({ method: 'POST', url: '/api/videos', headers: bearer(creator.token), payload: { title: 'Questionable unicorn footage', visibility: 'public' } })).json().video.id;
    await videos.setMediaInfo(flaggedId, { durationSec: 30, width: 640, height: 360 });
    await blobs.put(`videos/${flaggedId}/360p/init.mp4`, Buffer.from('init'));
    await videos.markReady(flaggedId, null);
    expect((await app.inject({ method: 'POST', url: `/api/videos/${flaggedId}/flags`, headers: bearer(viewer.token), payload: { reason: 'spam', note: 'clickbait' } })).statusCode).toBe(204);

    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await tp?.close();
  });

  it('shows neither the link nor the console to someone who is not an admin', async () => {
    const ctx = await browser.newContext();
    const [name, value] = creator.cookie.split('=');
    await ctx.addCookies([{ name, value, url: base }]);
    const p = await ctx.newPage();
    await p.goto(`${base}/`);
    await expect.poll(() => p.locator('a[aria-label="Your channel @maker"]').count()).toBe(1);
    expect(await p.locator('#admin-link').count()).toBe(0);
    await p.goto(`${base}/admin`);
    await expect.poll(() => p.getByRole('alert').textContent()).toContain('Only site admins');
    await ctx.close();
  });

  it('lets an admin re-run a dead-lettered task, take down a flagged video, change a setting and suspend an account', async () => {
    const { app, queue } = tp.platform;
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 860 } });
    page = await ctx.newPage();
    notes = watchErrors(page);
    await signUp(page, base, 'chief');
    const notice = () => page.locator('.admin-notice').textContent();
    try {
      // the header link appears for admins only
      await page.locator('#admin-link').click();
      await page.waitForURL(`${base}/admin`);
      const queueTab = page.getByRole('tab', { name: /Task queue/ });
      await expect.poll(() => queueTab.getAttribute('aria-selected')).toBe('true');

      // the dead-lettered task, with its error, and its re-run
      const row = page.locator('#admin-tasks tr.admin-task', { hasText: 'Flaky upload' });
      await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
      expect(await row.textContent()).toContain('blob store timed out');
      expect(await row.textContent()).toContain('inspect');
      await expect.poll(() => page.locator('.admin-counts .count-dead').textContent()).toMatch(/^1\s*dead/);
      await screenshot(page, 'admin');
      await row.getByRole('button', { name: 'Re-run inspect of Flaky upload' }).click();
      await expect.poll(notice).toContain('queued again');
      expect(await queue.get(flakyTask)).toMatchObject({ state: 'queued', attempts: 0, error: null });
      expect((await app.inject({ url: `/api/videos/${flakyId}`, headers: bearer(creator.token) })).json()).toMatchObject({ status: 'processing', error: null });
      await expect.poll(() => row.count()).toBe(0);

      // to the flagged videos with the keyboard (tabs: arrow keys)
      await queueTab.focus();
      await page.keyboard.press('ArrowRight');
      const flagsTab = page.getByRole('tab', { name: /Flagged videos/ });
      await expect.poll(() => flagsTab.getAttribute('aria-selected')).toBe('true');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-flags');
      expect(page.url()).toBe(`${base}/admin?tab=flags`);
      const card = page.locator('#admin-flags .admin-flag', { hasText: 'Questionable unicorn footage' });
      await expect.poll(() => card.count()).toBe(1);
      expect(await card.textContent()).toContain('clickbait');
      await card.getByLabel('Reason shown to the owner').fill('Spam: misleading title');
      await card.getByRole('button', { name: 'Take down Questionable unicorn footage' }).click();
      await expect.poll(notice).toContain('was taken down');
      const owner = (await app.inject({ url: `/api/videos/${flaggedId}`, headers: bearer(creator.token) })).json();
      expect(owner).toMatchObject({ status: 'removed', error: { code: 'taken_down', message: 'Spam: misleading title' } });
      expect((await app.inject({ url: `/api/videos/${flaggedId}` })).statusCode).toBe(404);
      await expect.poll(() => page.locator('#admin-removed').textContent()).toContain('Questionable unicorn footage');

      // a smaller upload limit, obeyed by the next tus upload
      await page.getByRole('tab', { name: 'Settings' }).click();
      const max = page.getByLabel('Maximum upload size (MiB)');
      await expect.poll(() => max.inputValue()).toBe(String(tp.config.maxUploadBytes / 2 ** 20));
      await max.fill('1');
      await page.getByLabel('Highest rendition of new uploads').selectOption('720p');
      await page.locator('#save-settings').click();
      await expect.poll(notice).toContain('Settings saved');
      const settings = (await app.inject({ url: '/api/admin/settings', headers: { cookie: (await ctx.cookies()).map((c) => `${c.name}=${c.value}`).join('; ') } })).json();
      expect(settings.settings).toMatchObject({ maxUploadBytes: 2 ** 20, ladderMaxRung: '720p' });
      const tus = (length: number) => app.inject({ method: 'POST', url: '/api/uploads', headers: { ...bearer(creator.token), 'tus-resumable': '1.0.0', 'upload-length': String(length) } });
      expect((await tus(2 * 2 ** 20)).statusCode).toBe(413);
      expect((await tus(2 ** 20)).statusCode).toBe(201);

      // suspend the creator from the accounts list
      await page.getByRole('tab', { name: 'Users' }).click();
      await page.getByLabel('Search email, handle or name').fill('maker');
      await page.getByLabel('Search email, handle or name').press('Enter');
      await expect.poll(() => page.locator('#admin-users tbody tr').count()).toBe(1);
      await page.getByRole('button', { name: 'Suspend @maker' }).click();
      await page.getByLabel('Reason').fill('Repeated spam');
      await page.getByRole('button', { name: 'Suspend', exact: true }).click();
      await expect.poll(notice).toContain('@maker is suspended');
      await expect.poll(() => page.locator('#admin-users').textContent()).toContain('Repeated spam');
      expect((await app.inject({ url: '/api/me', headers: bearer(creator.token) })).statusCode).toBe(401);
    } catch (err) {
      console.log(notes.join('\n'));
      throw err;
    } finally {
      await ctx.close();
    }
  });
});
