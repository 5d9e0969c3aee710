/**
 * The origin: serves a ready video's playlists, DASH manifests, segments and thumbnails from the blob store,
 * with ranges, HEAD, content types, CORS and cache headers.
 * /media/<id>/<file> serves public videos (and the owner's own, by session); /media/<id>/t/<token>/<file>
 * serves any visibility to the holder of a valid signed token (see playback-service.ts).
 */
import type { FastifyInstance } from 'fastify';
import { contentTypeFor, parseRange } from '../core/http-range.js';
import { assertSafeKey, BlobNotFoundError, type BlobStat, type BlobStore } from '../ports/blob-store.js';
import { videoPrefix } from '../catalog/videos-service.js';
import { splitTokenPath } from '../core/playback-token.js';
import type { LivePlaylists } from './live-playlists.js';
import type { PlaybackService } from './playback-service.js';
import { KEY_FILE } from '../core/hls-encryption.js';
import { PURGE_HEADER } from './edge-cache.js';
import { registerClearKeyRoutes } from './clearkey-routes.js';
import { UUID } from '../core/ids.js';


const isManifest = (file: string) => file.endsWith('.m3u8') || file.endsWith('.mpd');

/** Public segments are immutable and cacheable forever; manifests are short-lived; non-public files stay out of shared caches. */
export function cacheControl(file: string, visibility: string, tokened: boolean): string {
  if (visibility !== 'public' || tokened) return isManifest(file) ? 'private, max-age=60' : 'private, max-age=86400, immutable';
  if (isManifest(file)) return 'public, max-age=60';
  return 'public, max-age=31536000, immutable';
}

/** Storage tiering's hooks (src/tiering): files of renditions moved to the cold store, manifests without dropped renditions. */
export interface MediaTiers {
  /** where a file the hot store lacks is (a cold rendition), or null */
  locate(videoId: string, file: string): Promise<{ store: BlobStore; stat: BlobStat } | null>;
  /** the manifest to serve instead of the stored one (renditions missing), or null */
  manifest(videoId: string, file: string, read: () => Promise<string>): Promise<string | null>;
}

async function readText(blobs: BlobStore, key: string): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of await blobs.get(key)) parts.push(c as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

export function registerMediaRoutes(app: FastifyInstance, playback: PlaybackService, blobs: BlobStore, live: LivePlaylists, purgeSecret: string | null = null, tiers: MediaTiers | null = null): void {
  registerClearKeyRoutes(app, playback); // POST /media/<id>/[t/<token>/]license: encrypted videos' DASH keys
  app.route<{ Params: { id: string; '*': string } }>({
    method: ['GET', 'HEAD'],
    url: '/media/:id/*',
    schema: { hide: true },
    handler: async (req, reply) => {
      const { id } = req.params;
      const { token, file } = splitTokenPath(req.params['*']);
      // an edge re-fetching for a purge (edge-cache.ts): whatever we answer replaces its copy, refusals for 1 s
      const purging = purgeSecret !== null && req.headers[PURGE_HEADER] === purgeSecret;
      if (purging) reply.header('X-Accel-Expires', '1');
      const notFound = () => reply.status(404).send({ error: { code: 'not_found', message: 'No such media file' } });
      if (!UUID.test(id) || !file) return notFound();
      const key = videoPrefix(id) + file;
      try {
        assertSafeKey(key);
      } catch {
        return notFound();
      }
      const access = await playback.authorize(id, token, req.user);
      if (!access.ok) return reply.status(access.status).header('Access-Control-Allow-Origin', '*').send({ error: { code: access.code, message: access.message } });
      if (file === KEY_FILE) {
        const k = await playback.key(id);
        if (!k) return notFound();
        return reply
          .header('Content-Type', 'application/octet-stream')
          .header('X-Accel-Expires', '0')
          .header('Cache-Control', 'private, no-store')
          .header('Access-Control-Allow-Origin', '*')
          .send(req.method === 'HEAD' ? undefined : k);
      }
      if (access.status === 'processing' && file.endsWith('.m3u8')) {
        const text = await live.render(id, file);
        if (text === null) return notFound();
        return reply
          .header('Content-Type', contentTypeFor(file))
          .header('X-Accel-Expires', '0')
          .header('Cache-Control', 'no-cache')
          .header('Access-Control-Allow-Origin', '*')
          .send(req.method === 'HEAD' ? undefined : text);
      }
      let store = blobs;
      let stat = await blobs.stat(key);
      if (!stat && tiers) ({ store, stat } = (await tiers.locate(id, file)) ?? { store, stat });
      if (!stat) return notFound();

      reply.header('Content-Type', contentTypeFor(file));
      reply.header('Accept-Ranges', 'bytes');
      reply.header('Access-Control-Allow-Origin', '*');
      reply.header('Access-Control-Expose-Headers', 'Content-Length, Content-Range');
      // the edge (nginx) caches tokened files under a token-free key for this long; X-Accel-Expires goes first
      // because nginx before 1.23 lets an earlier Cache-Control: private win. nginx never forwards it to clients.
      if (access.visibility !== 'public' || access.tokened) reply.header('X-Accel-Expires', isManifest(file) ? '60' : String(30 * 86400));
      else if (purging) reply.removeHeader('X-Accel-Expires');
      reply.header('Cache-Control', cacheControl(file, access.visibility, access.tokened));
      reply.header('Last-Modified', new Date(stat.modifiedMs).toUTCString());
      const rewritten = tiers && isManifest(file) ? await tiers.manifest(id, file, () => readText(store, key)) : null;
      if (rewritten !== null) return reply.header('Content-Length', Buffer.byteLength(rewritten)).send(req.method === 'HEAD' ? undefined : rewritten);
      const range = parseRange(req.headers.range, stat.size);
      if (range === 'unsatisfiable') {
        reply.header('Content-Range', `bytes */${stat.size}`);
        return reply.status(416).send();
      }
      if (range) {
        reply.status(206).header('Content-Range', `bytes ${range.start}-${range.end}/${stat.size}`).header('Content-Length', range.end - range.start + 1);
      } else reply.header('Content-Length', stat.size);
      if (req.method === 'HEAD') return reply.send();
      // a file moved to the cold store between the stat and the read is read from there (same bytes)
      const body = await store.get(key, range ?? undefined).catch(async (err) => {
        const moved = err instanceof BlobNotFoundError && tiers ? await tiers.locate(id, file) : null;
        if (!moved || moved.stat.size !== stat.size) throw err;
        return moved.store.get(key, range ?? undefined);
      });
      return reply.send(body);
    },
  });

  // For an edge's auth_request: is the token in this media path valid? No database access; the answer is cacheable
  // by the edge (X-Accel-Expires) for as long as the token lives (at most 5 minutes), so the edge asks once per token.
  app.get<{ Params: { '*': string } }>('/media-auth/*', { schema: { hide: true } }, async (req, reply) => {
    const m = /^media\/([^/]+)\/t\/([^/]+)\//.exec(req.params['*']);
    const check = m && UUID.test(m[1]) ? playback.checkToken(m[1], m[2]) : null;
    if (!check || !check.ok) return reply.status(403).header('X-Accel-Expires', '60').send({ error: { code: check?.code ?? 'token_invalid', message: check?.message ?? 'No valid token in this path' } });
    return reply.status(200).header('X-Accel-Expires', String(Math.max(0, Math.min(300, check.validForSec)))).send();
  });
}
