/**
 * Keeps the edges (nginx from `reel edge-config`) in step with the origin:
 * - purge: when a video is deleted or stops being public, every file of it that an edge may hold is re-fetched
 *   with the shared purge secret; the origin's answer (404, kept by the edge for 1 s) replaces the cached copy,
 *   under the public key and under the token-free key of signed paths;
 * - pre-warm: when a video is published, the manifests and the first segments of the two lowest renditions and
 *   the audio are fetched through each edge, so the first viewers start from the edge's cache.
 * Both run in the background and never fail the request that caused them; failures are logged.
 */
import type { Logger } from 'pino';
import { parseMediaPlaylist } from '../core/hls.js';

export const PURGE_HEADER = 'x-reel-purge';

export interface EdgeCacheOptions {
  edges: string[];
  secret: string;
  /** a playback token for a video (signed paths are cached under a token-free key: any valid token reaches it) */
  sign: (videoId: string) => string;
  log: Pick<Logger, 'warn' | 'info'>;
  /** parallel requests per edge */
  parallel?: number;
}

async function pool<T>(items: T[], parallel: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

export class EdgeCache {
  constructor(private readonly o: EdgeCacheOptions) {}

  get enabled(): boolean {
    return this.o.edges.length > 0;
  }

  /** Replace every listed file of the video at every edge (public paths, and signed paths when `signed`). */
  async purge(videoId: string, files: string[], signed: boolean): Promise<number> {
    if (!this.enabled || !files.length) return 0;
    const token = signed ? this.o.sign(videoId) : null;
    const paths = files.flatMap((f) => [`/media/${videoId}/${f}`, ...(token ? [`/media/${videoId}/t/${token}/${f}`] : [])]);
    let failed = 0;
    await Promise.all(
      this.o.edges.map((edge) =>
        pool(paths, this.o.parallel ?? 16, async (p) => {
          const res = await fetch(edge + p, { headers: { [PURGE_HEADER]: this.o.secret } }).catch(() => null);
          await res?.arrayBuffer().catch(() => {});
          if (!res) failed++;
        }),
      ),
    );
    if (failed) this.o.log.warn({ videoId, failed }, 'edge purge: some requests failed');
    return paths.length * this.o.edges.length - failed;
  }

  /** Fetch the opening of a published video through every edge. */
  async warm(videoId: string, isPublic: boolean, segments = 3): Promise<number> {
    if (!this.enabled) return 0;
    const base = isPublic ? `/media/${videoId}/` : `/media/${videoId}/t/${this.o.sign(videoId)}/`;
    let warmed = 0;
    for (const edge of this.o.edges) {
      const get = async (file: string) => {
        const res = await fetch(edge + base + file).catch(() => null);
        const body = res?.ok ? await res.text().catch(() => '') : null;
        if (body !== null) warmed++;
        return body;
      };
      const master = await get('master.m3u8');
      if (!master) continue;
      // variant playlists, lowest bandwidth first, and the audio rendition
      const lines = master.split('\n').map((l) => l.trim());
      const media = lines
        .flatMap((l, i) => (l.startsWith('#EXT-X-STREAM-INF') ? [{ bw: Number(/BANDWIDTH=(\d+)/.exec(l)?.[1] ?? 0), uri: lines[i + 1] }] : []))
        .sort((a, b) => a.bw - b.bw)
        .map((v) => v.uri);
      const audio = [...master.matchAll(/URI="([^"]+\.m3u8)"/g)].map((m) => m[1]);
      for (const playlist of [...media.slice(0, 2), ...audio.slice(0, 1)]) {
        const text = await get(playlist);
        if (!text) continue;
        const dir = playlist.includes('/') ? playlist.slice(0, playlist.lastIndexOf('/') + 1) : '';
        const pl = parseMediaPlaylist(text);
        const files = [...(pl.initUri ? [pl.initUri] : []), ...pl.segments.slice(0, segments).map((s) => s.uri)];
        await pool(files, 4, async (f) => void (await get(dir + f)));
      }
    }
    this.o.log.info({ videoId, warmed }, 'edge pre-warm');
    return warmed;
  }
}
