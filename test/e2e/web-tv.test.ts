/**
 * TV (lean-back) mode with the keyboard only: arrows move between videos, Enter plays, Enter pauses and plays,
 * ←/→ seek, ↓ reaches the player controls, Escape goes back. No mouse event is sent.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { MEDIA_DIR, registerUser, startTestPlatform, waitForVideo, type TestPlatform } from '../support/platform.js';
import { tusUpload } from '../support/tus-upload.js';
import { launch, screenshot, watchErrors } from './web-support.js';

const FILM = MEDIA_DIR + 'the_last_man_on_earth.mp4';

describe('web app: TV mode, keyboard only', () => {
  let tp: TestPlatform;
  let browser: Browser;
  let base: string;
  const titles = ['Night of the Living Dead', 'The Last Man on Earth'];

  beforeAll(async () => {
    tp = await startTestPlatform({ worker: true });
    base = await tp.platform.app.listen({ port: 0, host: '127.0.0.1' });
    const owner = await registerUser(tp.platform.app, 'tvowner');
    await tusUpload({ endpoint: `${base}/api/uploads`, token: owner.token, file: FILM, chunkSize: 8 * 1024 * 1024, metadata: { title: titles[1], visibility: 'public' } });
    const id = (await (await fetch(`${base}/api/me/videos`, { headers: { authorization: `Bearer ${owner.token}` } })).json()).items[0].id;
    expect((await waitForVideo(tp.platform.app, id, owner.token)).status).toBe('ready');
    // a second video from the same bytes (SHA-256 de-duplication: ready at once, no transcode)
    const bytes = readFileSync(FILM);
    const twin = await fetch(`${base}/api/upload-checks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: titles[0], visibility: 'public', sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length }),
    });
    expect(twin.status).toBe(201);
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await tp?.close();
  });

  const focused = (page: Page) => page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return { label: el?.getAttribute('aria-label') ?? '', id: el?.id ?? '', inControls: !!el?.closest('.controls-bar') };
  });
  const video = (page: Page) => page.evaluate(() => ({ t: (window as any).reelPlayer?.video?.currentTime ?? 0, paused: (window as any).reelPlayer?.video?.paused ?? true }));

  it('browses rows with the arrows, plays with Enter, seeks and comes back with Escape', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const notes = watchErrors(page);
    await page.goto(`${base}/tv`);
    // the first card has focus at once; newest first
    await expect.poll(async () => (await focused(page)).label, { timeout: 15_000 }).toMatch(new RegExp(`^${titles[0]}`));
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => (await focused(page)).label).toMatch(new RegExp(`^${titles[1]}`));
    await page.keyboard.press('ArrowLeft');
    await expect.poll(async () => (await focused(page)).label).toMatch(new RegExp(`^${titles[0]}`));
    await page.keyboard.press('ArrowRight');
    await screenshot(page, 'tv');

    await page.keyboard.press('Enter');
    await page.waitForURL(/\/tv\/watch\//);
    await page.waitForFunction(() => ((window as any).reelPlayer?.video?.currentTime ?? 0) > 1, undefined, { timeout: 30_000 }).catch((e) => {
      throw new Error(`${e.message}\n${notes.join('\n')}`);
    });
    expect(await page.locator('.tv-title').textContent()).toContain(titles[1]);
    expect((await focused(page)).id).toBe('player-box');

    // Enter pauses, → seeks 10 s, Enter plays again
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await video(page)).paused).toBe(true);
    const before = (await video(page)).t;
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => (await video(page)).t).toBeGreaterThan(Math.min(before + 9, 13));
    await page.keyboard.press('ArrowLeft');
    await expect.poll(async () => (await video(page)).t).toBeLessThan(Math.min(before + 9, 13) - 5);
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await video(page)).paused).toBe(false);

    // ↓ reaches the controls; the arrows then move between them and Enter presses them
    await page.keyboard.press('ArrowDown');
    await expect.poll(async () => (await focused(page)).label).toBe('Seek');
    await page.keyboard.press('ArrowDown');
    await expect.poll(async () => (await focused(page)).inControls).toBe(true);
    let guard = 0;
    while ((await focused(page)).id !== 'play' && guard++ < 12) await page.keyboard.press('ArrowLeft');
    expect((await focused(page)).id).toBe('play');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await video(page)).paused).toBe(true);
    await screenshot(page, 'tv-watch');

    // Escape goes back to the rows, with a card focused again
    await page.keyboard.press('Escape');
    await page.waitForURL(`${base}/tv`);
    await expect.poll(async () => (await focused(page)).label, { timeout: 10_000 }).toMatch(new RegExp(`^(${titles.join('|')})`));
    await page.close();
  }, 90_000);
});
