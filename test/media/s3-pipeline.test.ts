/**
 * The whole pipeline on an S3-compatible blob store: the source goes to the bucket, workers read it through
 * presigned URLs (ffmpeg fetching byte ranges), renditions land in the bucket and the origin serves them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { parseMasterPlaylist, parseMediaPlaylist } from '../../src/core/hls.js';
import { registerUser, startTestPlatform, waitForVideo, type TestPlatform, uploadMedia } from '../support/platform.js';

describe('pipeline on S3 (s3rver)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reel-s3p-'));
  let server: any;
  let tp: TestPlatform;
  beforeAll(async () => {
    server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: 'media', configs: [] }] });
    const { port } = await server.run();
    tp = await startTestPlatform({
      worker: true,
      env: { BLOB_STORE: 's3', S3_BUCKET: 'media', S3_PREFIX: 'reel/', S3_ENDPOINT: `http://127.0.0.1:${port}`, S3_FORCE_PATH_STYLE: 'true', S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER' },
    });
  });
  afterAll(async () => {
    await tp?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uploads, processes and serves a video with every blob in the bucket', async () => {
    const app = tp.platform.app;
    const { token } = await registerUser(app);
    const id = await uploadMedia(app, token, 'the_last_man_on_earth.mp4');
    const v = await waitForVideo(app, id, token);
    expect(v.error).toBeNull();
    expect(v.status).toBe('ready');
    expect(tp.platform.blobs.kind).toBe('s3');
    const keys = await tp.platform.blobs.list(`videos/${id}/`);
    expect(keys).toContain(`videos/${id}/master.m3u8`);
    expect(keys).toContain(`videos/${id}/720p/init.mp4`);
    expect(await tp.platform.blobs.list(`sources/${id}`)).toEqual([]); // source deleted from the bucket after publishing
    const master = parseMasterPlaylist((await app.inject({ url: v.hlsUrl })).body);
    expect(master.variants).toHaveLength(5);
    const media = parseMediaPlaylist((await app.inject({ url: `/media/${id}/720p/index.m3u8` })).body);
    const seg = await app.inject({ url: `/media/${id}/720p/${media.segments[1].uri}`, headers: { range: 'bytes=0-7' } });
    expect(seg.statusCode).toBe(206);
    expect(seg.rawPayload.subarray(4, 8).toString()).toBe('styp');
    // the local blob folder was never used
    expect(() => readFileSync(join(tp.config.blobDir, 'videos', id, 'master.m3u8'))).toThrow();
  });
});
