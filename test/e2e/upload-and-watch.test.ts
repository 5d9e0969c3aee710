/**
 * End to end, as a user would: register, upload a real film with the real tus-js-client (cut the connection
 * part-way and resume it), let the real worker transcode it with real ffmpeg, check every HLS rung with ffprobe
 * over HTTP, then watch it in headless Chromium with hls.js and switch qualities by hand.
 *
 * Nothing is mocked. There are no timing assertions: every wait has a timeout only as a guard.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_DIR, registerUser, startTestPlatform, waitForVideo, type TestPlatform } from '../support/platform.js';
import { tusUpload } from '../support/tus-upload.js';

const run = promisify(execFile);

const SOURCE = `${MEDIA_DIR}the_last_man_on_earth.mp4`;
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

/** ffprobe with an argument list (never a shell string); returns its parsed JSON and whatever it said on stderr. */
async function ffprobe(args: string[]): Promise<{ json: any; stderr: string }> {
  const { stdout, stderr } = await run('ffprobe', ['-v', 'error', ...args, '-of', 'json'], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
  return { json: JSON.parse(stdout), stderr: stderr.trim() };
}

const rate = (r: string): number => {
  const [n, d] = r.split('/').map(Number);
  return d ? n / d : n;
};

/** Minimal, independent reading of a master playlist: each variant's attributes and URI. */
function readMaster(text: string): Array<{ uri: string; resolution: string; frameRate: number; codecs: string }> {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  expect(lines[0]).toBe('#EXTM3U');
  const out: Array<{ uri: string; resolution: string; frameRate: number; codecs: string }> = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('#EXT-X-STREAM-INF:')) continue;
    const attrs = lines[i].slice('#EXT-X-STREAM-INF:'.length);
    out.push({
      uri: lines[i + 1],
      resolution: /RESOLUTION=(\d+x\d+)/.exec(attrs)?.[1] ?? '',
      frameRate: Number(/FRAME-RATE=([\d.]+)/.exec(attrs)?.[1] ?? NaN),
      codecs: /CODECS="([^"]+)"/.exec(attrs)?.[1] ?? '',
    });
  }
  return out;
}

