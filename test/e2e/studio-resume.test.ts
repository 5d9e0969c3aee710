/**
 * An upload interrupted on one device is listed in the creator studio and finished from the browser
 * (tus-js-client in chromium resumes at the server's offset), then processed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { MEDIA_DIR, registerUser, startTestPlatform, waitForVideo, type TestPlatform } from '../support/platform.js';

const FILE = MEDIA_DIR + 'the_last_man_on_earth.mp4';

describe('studio: resume an interrupted upload', () => {
  let tp: TestPlatform;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    tp = await startTestPlatform({ worker: true });
    base = await tp.platform.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run'] });
  });
  afterAll(async () => {
    await browser?.close();
    await tp?.close();
  });

  it('lists the unfinished upload with its progress and completes it from the same file', async () => {
    const u = await registerUser(tp.platform.app);
    const bytes = readFileSync(FILE);
    // another device sent the first 40% and went away
    const create = await fetch(`${base}/api/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${u.token}`, 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length), 'upload-metadata': `title ${Buffer.from('from my phone').toString('base64')}` },
    });
    const location = create.headers.get('location')!;
    const part = bytes.subarray(0, Math.floor(bytes.length * 0.4));
    const patch = await fetch(new URL(location, base), { method: 'PATCH', headers: { authorization: `Bearer ${u.token}`, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, body: part });
    expect(patch.status).toBe(204);

    const context = await browser.newContext();
    const [name, value] = u.cookie.split('=');
    await context.addCookies([{ name, value, url: base }]);
    const page = await context.newPage();
    const requests: Array<{ method: string; offset: string | undefined }> = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/uploads/')) requests.push({ method: r.method(), offset: r.headers()['upload-offset'] });
    });
    await page.goto(`${base}/studio`);
    const item = page.locator('#interrupted-list li', { hasText: 'from my phone' });
    await expect.poll(async () => (await item.textContent()) ?? '', { timeout: 20_000 }).toContain('39% received');
    await item.locator('input[type=file]').setInputFiles(FILE);
    // when the last byte is in, the studio lists it as a normal video again
    await expect.poll(async () => page.locator('#interrupted').isHidden(), { timeout: 60_000 }).toBe(true);
    await expect.poll(async () => (await page.locator('#rows').textContent()) ?? '', { timeout: 30_000 }).toMatch(/processing|ready/);
    // the browser asked where to continue and sent only the rest
    const patches = requests.filter((r) => r.method === 'PATCH');
    expect(patches.length).toBeGreaterThan(0);
    expect(Number(patches[0].offset)).toBe(part.length);

    const id = (await (await fetch(`${base}/api/me/videos`, { headers: { authorization: `Bearer ${u.token}` } })).json()).items[0].id;
    const v = await waitForVideo(tp.platform.app, id, u.token);
    expect(v.status).toBe('ready');
    expect(v.durationSec).toBeCloseTo(14.08, 1);
    await context.close();
  });
});
