/**
 * Optional VP9/AV1 renditions: from the profile at upload time, or added later to a published video
 * without touching its H.264 renditions (from the top H.264 rendition, since the source was deleted).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMasterPlaylist } from '../../src/core/hls.js';
import { registerUser, startTestPlatform, waitForVideo, type TestPlatform, uploadMedia } from '../support/platform.js';

const FILE = 'video_short.mp4'; // 125 frames at 25 fps

async function upload(tp: TestPlatform, token: string): Promise<string> {
  return uploadMedia(tp.platform.app, token, FILE);
}

/** Decode a rendition straight from the blob store: frames, codec, size. */
function probeRendition(tp: TestPlatform, id: string, name: string) {
  const dir = join(tp.config.blobDir, 'videos', id, name);
  const out = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height,nb_read_frames', '-of', 'json', join(dir, 'index.m3u8')]);
  return JSON.parse(String(out)).streams[0];
}

describe('extra codecs', () => {
  describe('AV1 from the pipeline profile', () => {
    let tp: TestPlatform;
    beforeAll(async () => {
      const profile = JSON.parse(readFileSync(new URL('../../pipelines/default.json', import.meta.url), 'utf8'));
      profile.video.codecs = ['h264', 'av1'];
      const path = join(process.env.TMPDIR ?? '/tmp', `reel-profile-av1-${process.pid}.json`);
      writeFileSync(path, JSON.stringify(profile));
      tp = await startTestPlatform({ worker: true, env: { PIPELINE_PROFILE: path, WORKER_CONCURRENCY: '2' } });
    });
    afterAll(async () => tp?.close());

    it('publishes H.264 and AV1 ladders, each with its own master playlist', async () => {
      const { token } = await registerUser(tp.platform.app);
      const id = await upload(tp, token);
      const v = await waitForVideo(tp.platform.app, id, token, 300_000);
      expect(v.status).toBe('ready');
      expect(v.manifests).toEqual({ h264: `/media/${id}/master.m3u8`, av1: `/media/${id}/master-av1.m3u8` });
      const av1 = parseMasterPlaylist((await tp.platform.app.inject({ url: v.manifests.av1 })).body);
      expect(av1.variants.map((x) => x.uri)).toEqual(['144p-av1/index.m3u8', '240p-av1/index.m3u8', '360p-av1/index.m3u8', '480p-av1/index.m3u8', '720p-av1/index.m3u8']);
      expect(av1.variants.every((x) => /^av01\.0\.\d\dM\.08,mp4a\.40\.2$/.test(x.codecs!))).toBe(true);
      const h264 = parseMasterPlaylist((await tp.platform.app.inject({ url: v.manifests.h264 })).body);
      expect(h264.variants.every((x) => x.codecs!.startsWith('avc1.'))).toBe(true);
      expect(probeRendition(tp, id, '720p-av1')).toMatchObject({ codec_name: 'av1', width: 1364, height: 720, nb_read_frames: '125' });
    });
  });

  describe('VP9 added after publishing', () => {
    let tp: TestPlatform;
    beforeAll(async () => {
      tp = await startTestPlatform({ worker: true, env: { WORKER_CONCURRENCY: '2' } });
    });
    afterAll(async () => tp?.close());

    it('encodes every chunk in VP9 from the best H.264 rendition and leaves H.264 untouched', async () => {
      const app = tp.platform.app;
      const { token } = await registerUser(app);
      const auth = { authorization: `Bearer ${token}` };
      const id = await upload(tp, token);
      const v = await waitForVideo(app, id, token);
      expect(v.status).toBe('ready');
      expect(await tp.platform.blobs.list(`sources/${id}`)).toEqual([]); // the source is gone
      const h264Before = await tp.platform.blobs.list(`videos/${id}/720p/`);
      const statsBefore = await Promise.all(h264Before.map((k) => tp.platform.blobs.stat(k)));
      const masterBefore = (await app.inject({ url: `/media/${id}/master.m3u8` })).body;

      const add = await app.inject({ method: 'POST', url: `/api/videos/${id}/codecs`, headers: auth, payload: { codec: 'vp9' } });
      expect(add.statusCode).toBe(202);
      expect(add.json().tasks).toBeGreaterThan(1);
      for (let i = 0; ; i++) {
        const tasks = (await app.inject({ url: `/api/videos/${id}/tasks`, headers: auth })).json().items;
        const pkg = tasks.find((t: any) => t.key === 'package.vp9');
        if (pkg?.state === 'done') break;
        expect(['waiting', 'queued', 'running']).toContain(pkg.state);
        expect((await app.inject({ url: `/api/videos/${id}`, headers: auth })).json().status).toBe('ready'); // playable throughout
        expect(i).toBeLessThan(1200);
        await new Promise((r) => setTimeout(r, 100));
      }
      const after = (await app.inject({ url: `/api/videos/${id}`, headers: auth })).json();
      expect(after.manifests.vp9).toBe(`/media/${id}/master-vp9.m3u8`);
      expect(after.renditions.filter((r: any) => r.codec === 'vp9').map((r: any) => r.name)).toEqual(['144p-vp9', '240p-vp9', '360p-vp9', '480p-vp9', '720p-vp9']);
      expect(probeRendition(tp, id, '720p-vp9')).toMatchObject({ codec_name: 'vp9', width: 1364, height: 720, nb_read_frames: '125' });
      expect(probeRendition(tp, id, '144p-vp9')).toMatchObject({ codec_name: 'vp9', nb_read_frames: '125' });
      // H.264 untouched: same files, same bytes on disk, same master playlist
      expect(await tp.platform.blobs.list(`videos/${id}/720p/`)).toEqual(h264Before);
      expect(await Promise.all(h264Before.map((k) => tp.platform.blobs.stat(k)))).toEqual(statsBefore);
      expect((await app.inject({ url: `/media/${id}/master.m3u8` })).body).toBe(masterBefore);
      const again = await app.inject({ method: 'POST', url: `/api/videos/${id}/codecs`, headers: auth, payload: { codec: 'vp9' } });
      expect(again.json().tasks).toBe(0); // idempotent: nothing is encoded twice
    });
  });
});
