/**
 * The origin: serves a ready video's playlists, segments and thumbnails from the blob store, with ranges,
 * HEAD, content types, CORS and cache headers. Private videos are served to their owner only.
 */
import type { FastifyInstance } from 'fastify';
import { contentTypeFor, parseRange } from '../core/http-range.js';
import { assertSafeKey, type BlobStore } from '../ports/blob-store.js';
import { isPlayable, videoPrefix, type VideosService } from '../catalog/videos-service.js';
import type { LivePlaylists } from './live-playlists.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function cacheControl(file: string, visibility: string): string {
  if (visibility !== 'public') return 'private, max-age=300';
  if (file.endsWith('.m3u8')) return 'public, max-age=60';
  return 'public, max-age=31536000, immutable';
}

export function registerMediaRoutes(app: FastifyInstance, videos: VideosService, blobs: BlobStore, live: LivePlaylists): void {
  app.route<{ Params: { id: string; '*': string } }>({
    method: ['GET', 'HEAD'],
    url: '/media/:id/*',
    schema: { hide: true },
    handler: async (req, reply) => {
      const { id } = req.params;
      const file = req.params['*'];
      const notFound = () => reply.status(404).send({ error: { code: 'not_found', message: 'No such media file' } });
      if (!UUID.test(id)) return notFound();
      const key = videoPrefix(id) + file;
      try {
        assertSafeKey(key);
      } catch {
        return notFound();
      }
      const row = await videos.row(id);
      if (!row || !isPlayable(row) || !(await videos.canView(id, req.user))) return notFound();
      if (row.status === 'processing' && file.endsWith('.m3u8')) {
        const text = await live.render(id, file);
        if (text === null) return notFound();
        return reply
          .header('Content-Type', contentTypeFor(file))
          .header('Cache-Control', 'no-cache')
          .header('Access-Control-Allow-Origin', '*')
          .send(req.method === 'HEAD' ? undefined : text);
      }
      const stat = await blobs.stat(key);
      if (!stat) return notFound();

      reply.header('Content-Type', contentTypeFor(file));
      reply.header('Accept-Ranges', 'bytes');
      reply.header('Access-Control-Allow-Origin', '*');
      reply.header('Access-Control-Expose-Headers', 'Content-Length, Content-Range');
      reply.header('Cache-Control', cacheControl(file, row.visibility));
      reply.header('Last-Modified', new Date(stat.modifiedMs).toUTCString());
      const range = parseRange(req.headers.range, stat.size);
      if (range === 'unsatisfiable') {
        reply.header('Content-Range', `bytes */${stat.size}`);
        return reply.status(416).send();
      }
      if (range) {
        reply.status(206).header('Content-Range', `bytes ${range.start}-${range.end}/${stat.size}`).header('Content-Length', range.end - range.start + 1);
      } else reply.header('Content-Length', stat.size);
      if (req.method === 'HEAD') return reply.send();
      return reply.send(await blobs.get(key, range ?? undefined));
    },
  });
}
