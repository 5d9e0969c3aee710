/**
 * Custom thumbnails through the API: the owner uploads a JPEG or PNG (stored as a JPEG of at most 1280×720 under a
 * new name, shown on cards and in the playback descriptor), picks a frame of the published video (also of an
 * AES-128 encrypted one), or goes back to the generated poster. Bad images, wrong types, strangers and anonymous
 * callers get clear 4xx errors. A thumbnail set while processing survives publish. SQLite and PostgreSQL.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, dbKinds, MEDIA_DIR, registerUser, startTestPlatform, waitForVideo, type TestPlatform } from '../support/platform.js';
import { imageInfo } from '../../src/catalog/image-info.js';

const run = promisify(execFile);
const b64 = (s: string) => Buffer.from(s).toString('base64');

for (const db of dbKinds()) {
  describe(`custom thumbnails on ${db}`, () => {
    let tp: TestPlatform;
    let owner: { token: string };
    let stranger: { token: string };
    let dir: string;
    const images: Record<string, Buffer> = {};
    const app = () => tp.platform.app;

    /** an image made by ffmpeg: a solid colour of this size */
    async function makeImage(name: string, size: string, color: string): Promise<Buffer> {
      const out = join(dir, name);
      await run(tp.platform.tools.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `color=c=${color}:s=${size}`, '-frames:v', '1', '-update', '1', out]);
      return readFileSync(out);
    }

    async function upload(file: string, title: string, encrypt = false): Promise<any> {
      const id = (await app().inject({ method: 'POST', url: '/api/videos', headers: bearer(owner.token), payload: { title, visibility: 'public' } })).json().video.id;
      if (encrypt) expect((await app().inject({ method: 'PUT', url: `/api/videos/${id}/encryption`, headers: bearer(owner.token) })).statusCode).toBe(200);
      const bytes = readFileSync(MEDIA_DIR + file);
      const up = await app().inject({
        method: 'POST',
        url: '/api/uploads',
        headers: { ...bearer(owner.token), 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length), 'upload-metadata': `videoId ${b64(id)},filename ${b64(file)}`, 'content-type': 'application/offset+octet-stream' },
        payload: bytes,
      });
      expect(up.statusCode).toBe(201);
      const v = await waitForVideo(app(), id, owner.token);
      expect(v.status).toBe('ready');
      return v;
    }

    const put = (id: string, body: Buffer | string, type = 'image/png', headers = bearer(owner.token)) =>
      app().inject({ method: 'PUT', url: `/api/videos/${id}/thumbnail`, headers: { ...headers, 'content-type': type }, payload: body });

    /** fetch a thumbnail URL and read what it is */
    async function served(url: string) {
      const res = await app().inject({ url });
      return { status: res.statusCode, type: String(res.headers['content-type']), info: res.statusCode === 200 ? imageInfo(res.rawPayload) : null };
    }

    beforeAll(async () => {
      tp = await startTestPlatform({ db, worker: true });
      dir = mkdtempSync(join(tmpdir(), 'reel-thumbs-'));
      owner = await registerUser(app());
      stranger = await registerUser(app());
      images.bigPng = await makeImage('big.png', '1920x1080', 'red');
      images.jpeg = await makeImage('mid.jpg', '640x360', 'blue');
      images.tiny = await makeImage('tiny.jpg', '100x50', 'green');
    }, 60_000);
    afterAll(async () => {
      await tp?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('uploads a PNG and a JPEG, shows them on cards and in the player, picks a frame and resets to the generated poster', async () => {
      const v = await upload('video_short.mp4', 'thumbs');
      const id = v.id;
      expect(v.thumbnailUrl).toBe(`/media/${id}/thumbnail.jpg`);
      const generated = await served(v.thumbnailUrl);
      expect(generated.status).toBe(200);

      // a 1920×1080 PNG: stored as a 1280×720 JPEG under a new name
      const png = await put(id, images.bigPng, 'image/png');
      expect(png.statusCode).toBe(200);
      const first = png.json().thumbnailUrl as string;
      expect(first).toMatch(new RegExp(`^/media/${id}/thumbs/[a-z0-9]+\\.jpg$`));
      expect(await served(first)).toMatchObject({ status: 200, type: expect.stringMatching(/^image\/jpeg/), info: { format: 'jpeg', width: 1280, height: 720 } });
      // cards (the public listing, the channel's videos) and the watch page's player (descriptor poster) show it
      expect((await app().inject({ url: '/api/videos' })).json().items.find((x: any) => x.id === id).thumbnailUrl).toBe(first);
      expect((await app().inject({ url: `/api/channels/${v.channel.id}/videos` })).json().items[0].thumbnailUrl).toBe(first);
      expect((await app().inject({ url: `/api/videos/${id}/playback` })).json().thumbnailUrl).toBe(first);

      // a JPEG replaces it; the previous file is gone
      const jpg = await put(id, images.jpeg, 'image/jpeg');
      expect(jpg.statusCode).toBe(200);
      const second = jpg.json().thumbnailUrl as string;
      expect(second).not.toBe(first);
      expect(await served(second)).toMatchObject({ status: 200, info: { format: 'jpeg', width: 640, height: 360 } });
      expect((await served(first)).status).toBe(404);

      // a frame of the published video
      const frame = await app().inject({ method: 'POST', url: `/api/videos/${id}/thumbnail/frame`, headers: bearer(owner.token), payload: { atSec: 2.5 } });
      expect(frame.statusCode).toBe(200);
      const third = frame.json().thumbnailUrl as string;
      expect(third).toMatch(/\/thumbs\//);
      // the 720p rung of this film is 1364×720 (its source has non-square pixels): fitted into 1280×720, aspect kept
      const picked = await served(third);
      expect(picked).toMatchObject({ status: 200, info: { format: 'jpeg', width: 1280 } });
      expect(Math.abs(picked.info!.height - (1280 * 720) / 1364)).toBeLessThanOrEqual(1);
      expect((await served(second)).status).toBe(404);
      const late = await app().inject({ method: 'POST', url: `/api/videos/${id}/thumbnail/frame`, headers: bearer(owner.token), payload: { atSec: 999 } });
      expect(late.statusCode).toBe(400);
      expect(late.json().error.code).toBe('invalid_time');

      // back to the generated poster
      const reset = await app().inject({ method: 'DELETE', url: `/api/videos/${id}/thumbnail`, headers: bearer(owner.token) });
      expect(reset.statusCode).toBe(200);
      expect(reset.json().thumbnailUrl).toBe(`/media/${id}/thumbnail.jpg`);
      expect((await served(third)).status).toBe(404);
      expect((await app().inject({ url: `/api/videos/${id}/playback` })).json().thumbnailUrl).toBe(`/media/${id}/thumbnail.jpg`);
    }, 120_000);

    it('picks a frame of an encrypted video', async () => {
      const v = await upload('60fps_720p_small.mp4', 'sealed', true);
      const frame = await app().inject({ method: 'POST', url: `/api/videos/${v.id}/thumbnail/frame`, headers: bearer(owner.token), payload: { atSec: 1 } });
      expect(frame.statusCode).toBe(200);
      expect(await served(frame.json().thumbnailUrl)).toMatchObject({ status: 200, info: { format: 'jpeg', width: 1280, height: 720 } });
    }, 120_000);

    it('refuses bad images, wrong types, strangers and anonymous callers with clear errors', async () => {
      const id = (await app().inject({ method: 'POST', url: '/api/videos', headers: bearer(owner.token), payload: { title: 'refusals' } })).json().video.id;
      await tp.platform.videos.setMediaInfo(id, { durationSec: 10, width: 640, height: 360 });
      await tp.platform.videos.markReady(id, null);
      const error = async (res: Awaited<ReturnType<typeof put>>) => ({ status: res.statusCode, code: res.json().error?.code, message: res.json().error?.message as string });

      expect(await error(await put(id, Buffer.from('GIF89a\x01\x00\x01\x00'), 'image/gif'))).toMatchObject({ status: 415, code: 'unsupported_image' });
      expect(await error(await put(id, JSON.stringify({ image: 'x' }), 'application/json'))).toMatchObject({ status: 415, code: 'unsupported_image' });
      expect(await error(await put(id, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('not really a jpeg at all')]), 'image/jpeg'))).toMatchObject({ status: 400, code: 'invalid_image' });
      expect(await error(await put(id, images.tiny, 'image/jpeg'))).toMatchObject({ status: 400, code: 'image_too_small', message: expect.stringContaining('100×50') });
      expect(await error(await put(id, Buffer.concat([images.jpeg, Buffer.alloc(2 * 1024 * 1024)]), 'image/jpeg'))).toMatchObject({ status: 413, code: 'image_too_large' });
      expect((await put(id, Buffer.alloc(7 * 1024 * 1024, 0xff), 'image/jpeg')).statusCode).toBe(413);
      expect(await error(await put(id, Buffer.alloc(0), 'image/png'))).toMatchObject({ status: 400 });
      // a frame needs renditions: this video was marked ready without any
      expect(await error(await app().inject({ method: 'POST', url: `/api/videos/${id}/thumbnail/frame`, headers: bearer(owner.token), payload: { atSec: 1 } }))).toMatchObject({ status: 409, code: 'frame_unavailable' });
      expect((await app().inject({ method: 'POST', url: `/api/videos/${id}/thumbnail/frame`, headers: bearer(owner.token), payload: { atSec: -1 } })).statusCode).toBe(400);

      expect(await error(await put(id, images.jpeg, 'image/jpeg', bearer(stranger.token)))).toMatchObject({ status: 403, code: 'forbidden' });
      expect(await error(await put(id, images.jpeg, 'image/jpeg', {} as any))).toMatchObject({ status: 401 });
      expect((await app().inject({ method: 'DELETE', url: `/api/videos/${id}/thumbnail`, headers: bearer(stranger.token) })).statusCode).toBe(403);
      expect(await error(await put('00000000-0000-4000-8000-000000000000', images.jpeg, 'image/jpeg'))).toMatchObject({ status: 404, code: 'not_found' });
      // the OpenAPI document says what to send
      const doc = (await app().inject({ url: '/api/openapi.json' })).json();
      expect(Object.keys(doc.paths['/api/videos/{id}/thumbnail'].put.requestBody.content)).toEqual(['image/jpeg', 'image/png']);
      // nothing changed
      expect((await app().inject({ url: `/api/videos/${id}`, headers: bearer(owner.token) })).json().thumbnailUrl).toBeNull();
    });

    it('keeps a thumbnail set while the video is still uploading when it is published', async () => {
      const id = (await app().inject({ method: 'POST', url: '/api/videos', headers: bearer(owner.token), payload: { title: 'early' } })).json().video.id;
      const early = await put(id, images.jpeg, 'image/jpeg');
      expect(early.statusCode).toBe(200);
      // not playable yet: nothing to show
      expect(early.json().thumbnailUrl).toBeNull();
      await tp.platform.videos.setMediaInfo(id, { durationSec: 10, width: 640, height: 360 });
      await tp.platform.videos.markReady(id, `videos/${id}/thumbnail.jpg`);
      const v = (await app().inject({ url: `/api/videos/${id}` })).json();
      expect(v.thumbnailUrl).toMatch(new RegExp(`^/media/${id}/thumbs/`));
      expect(await served(v.thumbnailUrl)).toMatchObject({ status: 200, info: { width: 640, height: 360 } });
    });
  });
}
