/**
 * What a page's HTML should make the browser fetch at once, instead of after the app's script has run: the
 * route's lazy chunks and the player library (from the Vite manifest, web/dist/.vite/manifest.json) and the API
 * reads the page starts with. Pure: it only turns a manifest and a page into <link> tags.
 *
 * The watch page also starts its video before the app (player-first): its HTML carries the playback descriptor,
 * a skeleton of the page with the player's box, the small player-first entry (web/src/early.ts) and preloads
 * of the files hls.js asks for first: master playlist, the start rung's and the audio's playlists, init segments
 * and the segments at the start position (watchStartTags).
 */
import { parseAttributes, parseMasterPlaylist, parseMediaPlaylist, type MediaPlaylist } from '../core/hls.js';
import type { StartTrack } from './start-track.js';

export interface ManifestChunk {
  file: string;
  name?: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}
export type ViteManifest = Record<string, ManifestChunk>;

/** Pages that preload, by route: their source module, the libraries they load lazily, and API reads. */
export const PAGE_PRELOADS: Record<string, { modules: string[]; api: (id: string) => string[] }> = {
  '/watch/:id': { modules: ['src/pages/Watch.tsx', 'hls.js'], api: (id) => [`/api/videos/${id}`, `/api/videos/${id}/playback`] },
  '/tv/watch/:id': { modules: ['src/tv/TvWatch.tsx', 'hls.js'], api: (id) => [`/api/videos/${id}`, `/api/videos/${id}/playback`] },
};

/** The manifest entry for a module: its source path, or for a package the chunk built from it. */
function entryOf(manifest: ViteManifest, module: string): string | undefined {
  if (manifest[module]) return module;
  return Object.keys(manifest).find((k) => k.includes(`/node_modules/${module}/`));
}

/** Files to modulepreload for these modules: each chunk and what it imports, once, without the app's entry. */
export function chunkFiles(manifest: ViteManifest, modules: string[]): string[] {
  const seen = new Set<string>();
  const files: string[] = [];
  const visit = (key: string) => {
    if (seen.has(key) || key === 'index.html') return;
    seen.add(key);
    const c = manifest[key];
    if (!c) return;
    files.push(c.file);
    for (const i of c.imports ?? []) visit(i);
  };
  for (const m of modules) {
    const key = entryOf(manifest, m);
    if (key) visit(key);
  }
  return files;
}

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The <link> tags for a page; `id` must already be validated (it lands in URLs). */
export function preloadTags(manifest: ViteManifest, route: string, id: string): string {
  const p = PAGE_PRELOADS[route];
  if (!p) return '';
  const modules = chunkFiles(manifest, p.modules).map((f) => `<link rel="modulepreload" href="/${attr(f)}">`);
  // crossorigin="anonymous" matches the app's fetch(…, { credentials: 'same-origin' }), so the fetch reuses it
  const reads = p.api(id).map((u) => `<link rel="preload" as="fetch" crossorigin="anonymous" href="${attr(u)}">`);
  return [...reads, ...modules].join('');
}

/** The app's own chunk (React, router, pages: web/src/boot.tsx), which the small entry imports when it is time. */
export const APP_MODULE = 'src/boot.tsx';

/** Every page's HTML: preload the app's chunk with the entry, not after it (the entry only decides when to run it). */
export function appPreloadTags(manifest: ViteManifest): string {
  // Rollup may key the chunk by its name rather than its source (it then holds modules the pages share too)
  const key = manifest[APP_MODULE] ? APP_MODULE : (manifest['index.html']?.dynamicImports ?? []).find((k) => manifest[k]?.name === 'boot');
  return key ? chunkFiles(manifest, [key]).map((f) => `<link rel="modulepreload" href="/${attr(f)}">`).join('') : '';
}

/** The player-first entry's chunk in the build (web/src/early.ts); it is an entry of its own. */
export const EARLY_ENTRY = 'src/early.ts';

/** Tallest rung a video starts with (the first segment is small and decodes fast; ABR moves up from there). */
export const START_MAX_HEIGHT = 360;

/**
 * The rung a ready video starts at, as an index into `heights` (ascending, the player's level order): the
 * tallest at most START_MAX_HEIGHT, else the lowest. web/src/player/engine.ts applies the same rule.
 */
export function startRung(heights: number[]): number {
  let pick = 0;
  heights.forEach((h, i) => { if (h <= START_MAX_HEIGHT) pick = i; });
  return pick;
}

/** The segment that contains `sec` (the player's start position); the last one past the end. */
export function segmentAt(pl: MediaPlaylist, sec: number): string | null {
  let t = 0;
  for (const s of pl.segments) {
    if (sec < t + s.durationSec) return s.uri;
    t += s.durationSec;
  }
  return pl.segments.at(-1)?.uri ?? null;
}

