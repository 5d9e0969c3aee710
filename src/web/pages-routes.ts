/**
 * Serves the web app: the Vite build in web/dist (see web/build.mjs). Hashed assets under /assets/ are immutable;
 * every app path (client-side routes) answers with index.html. Also the vendored browser libraries under /vendor/.
 */
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readFile, stat } from 'node:fs/promises';
import { appPreloadTags, mapTrackPaths, PAGE_PRELOADS, playerFirstHtml, preloadTags, resumePoint, startMedia, trackPaths, type ViteManifest } from './page-preloads.js';
import type { StartTrack } from './start-track.js';
import type { PlaybackDescriptor, PlaybackService } from '../streaming/playback-service.js';

import { UUID } from '../core/ids.js';

const require = createRequire(import.meta.url);
export const WEB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/** Client-side routes of the app (web/src/app.tsx); anything else stays a 404. */
export const APP_ROUTES = [
  '/',
  '/watch/:id',
  '/upload',
  '/studio',
  '/login',
  '/signup',
  '/channel/:handle',
  '/@:handle',
  '/search',
  '/history',
  '/playlists',
  '/playlist/:id',
  '/notifications',
  '/subscriptions',
  '/trending',
  '/tv',
  '/tv/watch/:id',
  '/admin',
];

/** `playback`: the watch page starts its video before the app (the descriptor in its HTML); without it, it does not. */
export async function registerPages(app: FastifyInstance, playback: PlaybackService | null = null): Promise<void> {
  await app.register(fastifyStatic, {
    root: join(WEB_ROOT, 'assets'),
    prefix: '/assets/',
    wildcard: true,
    index: false,
    immutable: true,
    maxAge: 365 * 24 * 3600_000,
  });
  await app.register(fastifyStatic, {
    root: [dirname(require.resolve('hls.js/dist/hls.min.js')), dirname(require.resolve('tus-js-client/dist/tus.min.js')), dirname(require.resolve('dashjs/dist/dash.all.min.js'))],
    prefix: '/vendor/',
    decorateReply: false,
    allowedPath: (path) => path === '/hls.min.js' || path === '/tus.min.js' || path === '/dash.all.min.js',
    maxAge: 3600_000,
  });
  const build = builtApp();
  const startCache: StartCache = new Map();
  const index = async (_req: unknown, reply: FastifyReply) => {
    const b = await build();
    if (!b) {
      return reply.status(503).type('text/plain; charset=utf-8').send('The web app is not built yet: run `npm run build:web` (npm start does it).');
    }
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(b.html.replace('</head>', `${appPreloadTags(b.manifest)}</head>`));
  };
  // pages that start with a video: the HTML also names the chunks, the player and the API reads to fetch at once
  const withPreloads = (route: string) => async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const b = await build();
    if (!b || !UUID.test(req.params.id)) return index(req, reply);
    const start = route === '/watch/:id' ? await watchStart(app, playback, startCache, req) : null;
    if (!start) {
      const html = b.html.replace('</head>', `${appPreloadTags(b.manifest)}${preloadTags(b.manifest, route, req.params.id)}</head>`);
      return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html);
    }
    // player-first: the descriptor and the first media files before the app's own script, the page's skeleton
    // holding the player's box until the app renders, and the early entry (async) after it
    const html = playerFirstHtml(b.html, b.manifest, req.params.id, start.playback, start.files, start.playlists, start.tracks);
    // the descriptor is this viewer's (signed URLs, resume position): not for shared caches
    return reply.header('cache-control', 'private, no-store').type('text/html; charset=utf-8').send(html);
  };
  for (const path of APP_ROUTES) app.get(path, { schema: { hide: true } }, PAGE_PRELOADS[path] ? withPreloads(path) : index);
}

/**
 * A ready video's first files change only when rungs are hidden or come back: kept a minute, by video and start,
 * without the token part of their paths (the descriptor's baseUrl, which differs per descriptor). Its playlists'
 * texts hold only relative URIs, so they are kept too.
 */
type StartCache = Map<string, RelativeStart & { until: number }>;

