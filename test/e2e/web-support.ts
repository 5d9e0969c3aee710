/** Shared by the web app's browser tests (test/e2e/web-*.test.ts): chromium, sign-up through the page, screenshots. */
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--autoplay-policy=no-user-gesture-required'];
export const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** Page errors and failed requests, to explain a timeout. */
export function watchErrors(page: Page): string[] {
  const notes: string[] = [];
  page.on('pageerror', (e) => notes.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && notes.push(`console.error: ${m.text()}`));
  return notes;
}

/** Create an account through the sign-up form, as a new visitor would; ends on the home page, signed in. */
export async function signUp(page: Page, base: string, handle: string): Promise<void> {
  await page.goto(`${base}/signup`);
  await page.getByLabel('Email').fill(`${handle}@example.test`);
  await page.getByLabel('Channel handle').fill(handle);
  await page.getByLabel('Channel name (optional)').fill(handle.replace(/^./, (c) => c.toUpperCase()));
  await page.getByLabel('Password').fill('correct horse battery');
  await page.locator('#auth-submit').click();
  await page.waitForURL(`${base}/`);
  await expect.poll(() => page.locator(`a[aria-label="Your channel @${handle}"]`).count()).toBe(1);
}

/** Save a screenshot for the README (docs/screenshots/NAME.png) and check it is a PNG. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = `${SCREENSHOTS}${name}.png`;
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path });
  expect(readFileSync(path).subarray(1, 4).toString()).toBe('PNG');
}

/** The player's state as one line, for a failed wait's message: where playback is, what is buffered, what hls.js loads. */
export async function playerState(page: Page): Promise<string> {
  return page.evaluate(() => {
    const p = (window as any).reelPlayer;
    const v = p?.video as HTMLVideoElement | undefined;
    if (!v) return 'no player';
    const b = Array.from({ length: v.buffered.length }, (_, i) => `${v.buffered.start(i).toFixed(2)}-${v.buffered.end(i).toFixed(2)}`);
    const h = p.hls;
    return `t=${v.currentTime.toFixed(2)} paused=${v.paused} ended=${v.ended} seeking=${v.seeking} readyState=${v.readyState} ` +
      `size=${v.videoWidth}x${v.videoHeight} buffered=[${b.join(' ')}] error=${v.error?.message ?? ''}` +
      (h ? ` hls current=${h.currentLevel} load=${h.loadLevel} next=${h.nextLoadLevel} auto=${h.autoLevelEnabled} cap=${h.autoLevelCapping}` : '');
  }).catch((e) => `player state unreadable: ${e.message}`);
}

/** Pause the page's player at `seconds` and return once that frame is decoded and shown. */
export async function pauseAt(page: Page, seconds: number): Promise<void> {
  await page.evaluate((s) => { const v = (window as any).reelPlayer.video; v.pause(); v.currentTime = s; }, seconds);
  await page.waitForFunction(() => { const v = (window as any).reelPlayer.video; return !v.seeking && v.readyState === 4; });
  await page.waitForTimeout(500); // the paused frame is painted
}
