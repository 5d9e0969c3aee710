/**
 * Storage tiering round trips on a real upload, on SQLite and PostgreSQL:
 * - cold: the renditions move to the cold store (the hot store keeps only playlists), a watch is served
 *   byte-identical from the cold store and promotes what it fetched back to the hot store;
 * - drop-top without the source: the top rung vanishes from the master playlist and both stores, a watch starts
 *   its re-creation from the best remaining rung, the master keeps it hidden until it is back, then it decodes;
 * - drop-top with KEEP_SOURCE: the source waits in the cold store and the re-creation encodes from it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseMasterPlaylist, parseMediaPlaylist } from '../../src/core/hls.js';
import type { BlobStore } from '../../src/ports/blob-store.js';
import { dbKinds, registerUser, startTestPlatform, waitForVideo, type DbKind, type TestPlatform, uploadMedia } from '../support/platform.js';

const FILE = 'video_short.mp4'; // 720p25, 5 s, 125 frames: ladder 144p..720p
const DAY = 86_400_000;
const LATER = () => Date.now() + 31 * DAY; // idle for longer than TIERING_IDLE_DAYS=30

async function readBlob(store: BlobStore, key: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of await store.get(key)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function setup(db: DbKind, env: Record<string, string>) {
  const handle = `admin${Math.random().toString(36).slice(2, 8)}`;
  const tp = await startTestPlatform({ db, worker: true, env: { ADMIN_EMAILS: `${handle}@example.test`, TIERING_IDLE_DAYS: '30', TIERING_INTERVAL_MINUTES: '0', ...env } });
  const { token } = await registerUser(tp.platform.app, handle);
  return { tp, auth: { authorization: `Bearer ${token}` }, token };
}

async function uploadReady(tp: TestPlatform, token: string): Promise<string> {
  const id = await uploadMedia(tp.platform.app, token, FILE);
  expect((await waitForVideo(tp.platform.app, id, token)).status).toBe('ready');
  await waitTasks(tp, id, token, (t) => t.key === 'publish');
  return id;
}

/** Wait until every task matching `which` is done. */
async function waitTasks(tp: TestPlatform, id: string, token: string, which: (t: any) => boolean, timeoutMs = 180_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const items = (await tp.platform.app.inject({ url: `/api/videos/${id}/tasks`, headers: { authorization: `Bearer ${token}` } })).json().items as any[];
    const mine = items.filter(which);
    if (mine.length && mine.every((t) => t.state === 'done')) return mine;
    expect(mine.filter((t) => ['failed', 'dead', 'cancelled'].includes(t.state))).toEqual([]);
    if (Date.now() > end) throw new Error(`tasks not done: ${JSON.stringify(mine.map((t) => [t.key, t.state]))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const variantsOf = async (tp: TestPlatform, id: string) => parseMasterPlaylist((await tp.platform.app.inject({ url: `/media/${id}/master.m3u8` })).body).variants.map((v) => v.uri.split('/')[0]);

async function tiersOf(tp: TestPlatform, id: string, auth: Record<string, string>): Promise<Record<string, any>> {
  const res = await tp.platform.app.inject({ url: `/api/admin/storage/videos/${id}`, headers: auth });
  expect(res.statusCode).toBe(200);
  return Object.fromEntries(res.json().items.map((r: any) => [r.rendition, r]));
}

function probe(file: string) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height,nb_read_frames', '-of', 'json', file]);
  return JSON.parse(String(out)).streams[0];
}

describe.each(dbKinds())('storage tiering on %s', (db) => {
  describe('cold policy', () => {
    let s: Awaited<ReturnType<typeof setup>>;
    beforeAll(async () => {
      s = await setup(db, { TIERING_POLICY: 'cold' });
    });
    afterAll(async () => s?.tp.close());

    it('moves the renditions to the cold store, serves them byte-identical from there, and promotes what is watched', async () => {
      const { tp, auth, token } = s;
      const app = tp.platform.app;
      const hot = tp.platform.blobs;
      const cold = tp.platform.tiering.coldStore;
      const id = await uploadReady(tp, token);
      const prefix = `videos/${id}/`;
      const before = new Map<string, Buffer>();
      for (const k of await hot.list(prefix)) before.set(k, await readBlob(hot, k));
      const masterBefore = (await app.inject({ url: `/media/${id}/master.m3u8` })).body;

      // a fresh video is not idle; a month later it is
      expect((await tp.platform.tiering.run()).moves).toEqual([]);
      const run = await app.inject({ method: 'POST', url: '/api/admin/storage/tiering', headers: auth, payload: { dryRun: true } });
      expect(run.statusCode).toBe(200);
      expect(run.json().moves).toEqual([]); // "now" is still too early
      const result = await tp.platform.tiering.run({ at: LATER() });
      expect(result.moves.map((m) => m.rendition).sort()).toEqual(['144p', '240p', '360p', '480p', '720p', 'audio']);
      expect(result.moves.every((m) => m.ok && m.to === 'cold')).toBe(true);

      // the hot store keeps the master and the media playlists only; the cold store holds every segment
      const segmentKeys = [...before.keys()].filter((k) => /\/(144p|240p|360p|480p|720p|audio)\/.+\.(m4s|mp4)$/.test(k));
      expect(segmentKeys.length).toBeGreaterThan(12);
      const hotNow = await hot.list(prefix);
      expect(hotNow.filter((k) => segmentKeys.includes(k))).toEqual([]);
      expect(hotNow).toContain(`${prefix}720p/index.m3u8`);
      expect((await cold.list(prefix)).sort()).toEqual([...segmentKeys].sort());
      const coldBytes = segmentKeys.reduce((n, k) => n + before.get(k)!.length, 0);

      const report = (await app.inject({ url: '/api/admin/storage', headers: auth })).json();
      expect(report.tiers.cold.renditions).toBe(6);
      expect(report.tiers.hot.renditions).toBe(0);
      // bytes of the rows include the media playlists, which stay hot
      expect(report.tiers.cold.bytes).toBeGreaterThanOrEqual(coldBytes);
      expect(report.tiers.cold.bytes).toBeLessThan(coldBytes + 6 * 4096);
      const metrics = (await app.inject({ url: '/metrics' })).body;
      expect(metrics).toMatch(new RegExp(`^reel_storage_bytes\\{tier="cold"\\} ${report.tiers.cold.bytes}$`, 'm'));
      expect((await app.inject({ url: '/api/admin/storage' })).statusCode).toBe(401);

      // a viewer watches 720p: master unchanged, every file byte-identical (from the cold store), ranges too
      expect((await app.inject({ url: `/media/${id}/master.m3u8` })).body).toBe(masterBefore);
      const playlist = parseMediaPlaylist((await app.inject({ url: `/media/${id}/720p/index.m3u8` })).body);
      for (const uri of [playlist.initUri!, ...playlist.segments.map((x) => x.uri)]) {
        const res = await app.inject({ url: `/media/${id}/720p/${uri}` });
        expect(res.statusCode).toBe(200);
        expect(res.rawPayload.equals(before.get(`${prefix}720p/${uri}`)!)).toBe(true);
      }
      const seg = playlist.segments[1].uri;
      const ranged = await app.inject({ url: `/media/${id}/720p/${seg}`, headers: { range: 'bytes=10-99' } });
      expect(ranged.statusCode).toBe(206);
      expect(ranged.rawPayload.equals(before.get(`${prefix}720p/${seg}`)!.subarray(10, 100))).toBe(true);

      // ... which promoted 720p back to the hot store, and only 720p
      await tp.platform.tiering.settled();
      const tiers = await tiersOf(tp, id, auth);
      expect(tiers['720p'].tier).toBe('hot');
      expect(tiers['720p'].lastAccessAt).not.toBeNull();
      expect(tiers['360p'].tier).toBe('cold');
      expect(await cold.list(`${prefix}720p/`)).toEqual([]);
      for (const k of segmentKeys.filter((x) => x.includes('/720p/'))) expect((await readBlob(hot, k)).equals(before.get(k)!)).toBe(true);
      // a cold rung still plays from the cold store
      const low = await app.inject({ url: `/media/${id}/144p/${playlist.initUri}` });
      expect(low.statusCode).toBe(200);
      expect(low.rawPayload.equals(before.get(`${prefix}144p/${playlist.initUri}`)!)).toBe(true);
      await tp.platform.tiering.settled();

      // deleting the video leaves nothing behind in either store
      expect((await app.inject({ method: 'DELETE', url: `/api/videos/${id}`, headers: auth })).statusCode).toBeLessThan(300);
      await new Promise((r) => setTimeout(r, 50));
      expect(await hot.list(prefix)).toEqual([]);
      expect(await cold.list(prefix)).toEqual([]);
      expect((await app.inject({ url: '/api/admin/storage', headers: auth })).json().videos.inventoried).toBe(0);
    });
  });

  describe('drop-top policy, source deleted at publish, re-created after one counted view', () => {
    let s: Awaited<ReturnType<typeof setup>>;
    beforeAll(async () => {
      s = await setup(db, { TIERING_POLICY: 'drop-top', TIERING_DROP_RUNGS: '1', TIERING_RECREATE_AFTER_VIEWS: '1' });
    });
    afterAll(async () => s?.tp.close());

    it('drops the top rung, hides it, re-creates it from the best remaining rung when watched, and it decodes', async () => {
      const { tp, auth, token } = s;
      const app = tp.platform.app;
      const hot = tp.platform.blobs;
      const id = await uploadReady(tp, token);
      const prefix = `videos/${id}/`;
      expect(await variantsOf(tp, id)).toEqual(['144p', '240p', '360p', '480p', '720p']);
      const top720 = await hot.list(`${prefix}720p/`);
      expect(top720.length).toBeGreaterThan(2);

      const result = await tp.platform.tiering.run({ at: LATER() });
      expect(result.moves.map((m) => [m.rendition, m.to, m.ok])).toEqual([['720p', 'dropped', true]]);
      expect(await hot.list(`${prefix}720p/`)).toEqual([]);
      expect(await tp.platform.tiering.coldStore.list(prefix)).toEqual([]);
      const report = (await app.inject({ url: '/api/admin/storage', headers: auth })).json();
      expect(report.tiers.dropped.renditions).toBe(1);
      expect(report.tiers.dropped.bytes).toBeGreaterThan(0);

      // a first watch: the master no longer lists 720p; with TIERING_RECREATE_AFTER_VIEWS=1 nothing is encoded yet
      expect(await variantsOf(tp, id)).toEqual(['144p', '240p', '360p', '480p']);
      const mpd = (await app.inject({ url: `/media/${id}/manifest.mpd` })).body;
      expect(mpd).not.toContain('id="720p"');
      expect(mpd).toContain('id="480p"');
      expect((await app.inject({ url: `/media/${id}/720p/init.mp4` })).statusCode).toBe(404);
      await tp.platform.tiering.settled();
      expect((await tiersOf(tp, id, auth))['720p'].tier).toBe('dropped');
      // its view counts; the next watch starts the re-creation
      const view = await app.inject({ method: 'POST', url: `/api/videos/${id}/views`, payload: { viewerId: 'tiering-viewer-1', watchSeconds: 5, positionSec: 5 } });
      expect(view.json().counted).toBe(true);
      expect(await variantsOf(tp, id)).not.toContain('720p');
      await tp.platform.tiering.settled();
      // lower rungs keep playing while it re-encodes; the rung stays hidden until it is complete
      expect((await app.inject({ url: `/media/${id}/480p/index.m3u8` })).statusCode).toBe(200);
      expect(['restoring', 'hot']).toContain((await tiersOf(tp, id, auth))['720p'].tier); // a fast machine may already be done
      for (;;) {
        const t = (await tiersOf(tp, id, auth))['720p'];
        if (t.tier === 'hot') break;
        expect(t.tier).toBe('restoring');
        expect(await variantsOf(tp, id)).not.toContain('720p');
        await new Promise((r) => setTimeout(r, 200));
      }
      const tiers = await tiersOf(tp, id, auth);
      expect(tiers['720p']).toMatchObject({ tier: 'hot', recreations: 1, recreatedFrom: '480p' });
      expect(await variantsOf(tp, id)).toEqual(['144p', '240p', '360p', '480p', '720p']);
      expect((await hot.list(`${prefix}720p/`)).length).toBe(top720.length);
      expect(probe(join(tp.config.blobDir, 'videos', id, '720p', 'index.m3u8'))).toMatchObject({ codec_name: 'h264', width: 1364, height: 720, nb_read_frames: '125' });
      const seg = parseMediaPlaylist((await app.inject({ url: `/media/${id}/720p/index.m3u8` })).body).segments[0].uri;
      expect((await app.inject({ url: `/media/${id}/720p/${seg}` })).statusCode).toBe(200);
      expect((await app.inject({ url: `/api/videos/${id}`, headers: auth })).json().status).toBe('ready');
      expect((await app.inject({ url: '/api/admin/storage', headers: auth })).json().recreations).toEqual({ total: 1, fromSource: 0, fromRendition: 1 });
    });
  });

  describe('drop-top policy with KEEP_SOURCE', () => {
    let s: Awaited<ReturnType<typeof setup>>;
    beforeAll(async () => {
      s = await setup(db, { TIERING_POLICY: 'drop-top', KEEP_SOURCE: 'true' });
    });
    afterAll(async () => s?.tp.close());

    it('keeps the source in the cold store and re-creates the top rung from it', async () => {
      const { tp, auth, token } = s;
      const app = tp.platform.app;
      const hot = tp.platform.blobs;
      const cold = tp.platform.tiering.coldStore;
      const id = await uploadReady(tp, token);
      const original = new Map<string, Buffer>();
      for (const k of await hot.list(`videos/${id}/720p/`)) original.set(k, await readBlob(hot, k));
      const source = await readBlob(hot, `sources/${id}`);

      const result = await tp.platform.tiering.run({ at: LATER() });
      expect(result.moves.map((m) => [m.rendition, m.to]).sort()).toEqual([['720p', 'dropped'], ['source', 'cold']]);
      expect(await hot.stat(`sources/${id}`)).toBeNull();
      expect((await readBlob(cold, `sources/${id}`)).equals(source)).toBe(true);

      expect(await variantsOf(tp, id)).not.toContain('720p'); // the watch
      for (let i = 0; (await tiersOf(tp, id, auth))['720p'].tier !== 'hot'; i++) {
        expect(i).toBeLessThan(900);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect((await tiersOf(tp, id, auth))['720p']).toMatchObject({ recreatedFrom: 'source', recreations: 1 });
      expect(await variantsOf(tp, id)).toContain('720p');
      expect(probe(join(tp.config.blobDir, 'videos', id, '720p', 'index.m3u8'))).toMatchObject({ codec_name: 'h264', width: 1364, height: 720, nb_read_frames: '125' });
      // the same files again: same settings, same input, same bytes; the source stays in the cold store
      expect((await hot.list(`videos/${id}/720p/`)).sort()).toEqual([...original.keys()].sort());
      for (const [k, bytes] of original) expect((await readBlob(hot, k)).equals(bytes), k).toBe(true);
      expect(await cold.stat(`sources/${id}`)).not.toBeNull();
    });
  });
});
