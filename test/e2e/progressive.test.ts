/**
 * Progressive availability: a video is playable while it is still processing. Its media playlists are EVENT
 * playlists that grow chunk by chunk and end (ENDLIST) when complete; the master lists every planned rung; and
 * a viewer who started early keeps watching, then gets higher rungs, without reloading the page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { parseMasterPlaylist, parseMediaPlaylist } from '../../src/core/hls.js';
import { MEDIA_DIR, registerUser, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { tusUpload } from '../support/tus-upload.js';

const SOURCE = join(tmpdir(), 'reel-progressive-48s-720p.mp4');

function makeSource() {
  if (existsSync(SOURCE) && statSync(SOURCE).size > 0) return;
  // the film looped to 48 s: long enough for several chunks
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-stream_loop', '3', '-i', MEDIA_DIR + 'the_last_man_on_earth.mp4', '-t', '48', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', SOURCE]);
}

describe('progressive availability', () => {
  let tp: TestPlatform;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    makeSource();
    // one task at a time so the video stays in processing long enough to observe
    tp = await startTestPlatform({ worker: true, env: { WORKER_CONCURRENCY: '1', X264_PRESET: 'veryfast' } });
    const address = await tp.platform.app.listen({ port: 0, host: '127.0.0.1' });
    base = address;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await tp?.close();
  });

  it('plays the opening seconds while processing, the playlists grow to VOD, and higher rungs join without a reload', async () => {
    const u = await registerUser(tp.platform.app);
    const created = await fetch(`${base}/api/videos`, { method: 'POST', headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ title: 'progressive' }) });
    const { video } = await created.json();
    await tusUpload({ endpoint: `${base}/api/uploads`, token: u.token, file: SOURCE, chunkSize: 8 * 1024 * 1024, metadata: { videoId: video.id } });
    const get = async (path: string) => fetch(base + path, { headers: { authorization: `Bearer ${u.token}` } });

    // 1. playable before ready
    let v: any;
    for (;;) {
      v = await (await get(`/api/videos/${video.id}`)).json();
      if (v.playable || v.status === 'ready' || v.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(v.status).toBe('processing');
    expect(v.playable).toBe(true);
    expect(v.hlsUrl).toBe(`/media/${video.id}/master.m3u8`);

    const master = parseMasterPlaylist(await (await get(v.hlsUrl)).text());
    expect(master.variants.map((x) => x.resolution)).toEqual(['256x144', '426x240', '640x360', '854x480', '1280x720']);
    const lowest = await (await get(`/media/${video.id}/144p/index.m3u8`)).text();
    expect(lowest).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    expect(lowest).not.toContain('#EXT-X-ENDLIST');
    const early = parseMediaPlaylist(lowest);
    expect(early.segments.length).toBeGreaterThan(0);
    for (const s of early.segments) expect((await get(`/media/${video.id}/144p/${s.uri}`)).status).toBe(200);

    // 2. a viewer starts now, while it is processing
    const page = await browser.newPage();
    await page.goto(`${base}/watch/${video.id}`);
    await page.evaluate(() => ((window as any).__sameDocument = true));
    await page.waitForFunction(() => (window as any).reelPlayer?.video.currentTime > 1, null, { timeout: 60_000 });
    const statusWhilePlaying = (await (await get(`/api/videos/${video.id}`)).json()).status;
    expect(statusWhilePlaying).toBe('processing');

    // 3. the lowest rung's playlist grows, then ends as VOD content
    let grown = early.segments.length;
    for (;;) {
      const text = await (await get(`/media/${video.id}/144p/index.m3u8`)).text();
      grown = Math.max(grown, parseMediaPlaylist(text).segments.length);
      v = await (await get(`/api/videos/${video.id}`)).json();
      if (v.status !== 'processing') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(v.status).toBe('ready');
    expect(grown).toBeGreaterThan(early.segments.length);
    const final = parseMediaPlaylist(await (await get(`/media/${video.id}/144p/index.m3u8`)).text());
    expect(final.ended).toBe(true);
    expect(final.segments.reduce((a, s) => a + s.durationSec, 0)).toBeCloseTo(48, 0);

    // 4. the same page (no reload) moves above the lowest rung once higher ones exist
    await page.waitForFunction(() => (window as any).reelPlayer.hls.autoLevelCapping === -1, null, { timeout: 30_000 });
    await page.selectOption('#quality', '4');
    await page.waitForFunction(() => (window as any).reelPlayer.video.videoHeight === 720, null, { timeout: 30_000 });
    expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
    // playback crosses chunk boundaries (2 s, 10 s) without an error
    await page.waitForFunction(() => (window as any).reelPlayer.video.currentTime > 12, null, { timeout: 60_000 });
    const err = await page.evaluate(() => (window as any).reelPlayer.video.error);
    expect(err).toBeNull();
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/progressive.png' });
    // a 48 s transcode with the browser playing along: minutes on a loaded 2-core machine
  }, 300_000);
});