/** Where a player starts a video: its resume position unless that is within 5 s of the end (web/src/player/engine.ts). */
export function resumePoint(resumeSec: number | null, durationSec: number | null): number {
  return resumeSec && durationSec && resumeSec < durationSec - 5 ? resumeSec : 0;
}

const dirOf = (url: string) => url.slice(0, url.lastIndexOf('/') + 1);

/** The track with each of its paths (init, first segment, key) passed through `f`. */
export function mapTrackPaths(t: StartTrack, f: (path: string) => string): StartTrack {
  return { ...t, init: f(t.init), first: f(t.first), ...(t.key ? { key: { ...t.key, uri: f(t.key.uri) } } : {}) };
}

/** Every path a track names. */
export const trackPaths = (t: StartTrack): string[] => [t.init, t.first, ...(t.key ? [t.key.uri] : [])];

/**
 * How a media playlist's segment `uri` is encrypted: null when it is not (and its init segment is clear), the key
 * when it is AES-128 with an explicit IV and a clear init segment (EXT-X-MAP before the first EXT-X-KEY: Reel's
 * playlists, src/core/hls-encryption.ts); 'other' for anything else (SAMPLE-AES, an IV from the sequence number,
 * an encrypted init segment), which only hls.js plays.
 */
export function segmentKey(text: string, uri: string): { uri: string; iv: string } | null | 'other' {
  let key: { method: string; uri?: string; iv?: string } | null = null;
  let initClear = true;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#EXT-X-KEY:')) {
      const a = parseAttributes(line.slice(11));
      key = { method: a.METHOD ?? 'NONE', uri: a.URI, iv: a.IV };
    } else if (line.startsWith('#EXT-X-MAP:')) initClear = !key || key.method === 'NONE';
    else if (line === uri) {
      if (!initClear) return 'other';
      if (!key || key.method === 'NONE') return null;
      const iv = /^0x([0-9a-f]{32})$/i.exec(key.iv ?? '')?.[1];
      return key.method === 'AES-128' && key.uri && iv ? { uri: key.uri, iv: iv.toLowerCase() } : 'other';
    }
  }
  return 'other';
}

const AUDIO_CODEC = /^(mp4a|opus|ac-3|ec-3|flac)/;

/**
 * The media files a player asks for first, as absolute paths: the master playlist, the start rung's and the
 * audio's media playlists, their init segments, the segments at `startSec` and the key of those segments; and, when
 * they are plain CMAF (clear or AES-128 with explicit IVs, video and audio apart, codecs declared), the tracks they
 * make. `read` returns a playlist's text (as the origin serves it) or null. Empty when the master cannot be read.
 */
export async function startMedia(masterUrl: string, startSec: number, read: (url: string) => Promise<string | null>): Promise<{ files: string[]; tracks: StartTrack[] }> {
  const none = { files: [], tracks: [] };
  const masterText = await read(masterUrl);
  if (!masterText) return none;
  const master = parseMasterPlaylist(masterText);
  if (!master.variants.length) return none;
  const heights = master.variants.map((v) => Number(v.resolution?.split('x')[1] ?? 0));
  const order = heights.map((h, i) => ({ h, bw: master.variants[i].bandwidth, i })).sort((a, b) => a.h - b.h || a.bw - b.bw);
  const variant = master.variants[order[startRung(order.map((o) => o.h))].i];
  const audio = master.audio.find((a) => a.groupId === variant.audioGroup);
  const codecs = (variant.codecs ?? '').split(',').map((c) => c.trim()).filter(Boolean);
  const codecOf = (kind: 'video' | 'audio') => codecs.find((c) => AUDIO_CODEC.test(c) === (kind === 'audio'));
  const files = [masterUrl];
  const tracks: StartTrack[] = [];
  let plain = true;
  const base = dirOf(masterUrl);
  const wanted = [{ kind: 'video' as const, uri: variant.uri }, ...(audio ? [{ kind: 'audio' as const, uri: audio.uri }] : [])];
  const lists = await Promise.all(wanted.map(async (w) => ({ ...w, url: base + w.uri, text: await read(base + w.uri) })));
  for (const { kind, url, text } of lists) {
    files.push(url);
    if (!text) continue;
    const pl = parseMediaPlaylist(text);
    const seg = segmentAt(pl, startSec);
    if (pl.initUri) files.push(dirOf(url) + pl.initUri);
    if (seg) files.push(dirOf(url) + seg);
    const codec = codecOf(kind);
    const key = seg ? segmentKey(text, seg) : 'other';
    if (key === 'other' || !pl.initUri || !seg || !codec) plain = false;
    else {
      const resolved = key ? new URL(key.uri, `http://x${dirOf(url)}`) : null;
      const keyUrl = resolved ? resolved.pathname + resolved.search : null;
      if (keyUrl && !files.includes(keyUrl)) files.push(keyUrl);
      tracks.push({ kind, codec, init: dirOf(url) + pl.initUri, first: dirOf(url) + seg, ...(key && keyUrl ? { key: { uri: keyUrl, iv: key.iv } } : {}) });
    }
  }
  // muxed audio (no audio playlist while the variant declares an audio codec) does not fit two SourceBuffers
  if (!audio && codecOf('audio')) plain = false;
  return { files, tracks: plain ? tracks : [] };
}