/** A start's files, playlists and tracks with their paths relative to the descriptor's baseUrl, as cached. */
interface RelativeStart {
  files: string[];
  playlists: Record<string, string>;
  tracks: StartTrack[];
}

interface WatchStart {
  playback: PlaybackDescriptor;
  /** the media files the player asks for first (absolute paths) */
  files: string[];
  /** the texts of the playlists among them, by path */
  playlists: Record<string, string>;
  /** the start's tracks for the MSE starter (none when it cannot be used) */
  tracks: StartTrack[];
}

/**
 * A playable video's descriptor for this viewer and, once the video is ready and has only H.264 (other codecs
 * depend on what the browser decodes), the media files its player asks for first; null when it does not play.
 */
async function watchStart(app: FastifyInstance, playback: PlaybackService | null, startCache: StartCache, req: FastifyRequest<{ Params: { id: string } }>): Promise<WatchStart | null> {
  if (!playback || /[?&]player=dash\b/.test(req.url)) return null;
  const d = await playback.descriptor(req.params.id, req.user).catch(() => null);
  if (!d?.playable || !d.hls.h264) return null;
  if (d.status !== 'ready' || d.hls.vp9 || d.hls.av1) return { playback: d, files: [], playlists: {}, tracks: [] };
  const startSec = resumePoint(d.resumePositionSec, d.durationSec);
  const key = `${d.videoId}@${startSec}`;
  // one way between the cache's relative paths and this descriptor's (its token in baseUrl)
  const absolute = (r: RelativeStart): WatchStart => ({
    playback: d,
    files: r.files.map((f) => d.baseUrl + f),
    playlists: Object.fromEntries(Object.entries(r.playlists).map(([p, t]) => [d.baseUrl + p, t])),
    tracks: r.tracks.map((t) => mapTrackPaths(t, (p) => d.baseUrl + p)),
  });
  const hit = startCache.get(key);
  if (hit && hit.until > Date.now()) return absolute(hit);
  // the playlists as the origin serves them (its access checks, hidden rungs), through the app without a socket
  const texts: Record<string, string> = {};
  const read = async (url: string) => {
    const r = await app.inject({ method: 'GET', url });
    if (r.statusCode !== 200) return null;
    texts[url] = r.body;
    return r.body;
  };
  const { files, tracks } = await startMedia(d.hls.h264, startSec, read).catch(() => ({ files: [], tracks: [] }));
  if (!files.length) return { playback: d, files, playlists: {}, tracks: [] };
  const within = (p: string) => p.startsWith(d.baseUrl);
  const rel = (p: string) => p.slice(d.baseUrl.length);
  const relative: RelativeStart = {
    files: files.filter(within).map(rel),
    playlists: Object.fromEntries(Object.entries(texts).filter(([p]) => within(p)).map(([p, t]) => [rel(p), t])),
    tracks: tracks.every((t) => trackPaths(t).every(within)) ? tracks.map((t) => mapTrackPaths(t, rel)) : [],
  };
  if (startCache.size >= 1000) startCache.delete(startCache.keys().next().value!);
  startCache.set(key, { until: Date.now() + 60_000, ...relative });
  return absolute(relative);
}

/** index.html and the Vite manifest of web/dist, re-read when the build changes; null when there is no build. */
function builtApp(): () => Promise<{ html: string; manifest: ViteManifest } | null> {
  let cached: { mtimeMs: number; html: string; manifest: ViteManifest } | null = null;
  return async () => {
    try {
      const mtimeMs = (await stat(join(WEB_ROOT, 'index.html'))).mtimeMs;
      if (cached?.mtimeMs !== mtimeMs) {
        const [html, manifest] = await Promise.all([readFile(join(WEB_ROOT, 'index.html'), 'utf8'), readFile(join(WEB_ROOT, '.vite/manifest.json'), 'utf8')]);
        cached = { mtimeMs, html, manifest: JSON.parse(manifest) as ViteManifest };
      }
      return cached;
    } catch {
      return null;
    }
  };
}