/** Sum of the EXTINF durations of a media playlist. */
function playlistDuration(text: string): { seconds: number; ended: boolean } {
  let seconds = 0;
  for (const m of text.matchAll(/^#EXTINF:([\d.]+)/gm)) seconds += Number(m[1]);
  return { seconds, ended: /^#EXT-X-ENDLIST/m.test(text) };
}

async function sha256(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const h = createHash('sha256');
  for await (const c of stream) h.update(c);
  return h.digest('hex');
}

describe('upload, transcode and watch a real film', () => {
  let tp: TestPlatform;
  let base: string;
  let token: string;
  let videoId: string;
  let browser: Browser | undefined;
  let page: Page | undefined;
  const sourceBytes = statSync(SOURCE).size;

  beforeAll(async () => {
    // KEEP_SOURCE so the stored upload can be compared byte for byte with the original after the resume
    tp = await startTestPlatform({ worker: true, env: { KEEP_SOURCE: 'true' } });
    await tp.platform.app.listen({ port: 0, host: '127.0.0.1' });
    const addr = tp.platform.app.server.address();
    if (!addr || typeof addr === 'string') throw new Error(`unexpected listen address ${String(addr)}`);
    base = `http://127.0.0.1:${addr.port}`;
    ({ token } = await registerUser(tp.platform.app));
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await tp?.close();
  });

  it('uploads with tus-js-client, survives a cut at 42% and resumes where the server left off', async () => {
    const auth = { Authorization: `Bearer ${token}` };
    // the metadata first, as the upload page does; the upload names the video it belongs to
    const created = await fetch(`${base}/api/videos`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ title: 'The Last Man on Earth' }) });
    expect(created.status).toBe(201);
    const { video, upload: uploadInfo } = (await created.json()) as any;
    videoId = video.id;
    expect(video.status).toBe('uploading');
    const endpoint = `${base}${uploadInfo.endpoint}`;
    expect(endpoint).toBe(`${base}/api/uploads`);

    // 1. start with small chunks and cut the connection once 42% has been sent
    let acknowledged = 0; // highest offset the server confirmed in a PATCH response before the cut
    let cut!: () => void;
    let failed!: (e: unknown) => void;
    const reached42 = new Promise<void>((res, rej) => ((cut = res), (failed = rej)));
    const first = new tus.Upload(createReadStream(SOURCE) as any, {
      endpoint,
      uploadSize: sourceBytes,
      chunkSize: 64 * 1024,
      headers: auth,
      metadata: { filename: basename(SOURCE), ...uploadInfo.metadata },
      retryDelays: [],
      onChunkComplete: (_chunk, accepted) => (acknowledged = Math.max(acknowledged, accepted)),
      onProgress: (sent) => sent >= 0.42 * sourceBytes && cut(),
      onError: (e) => failed(e),
      onSuccess: () => failed(new Error('the upload finished before it could be cut')),
    });
    first.start();
    await reached42;
    await first.abort();
    const uploadUrl = first.url;
    expect(uploadUrl).toMatch(new RegExp(`^${base}/api/uploads/[^/]+$`));
    expect(acknowledged).toBeGreaterThan(0);

    // 2. the server kept what it received: HEAD reports a partial offset, at least what it acknowledged
    const head = await fetch(uploadUrl!, { method: 'HEAD', headers: { ...auth, 'Tus-Resumable': '1.0.0' } });
    expect(head.status).toBe(200);
    const offset = Number(head.headers.get('upload-offset'));
    expect(Number(head.headers.get('upload-length'))).toBe(sourceBytes);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeGreaterThanOrEqual(acknowledged);
    expect(offset).toBeLessThan(sourceBytes);
    expect((await tp.platform.videos.row(videoId))?.status).toBe('uploading');

    // 3. resume at the same URL: no new upload is created and nothing before the offset is sent again
    let lowestProgress = Infinity;
    const resumed = await tusUpload({
      endpoint,
      token,
      file: SOURCE,
      uploadUrl: uploadUrl!,
      onProgress: (sent) => (lowestProgress = Math.min(lowestProgress, sent)),
    });
    expect(resumed.url).toBe(uploadUrl);
    expect(lowestProgress).toBeGreaterThanOrEqual(offset);

    // 4. processing finishes, and the stored source is the original file byte for byte
    const ready = await waitForVideo(tp.platform.app, videoId, token, 110_000);
    expect(ready.error).toBeNull();
    expect(ready.status).toBe('ready');
    expect(ready.hlsUrl).toBe(`/media/${videoId}/master.m3u8`);
    const row = await tp.platform.videos.row(videoId);
    expect(row?.source_key).toBeTruthy();
    expect(await sha256(await tp.platform.blobs.get(row!.source_key!))).toBe(await sha256(createReadStream(SOURCE)));
  }, 120_000);

  it('publishes an HLS ladder whose every rung decodes, has the rendition size and lasts as long as the source', async () => {
    expect(videoId).toBeTruthy();
    // the source's video stream, decoded: its own duration, frame rate and frame count
    const src = (await ffprobe(['-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,duration,r_frame_rate,avg_frame_rate,nb_read_frames', SOURCE])).json.streams[0];
    const srcDuration = Number(src.duration);
    const srcFps = rate(src.avg_frame_rate);
    expect(srcDuration).toBeGreaterThan(10);
    expect(Number(src.nb_read_frames)).toBeGreaterThan(0);

    const masterUrl = `${base}/media/${videoId}/master.m3u8`;
    const masterRes = await fetch(masterUrl);
    expect(masterRes.status).toBe(200);
    const variants = readMaster(await masterRes.text());
    // a 1280x720 source gets the whole ladder up to its own height, and nothing above
    expect(variants.map((v) => Number(v.resolution.split('x')[1])).sort((a, b) => a - b)).toEqual([144, 240, 360, 480, 720]);
    const api = (await (await fetch(`${base}/api/videos/${videoId}`)).json()) as any;
    expect(api.renditions).toHaveLength(variants.length);

    for (const v of variants) {
      const [width, height] = v.resolution.split('x').map(Number);
      const where = `rung ${v.uri} (${v.resolution})`;
      expect(v.uri, where).toMatch(new RegExp(`^${height}p/index\\.m3u8$`));
      expect(api.renditions.find((r: any) => r.playlist === v.uri), where).toMatchObject({ width, height, name: `${height}p` });
      // aspect kept (to the even pixel)
      expect(Math.abs(width / height - Number(src.width) / Number(src.height)), where).toBeLessThan(2 / height);

      const url = new URL(v.uri, masterUrl).href;
      const probe = await ffprobe(['-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height,sample_aspect_ratio,r_frame_rate,nb_read_frames', url]);
      expect(probe.stderr, `${where}: ffprobe reported decode errors`).toBe('');
      const s = probe.json.streams?.[0];
      expect(s, `${where}: no video stream`).toBeTruthy();
      expect(s.codec_name, where).toBe('h264');
      expect({ width: s.width, height: s.height }, where).toEqual({ width, height });
      expect(['1:1', undefined, 'N/A'], `${where}: non-square pixels`).toContain(s.sample_aspect_ratio);

      // like with like: frames decoded / frame rate against the source's video stream duration, to one frame
      const fps = rate(s.r_frame_rate);
      expect(Math.abs(fps - v.frameRate), `${where}: FRAME-RATE in the master`).toBeLessThan(0.001 + 1e-9);
      expect(fps, `${where}: frame rate above the source`).toBeLessThanOrEqual(srcFps + 1e-6);
      const frames = Number(s.nb_read_frames);
      const duration = frames / fps;
      const oneFrame = 1 / fps;
      expect(Math.abs(duration - srcDuration), `${where}: ${frames} frames at ${fps.toFixed(3)} fps = ${duration.toFixed(4)} s vs source ${srcDuration} s`).toBeLessThanOrEqual(oneFrame + 1e-6);

      // and the playlist announces the same length, and is complete
      const pl = playlistDuration(await (await fetch(url)).text());
      expect(pl.ended, `${where}: no #EXT-X-ENDLIST`).toBe(true);
      expect(Math.abs(pl.seconds - srcDuration), `${where}: EXTINF total ${pl.seconds.toFixed(4)} s vs source ${srcDuration} s`).toBeLessThanOrEqual(oneFrame + 1e-6);
    }

    // the audio rendition decodes too
    const audio = await ffprobe(['-count_frames', '-select_streams', 'a:0', '-show_entries', 'stream=codec_name,channels,nb_read_frames', `${base}/media/${videoId}/audio/index.m3u8`]);
    expect(audio.stderr).toBe('');
    expect(audio.json.streams[0]).toMatchObject({ codec_name: 'aac', channels: 2 });
    expect(Number(audio.json.streams[0].nb_read_frames)).toBeGreaterThan(0);
  }, 120_000);

  it('plays in Chromium with hls.js and switches to the quality the viewer picks', async () => {
    expect(videoId).toBeTruthy();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const p = page;

    const media: string[] = []; // every /media/ URL the page asks for, in order
    const notes: string[] = [];
    p.on('request', (r) => r.url().includes('/media/') && media.push(r.url()));
    p.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && notes.push(`console.${m.type()}: ${m.text()}`));
    p.on('pageerror', (e) => notes.push(`pageerror: ${e.message}`));
    p.on('requestfailed', (r) => notes.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`));

    const state = () =>
      p.evaluate(() => {
        const v = document.getElementById('player') as HTMLVideoElement;
        const hls = (window as any).reelPlayer?.hls;
        return {
          state: document.getElementById('state')?.textContent,
          level: document.getElementById('current-level')?.textContent,
          currentTime: v.currentTime,
          paused: v.paused,
          readyState: v.readyState,
          videoHeight: v.videoHeight,
          error: v.error?.message ?? v.error?.code ?? null,
          hlsLevel: hls?.currentLevel,
        };
      });
    /** Wait for a condition in the page; on timeout, say what the page looked like. */
    async function waitFor(what: string, fn: (arg: any) => boolean, arg: unknown, timeout = 30_000): Promise<void> {
      try {
        await p.waitForFunction(fn, arg, { timeout, polling: 100 });
      } catch (err) {
        const snapshot = await state().catch((e) => String(e));
        throw new Error(`${what}: ${(err as Error).message.split('\n')[0]}\npage: ${JSON.stringify(snapshot)}\n${notes.join('\n')}\nlast media requests:\n${media.slice(-8).join('\n')}`);
      }
    }

    const response = await p.goto(`${base}/watch/${videoId}`);
    expect(response?.status()).toBe(200);

    // MSE playback through hls.js, not a native <video src=m3u8>
    await waitFor('the player was not created', () => !!(window as any).reelPlayer?.hls, undefined);
    expect(await p.evaluate(() => (window as any).reelPlayer.video.currentSrc as string)).toMatch(/^blob:/);
    await waitFor('playback did not advance past 1.5 s', () => (window as any).reelPlayer.video.currentTime > 1.5, undefined);
    expect((await state()).error).toBeNull();

    // the quality menu lists Auto and each rung, by level index
    const options = await p.$$eval('#quality option', (os) => os.map((o) => ({ value: (o as HTMLOptionElement).value, label: o.textContent ?? '' })));
    expect(options[0]).toEqual({ value: '-1', label: 'Auto' });
    expect(options.slice(1).map((o) => o.label).sort((a, b) => parseInt(a) - parseInt(b))).toEqual(['144p', '240p', '360p', '480p', '720p']);
    const levels = await p.evaluate(() => (window as any).reelPlayer.hls.levels.map((l: any) => ({ height: l.height, uri: String(l.uri ?? l.url) })));

    /** Pick `label` in the menu, then check the player plays that rung and fetches only that rung from then on. */
    async function choose(label: string): Promise<void> {
      const option = options.find((o) => o.label === label)!;
      const index = Number(option.value);
      const height = parseInt(label);
      expect(levels[index].height).toBe(height);
      const rungPath = `/media/${videoId}/${label}/`;
      expect(levels[index].uri).toContain(`${rungPath}index.m3u8`);
      // the film lasts 14 s: on a slow machine it could end before a switch shows; watch from near the start
      await p.evaluate(() => {
        const v = (window as any).reelPlayer.video as HTMLVideoElement;
        if (v.currentTime > 4 || v.ended) v.currentTime = 0.5;
        return v.play().catch(() => {});
      });
      await waitFor('playback did not resume near the start', () => !(window as any).reelPlayer.video.paused && (window as any).reelPlayer.video.currentTime < 6, undefined);
      const mark = media.length;

      await p.selectOption('#quality', option.value);

      await waitFor(`hls.js did not switch to ${label}`, (i) => (window as any).reelPlayer.hls.currentLevel === i, index);
      await waitFor(`the page did not report ${label}`, (t) => document.getElementById('current-level')?.textContent === t, `Playing ${label}`);
      // a busy machine can play the rest of the short film from the old buffer before the new rung's frames are
      // decoded; if the film ends first, start it again, as a viewer would, and keep watching for the new frames
      await waitFor(`the video did not show ${label} frames`, (h) => {
        const v = (window as any).reelPlayer.video as HTMLVideoElement;
        if (v.videoHeight === h) return true;
        if (v.ended) { v.currentTime = 0.5; void v.play().catch(() => {}); }
        return false;
      }, height, 60_000);
      const shownAt = (await state()).currentTime;
      await waitFor(`playback did not go on after switching to ${label}`, (t) => {
        const v = (window as any).reelPlayer.video as HTMLVideoElement;
        if (v.ended) { v.currentTime = 0.5; void v.play().catch(() => {}); return false; }
        return v.currentTime > t + 0.2 || (v.currentTime < t && v.currentTime > 0.7);
      }, shownAt);
      expect((await state()).videoHeight, `${label} frames stopped showing`).toBe(height);

      const after = media.slice(mark);
      const firstOfRung = after.findIndex((u) => u.includes(rungPath) && u.endsWith('.m4s'));
      expect(firstOfRung, `no ${label} segment requested after choosing it:\n${after.join('\n')}`).toBeGreaterThanOrEqual(0);
      // from the first request for the chosen rung on, every video request is for that rung
      const videoRungs = after.slice(firstOfRung).filter((u) => /\/media\/[^/]+\/\d+p\//.test(u));
      expect(videoRungs.filter((u) => !u.includes(rungPath)), `requests for other rungs after choosing ${label}`).toEqual([]);
      expect((await state()).error).toBeNull();
      expect(await p.evaluate(() => (window as any).reelPlayer.hls.autoLevelEnabled)).toBe(false);
    }

    const lowest = options.slice(1).reduce((a, b) => (parseInt(a.label) <= parseInt(b.label) ? a : b)).label;
    const highest = options.slice(1).reduce((a, b) => (parseInt(a.label) >= parseInt(b.label) ? a : b)).label;
    // make the manual choice observable: the lowest rung must not already be the one Auto is playing
    const lowestIndex = Number(options.find((o) => o.label === lowest)!.value);
    await waitFor('Auto never left the lowest rung', (i) => {
      const hls = (window as any).reelPlayer.hls;
      return hls.currentLevel >= 0 && hls.currentLevel !== i;
    }, lowestIndex);

    await choose(lowest);
    await choose(highest);

    mkdirSync(ARTIFACTS, { recursive: true });
    await p.screenshot({ path: `${ARTIFACTS}watch.png` });
    expect(readFileSync(`${ARTIFACTS}watch.png`).subarray(1, 4).toString()).toBe('PNG');
    // no playback error was shown at any point up to here
    const final = await state();
    expect(final.state).toBe('');
    expect(final.error).toBeNull();
  }, 240_000);
});