/** JSON for an inline <script type="application/json">: nothing in it can end the element. */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * The head of a player-first watch page: the descriptor (id `reel-playback`, read by web/src/early.ts and the
 * watch page), a preload of the early entry (its script comes after the skeleton: earlyScript) and of its chunks,
 * and preloads of the first media files.
 */
export function watchStartTags(manifest: ViteManifest, playback: unknown, files: string[], playlists: Record<string, string> = {}, tracks: StartTrack[] = []): string {
  const early = manifest[EARLY_ENTRY];
  if (!early) return '';
  // playlists come inline (id `reel-playlists`: path → text; the player reads them without a request), the
  // segments as preloads
  const media = files.filter((u) => !(u in playlists)).map((u) => `<link rel="preload" as="fetch" crossorigin="anonymous" href="${attr(u)}">`);
  const inline = Object.keys(playlists).length ? [`<script id="reel-playlists" type="application/json">${inlineJson(playlists)}</script>`] : [];
  if (tracks.length) inline.push(`<script id="reel-start" type="application/json">${inlineJson(tracks)}</script>`);
  const imports = chunkFiles(manifest, early.imports ?? []).map((f) => `<link rel="modulepreload" href="/${attr(f)}">`);
  // hls.js: with start tracks the MSE starter shows the first frame and hls.js is evaluated after it, so it comes
  // after the media files; without them the early entry needs it first
  const hls = chunkFiles(manifest, ['hls.js']).map((f) => (tracks.length ? `<link rel="preload" as="script" crossorigin="anonymous" href="/${attr(f)}">` : `<link rel="modulepreload" href="/${attr(f)}">`));
  // the scripts first: a browser opens six connections to an HTTP/1.1 origin, and the media files arrive long
  // before hls.js (597 KB) is evaluated, so they must not hold the connections the scripts wait for
  // the entry itself is fetched first, and run (earlyScript) as soon as it is here
  return [
    `<script id="reel-playback" type="application/json">${inlineJson(playback)}</script>`,
    ...inline,
    `<link rel="modulepreload" href="/${attr(early.file)}">`,
    ...imports,
    ...(tracks.length ? [...media, ...hls] : [...hls, ...media]),
  ].join('');
}

/**
 * The player-first entry's script, placed after the skeleton: `async`, so it runs once fetched, without waiting
 * for the stylesheet and the end of parsing as the app's (deferred) script does; the app waits for it
 * (`#reel-early`, web/src/player/early.ts: earlyShown).
 */
function earlyScript(manifest: ViteManifest): string {
  const early = manifest[EARLY_ENTRY];
  return early ? `<script type="module" async id="reel-early" src="/${attr(early.file)}"></script>` : '';
}

/**
 * A player-first watch page from the built index.html: the start tags before the app's script, the skeleton in
 * #root and the early entry after it. The app's and the page's chunks are not preloaded: the app loads them once
 * the video shows (main.tsx), and until then they would only compete with hls.js and the first segments; the
 * video's details are, at low priority.
 */
export function playerFirstHtml(html: string, manifest: ViteManifest, id: string, playback: unknown, files: string[], playlists: Record<string, string> = {}, tracks: StartTrack[] = []): string {
  const details = `<link rel="preload" as="fetch" crossorigin="anonymous" fetchpriority="low" href="/api/videos/${attr(id)}">`;
  // a function, not a string, as replacement: `$&` and the like in a title stay as they are
  const tags = watchStartTags(manifest, playback, files, playlists, tracks);
  return html
    .replace(/<script type="module"/, () => `${tags}<script type="module"`)
    .replace('</head>', `${details}</head>`)
    .replace('<div id="root"></div>', () => `<div id="root">${WATCH_SKELETON}</div>${tags ? earlyScript(manifest) : ''}`);
}

/**
 * What the watch page looks like before the app renders it: the shell, the header's bar and the player's box
 * (#early-player), where web/src/early.ts puts the video; the app's first render replaces it all and takes the
 * video into its own player. Mirrors the markup of web/src/app.tsx and web/src/pages/Watch.tsx.
 */
export const WATCH_SKELETON =
  '<div class="shell shell-watch"><header class="top"></header><div class="body"><div class="content"><main class="watch">' +
  '<div class="watch-primary"><div class="player-wrap"><div class="player" id="early-player"></div></div></div><div class="watch-secondary"></div>' +
  '</main></div></div></div>';
