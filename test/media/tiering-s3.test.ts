/**
 * Storage tiering with both tiers on S3 (s3rver): the hot bucket and a second, cold bucket (COLD_S3_BUCKET).
 * A kept source and the renditions of an idle video move to the cold bucket; a watch is served byte-identical from
 * it and promotes what it fetched back to the hot bucket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { parseMediaPlaylist } from '../../src/core/hls.js';
import type { BlobStore } from '../../src/ports/blob-store.js';
import { MEDIA_DIR, registerUser, startTestPlatform, waitForVideo, type TestPlatform, uploadMedia } from '../support/platform.js';

async function readBlob(store: BlobStore, key: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of await store.get(key)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('storage tiering on S3 buckets (s3rver)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reel-s3tier-'));
  let server: any;
  let tp: TestPlatform;
  beforeAll(async () => {
    server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: 'media', configs: [] }, { name: 'cold', configs: [] }] });
    const { port } = await server.run();
    tp = await startTestPlatform({
      worker: true,
      env: {
        BLOB_STORE: 's3',
        S3_BUCKET: 'media',
        S3_ENDPOINT: `http://127.0.0.1:${port}`,
        S3_FORCE_PATH_STYLE: 'true',
        S3_ACCESS_KEY_ID: 'S3RVER',
        S3_SECRET_ACCESS_KEY: 'S3RVER',
        COLD_S3_BUCKET: 'cold',
        COLD_S3_PREFIX: 'archive/',
        TIERING_POLICY: 'cold',
        TIERING_INTERVAL_MINUTES: '0',
        KEEP_SOURCE: 'true',
      },
    });
  });
  afterAll(async () => {
    await tp?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('moves renditions and the kept source to the cold bucket and serves them back', async () => {
    const app = tp.platform.app;
    const hot = tp.platform.blobs;
    const cold = tp.platform.tiering.coldStore;
    expect([hot.kind, cold.kind]).toEqual(['s3', 's3']);
    const { token } = await registerUser(app);
    const id = await uploadMedia(app, token, 'video_short.mp4');
    const bytes = readFileSync(MEDIA_DIR + 'video_short.mp4');
    expect((await waitForVideo(app, id, token)).status).toBe('ready');
    for (let i = 0; ; i++) {
      const tasks = (await app.inject({ url: `/api/videos/${id}/tasks`, headers: { authorization: `Bearer ${token}` } })).json().items as any[];
      if (tasks.find((t) => t.key === 'publish')?.state === 'done') break;
      expect(i).toBeLessThan(600);
      await new Promise((r) => setTimeout(r, 100));
    }
    const seg = `videos/${id}/480p/c00000_000.m4s`;
    const original = await readBlob(hot, seg);

    const run = await tp.platform.tiering.run({ at: Date.now() + 31 * 86_400_000 });
    expect(run.moves.map((m) => m.rendition).sort()).toEqual(['144p', '240p', '360p', '480p', '720p', 'audio', 'source']);
    expect(run.moves.every((m) => m.ok)).toBe(true);
    expect(await hot.stat(`sources/${id}`)).toBeNull();
    expect((await readBlob(cold, `sources/${id}`)).equals(bytes)).toBe(true);
    expect(await hot.stat(seg)).toBeNull();
    expect((await hot.list(`videos/${id}/480p/`)).map((k) => k.split('/').pop())).toEqual(['index.m3u8']);

    const playlist = parseMediaPlaylist((await app.inject({ url: `/media/${id}/480p/index.m3u8` })).body);
    expect(playlist.segments[0].uri).toBe('c00000_000.m4s');
    const res = await app.inject({ url: `/media/${id}/480p/c00000_000.m4s` });
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(original)).toBe(true);
    await tp.platform.tiering.settled();
    expect((await readBlob(hot, seg)).equals(original)).toBe(true);
    expect(await cold.list(`videos/${id}/480p/`)).toEqual([]);
    expect((await cold.list(`videos/${id}/720p/`)).length).toBeGreaterThan(0);
  });
});
