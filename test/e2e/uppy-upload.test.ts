/**
 * A real browser client: Uppy (@uppy/core + @uppy/tus, bundled for the page with esbuild) uploads the film from
 * headless chromium; the connection is cut during the second chunk; Uppy asks the server where to continue
 * and sends only the rest; the video then transcodes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { MEDIA_DIR, registerUser, startTestPlatform, waitForVideo, type TestPlatform } from '../support/platform.js';

const FILE = MEDIA_DIR + 'the_last_man_on_earth.mp4';

describe('Uppy in chromium', () => {
  let tp: TestPlatform;
  let browser: Browser;
  let base: string;
  const dir = mkdtempSync(join(tmpdir(), 'reel-uppy-'));
  beforeAll(async () => {
    await build({ entryPoints: [new URL('./uppy/entry.js', import.meta.url).pathname], bundle: true, format: 'iife', outfile: join(dir, 'uppy.js'), logLevel: 'error' });
    tp = await startTestPlatform({ worker: true });
    base = await tp.platform.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run'] });
  });
  afterAll(async () => {
    await browser?.close();
    await tp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uploads the film, survives a cut connection and resumes at the server’s offset', async () => {
    const u = await registerUser(tp.platform.app);
    const page = await browser.newPage();
    await page.goto(`${base}/healthz`); // same origin as the API
    await page.addScriptTag({ path: join(dir, 'uppy.js') });
    const patches: number[] = [];
    let cut = false;
    let offsetAtCut = -1;
    await page.route('**/api/uploads/**', async (route) => {
      const r = route.request();
      if (r.method() === 'PATCH') {
        const offset = Number(r.headers()['upload-offset']);
        if (!cut && offset > 0) {
          cut = true;
          offsetAtCut = offset;
          return route.abort('connectionreset');
        }
        patches.push(offset);
      }
      return route.continue();
    });
    const urls = await page.evaluate(([endpoint, token, data]) => (window as any).uploadWithUppy(endpoint, token, data, 'film.mp4'), [`${base}/api/uploads`, u.token, readFileSync(FILE).toString('base64')] as const);
    expect(urls).toHaveLength(1);
    expect(cut).toBe(true);
    // after the cut, Uppy asked where to continue and went on from there: nothing was sent twice from the start
    expect(patches[0]).toBe(0);
    expect(patches.filter((o) => o === offsetAtCut)).toHaveLength(1);
    expect(patches.every((o, i) => i === 0 || o > patches[i - 1])).toBe(true);

    const items = (await tp.platform.app.inject({ url: '/api/me/videos', headers: { authorization: `Bearer ${u.token}` } })).json().items;
    expect(items).toHaveLength(1);
    const v = await waitForVideo(tp.platform.app, items[0].id, u.token);
    expect(v.status).toBe('ready');
    expect(v.title).toBe('from uppy');
    expect(v.durationSec).toBeCloseTo(14.08, 1);
    await page.close();
  });
});
