/**
 * No acknowledged view is lost: a real `reel serve` process takes concurrent view reports over HTTP and is
 * killed with SIGKILL in the middle of the load. After a restart every view that got a 2xx with counted=true is
 * in the log and in the displayed count, and the counters agree exactly with the log. On SQLite and on
 * PostgreSQL (where batches are appended with COPY).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { openDatabase, type DatabaseHandle } from '../../src/adapters/db/connect.js';
import { VideosService } from '../../src/catalog/videos-service.js';
import { FsBlobStore } from '../../src/adapters/blob/fs-blob-store.js';
import { viewerKey } from '../../src/core/view-rules.js';
import { dbKinds, freshDatabaseUrl } from '../support/platform.js';

for (const kind of dbKinds()) {
  describe(`views survive kill -9 (real server process, ${kind})`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'reel-views-crash-'));
    let env: Record<string, string> = {};
    let dropDb: (() => Promise<void>) | null = null;
    let server: ServerProcess | null = null;
    let database: DatabaseHandle | null = null;
    afterAll(async () => {
      await server?.stop();
      await database?.close();
      await dropDb?.();
      rmSync(dir, { recursive: true, force: true });
    });

    it('every acknowledged view is counted after a crash and restart', async () => {
      const fresh = await freshDatabaseUrl(kind, dir);
      dropDb = fresh.drop;
      env = { DATA_DIR: dir, DATABASE_URL: fresh.url, WORKER_CONCURRENCY: '0', LOG_LEVEL: 'warn' };
      server = await startServerProcess(env, ['serve', '--no-worker']);
      const json = { 'content-type': 'application/json' };
      const reg = await fetch(server.url + '/api/auth/register', { method: 'POST', headers: json, body: JSON.stringify({ email: 'v@example.test', password: 'long enough pw', handle: 'viewcrash' }) });
      const cookie = reg.headers.get('set-cookie')!.split(';')[0];
      const token = (await (await fetch(server.url + '/api/tokens', { method: 'POST', headers: { cookie, ...json }, body: '{"name":"t"}' })).json()).token;
      const auth = { authorization: `Bearer ${token}`, ...json };
      const video = (await (await fetch(server.url + '/api/videos', { method: 'POST', headers: auth, body: JSON.stringify({ title: 'viral', visibility: 'public' }) })).json()).video;
      // publish it the way the pipeline's last step does, on the same database (no media needed here)
      database = await openDatabase(fresh.url);
      await new VideosService(database.db, new FsBlobStore(join(dir, 'blobs'))).markReady(video.id, null);

      const acked: string[] = [];
      let sent = 0;
      let next = 0;
      let killed = false;
      const url = `${server.url}/api/videos/${video.id}/views`;
      const loop = async () => {
        while (!killed || sent === 0) {
          const viewerId = `crash-viewer-${next++}`;
          sent++;
          try {
            const res = await fetch(url, { method: 'POST', headers: json, body: JSON.stringify({ viewerId, watchSeconds: 15 }) });
            if (res.ok && (await res.json()).counted) acked.push(viewerId);
          } catch {
            return; // the server is gone
          }
          if (!killed && acked.length >= 400) {
            killed = true;
            await server!.kill9();
          }
        }
      };
      await Promise.all(Array.from({ length: 24 }, loop));
      expect(killed).toBe(true);
      expect(acked.length).toBeGreaterThanOrEqual(400);

      server = await startServerProcess(env, ['serve', '--no-worker']);
      const stats = await (await fetch(`${server.url}/api/videos/${video.id}/stats`)).json();
      expect(stats.views).toBeGreaterThanOrEqual(acked.length);
      expect(stats.views).toBeLessThanOrEqual(sent);

      // each acknowledged viewer is in the log
      const keys = new Set((await database.db.selectFrom('view_events').select('viewer_key').where('video_id', '=', video.id).execute()).map((r) => r.viewer_key));
      const missing = acked.filter((id) => !keys.has(viewerKey({ anonId: id, ip: '127.0.0.1' })));
      expect(missing).toEqual([]);
      // and the counters agree with the log exactly
      expect(stats.views).toBe(keys.size);
      const recount = await (await fetch(`${server.url}/api/videos/${video.id}/views/recount`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).json();
      expect(recount).toEqual({ before: stats.views, after: keys.size });
    });
  });
}
