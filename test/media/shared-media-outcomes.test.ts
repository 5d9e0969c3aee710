/**
 * Every file of ../shared/media through the real pipeline (tus upload, validation, ffmpeg, publish):
 * the right outcome, a clear reason for bad files, and nothing half-made left in the blob store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseMasterPlaylist, parseMediaPlaylist } from '../../src/core/hls.js';
import { dbKinds, MEDIA_DIR, registerUser, startTestPlatform, waitForVideo, type TestPlatform } from '../support/platform.js';

interface Expectation {
  file: string;
  status: 'ready' | 'failed';
  rungs?: string[];
  top?: [number, number];
  audio?: boolean;
  errorCode?: string;
}

const FULL: Expectation[] = [
  { file: 'the_last_man_on_earth.mp4', status: 'ready', rungs: ['144p', '240p', '360p', '480p', '720p'], top: [1280, 720], audio: true },
  { file: 'video_short_4k.mp4', status: 'ready', rungs: ['144p', '240p', '360p', '480p', '720p', '1080p', '1440p', '2160p'], top: [3840, 2160], audio: true },
  { file: '60fps_720p_small.mp4', status: 'ready', rungs: ['144p', '240p', '360p', '480p', '720p'], top: [1280, 720], audio: true },
  // these title cards are 1280x720 stored with non-square pixels (SAR 241:226, DAR 1928:1017): square-pixel output keeps the display aspect
  { file: 'video_short.mp4', status: 'ready', rungs: ['144p', '240p', '360p', '480p', '720p'], top: [1364, 720], audio: true },
  { file: 'video_short.webm', status: 'ready', rungs: ['144p', '240p', '360p', '480p', '720p'], top: [1366, 720], audio: true }, // SAR 273:256
  { file: 'video_short.avi', status: 'ready', rungs: ['144p', '240p', '360p', '480p', '720p'], top: [1364, 720], audio: true },
  { file: 'video_short_no_audio.mp4', status: 'ready', rungs: ['144p', '240p', '360p', '480p', '720p'], top: [1364, 720], audio: false },
  { file: 'low-bitrate.mp4', status: 'ready', rungs: ['144p', '240p', '360p', '480p', '720p', '1080p'], top: [1080, 1080], audio: false },
  // 10x8 stored, SAR 7712:5085 -> displayed 15.2x8 -> one tiny rung, never upscaled to 144p
  { file: 'video_very_long_10p.mp4', status: 'ready', rungs: ['8p'], top: [16, 8], audio: true },
  { file: 'video_short_0p.mp4', status: 'failed', errorCode: 'no_video_stream' },
  { file: 'sample.ogg', status: 'failed', errorCode: 'no_video_stream' },
  { file: 'video_short_fake.webm', status: 'failed', errorCode: 'unsupported_format' },
];

const SUBSET = new Set(['video_short.mp4', 'video_short_no_audio.mp4', 'video_short_fake.webm', 'sample.ogg']);

for (const db of dbKinds()) {
  describe(`shared media outcomes on ${db}`, () => {
    let tp: TestPlatform;
    let token: string;
    beforeAll(async () => {
      tp = await startTestPlatform({ db, worker: true, env: { WORKER_CONCURRENCY: '2' } });
      token = (await registerUser(tp.platform.app)).token;
    });
    afterAll(async () => tp?.close());

    const cases = db === 'sqlite' ? FULL : FULL.filter((c) => SUBSET.has(c.file));
    it.each(cases)('$file -> $status $errorCode', async (c) => {
      const app = tp.platform.app;
      const bytes = readFileSync(MEDIA_DIR + c.file);
      const up = await app.inject({
        method: 'POST',
        url: '/api/uploads',
        headers: {
          authorization: `Bearer ${token}`,
          'tus-resumable': '1.0.0',
          'upload-length': String(bytes.length),
          'upload-metadata': `filename ${Buffer.from(c.file).toString('base64')}`,
          'content-type': 'application/offset+octet-stream',
        },
        payload: bytes,
      });
      expect(up.statusCode).toBe(201);
      expect(up.headers['upload-offset']).toBe(String(bytes.length));
      const id = String(up.headers['reel-video-id']);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);

      const v = await waitForVideo(app, id, token, 300_000);
      expect(v.status).toBe(c.status);
      const blobs = await tp.platform.blobs.list(`videos/${id}/`);
      // the raw upload is gone either way (not configured to keep it)
      expect(await tp.platform.blobs.list(`sources/${id}`)).toEqual([]);

      if (c.status === 'failed') {
        expect(v.error.code).toBe(c.errorCode);
        expect(v.error.message.length).toBeGreaterThan(15);
        expect(blobs).toEqual([]);
        expect(v.hlsUrl).toBeNull();
        const tasks = (await app.inject({ url: `/api/videos/${id}/tasks`, headers: { authorization: `Bearer ${token}` } })).json().items;
        // bad media fails at its first inspection, without retries, and nothing else runs
        expect(tasks.find((t: any) => t.key === 'inspect')).toMatchObject({ state: 'failed', attempts: 1 });
        for (const t of tasks.filter((t: any) => t.key !== 'inspect')) expect(t).toMatchObject({ state: 'cancelled', attempts: 0 });
        return;
      }

      expect(v.renditions.map((r: any) => r.name)).toEqual(c.rungs);
      const top = v.renditions.at(-1);
      expect([top.width, top.height]).toEqual(c.top);
      const master = await app.inject({ url: v.hlsUrl });
      expect(master.statusCode).toBe(200);
      expect(master.headers['content-type']).toBe('application/vnd.apple.mpegurl');
      const parsed = parseMasterPlaylist(master.body);
      expect(parsed.variants.map((x) => x.resolution)).toEqual(v.renditions.map((r: any) => `${r.width}x${r.height}`));
      expect(parsed.audio.length > 0).toBe(c.audio);
      for (const r of v.renditions) {
        expect(blobs).toContain(`videos/${id}/${r.name}/init.mp4`);
        const media = parseMediaPlaylist((await app.inject({ url: `/media/${id}/${r.playlist}` })).body);
        expect(media.ended).toBe(true);
        expect(media.segments.length).toBeGreaterThan(0);
        for (const s of media.segments) expect(blobs).toContain(`videos/${id}/${r.name}/${s.uri}`);
        expect(media.segments.reduce((a, s) => a + s.durationSec, 0)).toBeCloseTo(v.durationSec, 0);
        expect(r.bandwidth).toBeGreaterThan(0);
      }
      if (c.audio) {
        // audio and video end together: no drift accumulated across chunk boundaries
        const audio = parseMediaPlaylist((await app.inject({ url: `/media/${id}/audio/index.m3u8` })).body);
        const top = parseMediaPlaylist((await app.inject({ url: `/media/${id}/${v.renditions.at(-1).playlist}` })).body);
        const total = (p: typeof audio) => p.segments.reduce((a, s) => a + s.durationSec, 0);
        expect(Math.abs(total(audio) - total(top))).toBeLessThan(0.15);
      }
      if (c.file === '60fps_720p_small.mp4') {
        expect(v.renditions.find((r: any) => r.name === '720p').fps).toBeCloseTo(60, 0);
        expect(v.renditions.find((r: any) => r.name === '480p').fps).toBe(30);
      }
      const thumb = await app.inject({ url: v.thumbnailUrl });
      expect(thumb.statusCode).toBe(200);
      expect(thumb.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
      // listed publicly once ready
      expect((await app.inject({ url: '/api/videos?limit=100' })).json().items.map((x: any) => x.id)).toContain(id);
    });
  });
}
