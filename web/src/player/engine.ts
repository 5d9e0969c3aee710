// Attaches a streaming library to the <video>: hls.js (loaded on demand) for HLS, dash.js only for ?player=dash,
// native HLS where MSE is missing (Safari on iOS). Exposes window.reelPlayer = { hls | dash, video } for tests.
import type HlsType from 'hls.js';
import type { FragBufferedData, LoaderCallbacks, LoaderConfiguration, LoaderContext, PlaylistLoaderConstructor } from 'hls.js';
import type { Playback } from '../lib/api';
import type { Started } from './starter';
import { api } from '../lib/api';

export interface Level { index: number; height: number; label: string }
export interface EngineEvents {
  levels(levels: Level[]): void;
  /** Highest level index playable now while the video is still processing; -1 when every level is. */
  cap(index: number): void;
  processingDone(): void;
  switched(label: string, auto: boolean): void;
  fatal(message: string): void;
}
export interface Engine {
  kind: 'hls' | 'dash' | 'native';
  setLevel(index: number): void;
  destroy(): void;
}

declare global {
  interface Window { reelPlayer?: { hls?: unknown; dash?: unknown; video: HTMLVideoElement } }
}

/** Start fetching hls.js while the page asks the API for the video. */
export const preloadHls = () => import('hls.js');

/** Where playback starts: the resume position unless it is within 5 s of the end (src/web/page-preloads.ts: resumePoint). */
export function resumePoint(d: Playback): number {
  return d.resumePositionSec && d.durationSec && d.resumePositionSec < d.durationSec - 5 ? d.resumePositionSec : 0;
}

/**
 * The level a ready video starts at: the tallest at most 360p, else the lowest (levels in the player's order,
 * shortest first). A small first segment decodes and shows sooner; ABR moves up from the first measurement. The
 * watch page's HTML preloads this rung's first files by the same rule (src/web/page-preloads.ts: startRung).
 */
export function startLevelFor(heights: number[]): number {
  let pick = 0;
  heights.forEach((h, i) => { if (h <= 360) pick = i; });
  return pick;
}

/** The best codec this browser decodes: AV1, then VP9 where the video has them, else H.264. */
export function pickCodec(d: Playback): 'h264' | 'vp9' | 'av1' {
  const ms = window.MediaSource;
  for (const c of ['av1', 'vp9'] as const) {
    const qs = d.qualities.filter((q) => q.codec === c);
    if (d.hls[c] && qs.length && ms && qs.every((q) => ms.isTypeSupported(`video/mp4; codecs="${q.codecs}"`))) return c;
  }
  return 'h264';
}

/**
 * hls.js's playlist loader, answering from `texts` (absolute URL → playlist; each used once, later reloads go to
 * the server) before asking the network: the watch page's HTML carries the first playlists, which saves the
 * player two round trips before its first segment.
 */
function inlinePlaylistLoader(Hls: typeof HlsType, texts: Map<string, string>): PlaylistLoaderConstructor {
  const Base = Hls.DefaultConfig.loader;
  class InlinePlaylistLoader extends Base {
    load(context: LoaderContext, config: LoaderConfiguration, callbacks: LoaderCallbacks<LoaderContext>): void {
      const url = new URL(context.url, location.href).href; // hls.js passes the master's URL as it was given
      const text = texts.get(url);
      if (text === undefined) return super.load(context, config, callbacks);
      texts.delete(url);
      const now = performance.now();
      const stats = this.stats;
      stats.loading.start = stats.loading.first = stats.loading.end = now;
      stats.loaded = stats.total = text.length;
      queueMicrotask(() => callbacks.onSuccess({ url: context.url, data: text, code: 200 }, stats, context, null));
    }
  }
  return InlinePlaylistLoader as unknown as PlaylistLoaderConstructor; // hls.js types its playlist loaders apart
}

/**
 * `hls`: hls.js when the caller already has it (the player-first entry): the engine then starts without a wait.
 * `adopt`: a MediaSource the MSE starter (./starter.ts) opened on `video`, which hls.js takes over.
 * `playlists`: playlist texts by absolute URL that the page already has (see inlinePlaylistLoader).
 */
export async function startEngine(video: HTMLVideoElement, d: Playback, opts: { processing: boolean; resumeAt: number; dash: boolean; events: EngineEvents; hls?: typeof HlsType; playlists?: Map<string, string>; adopt?: Started }): Promise<Engine> {
  const { events } = opts;
  if (opts.dash && d.dash.h264) return startDash(video, d.dash.h264, opts.resumeAt, events, (d as { clearKey?: ClearKeyInfo | null }).clearKey ?? null);
  const src = d.hls[pickCodec(d)] ?? d.hls.h264!;
  const Hls = opts.hls ?? (await preloadHls()).default;
  if (!Hls.isSupported()) {
    if (!video.canPlayType('application/vnd.apple.mpegurl')) {
      events.fatal('This browser cannot play HLS video.');
      return { kind: 'native', setLevel: () => {}, destroy: () => {} };
    }
    video.src = src; // Safari plays HLS natively (its own quality choice)
    if (opts.resumeAt) video.addEventListener('loadedmetadata', () => { video.currentTime = opts.resumeAt; }, { once: true });
    window.reelPlayer = { video };
    return { kind: 'native', setLevel: () => {}, destroy: () => { video.removeAttribute('src'); video.load(); } };
  }
  let stopped = false;
  // a processing video's playlists are EVENT playlists: start at the beginning (or the resume point), not the live edge
  // first frame first: no bandwidth-test fragment at the lowest rung (testBandwidth) before the real start; a ready
  // video starts at startLevelFor (set once the levels are known) and ABR adapts from the first segment's measurement
  // enableWorker: false — Reel's segments are fMP4 (CMAF), which hls.js passes through without transmuxing, so the
  // transmux worker (a second copy of hls.js started from a blob URL) would only delay the first append
  const hls = new Hls({
    capLevelToPlayerSize: false,
    startPosition: opts.resumeAt,
    startLevel: opts.processing ? 0 : -1,
    testBandwidth: false,
    abrEwmaDefaultEstimate: 2_000_000,
    startFragPrefetch: true,
    enableWorker: false,
    ...(opts.playlists?.size ? { pLoader: inlinePlaylistLoader(Hls, opts.playlists) } : {}),
  });
  window.reelPlayer = { hls, video };

  // While a video is still processing, allow only renditions that already cover what the viewer will watch next.
  const followProcessing = async (): Promise<void> => {
    if (stopped) return;
    let a: { status: string; rungs: Record<string, number> };
    try {
      a = await api(`/api/videos/${d.videoId}/availability`);
    } catch {
      setTimeout(followProcessing, 2000);
      return;
    }
    if (stopped) return;
    if (a.status === 'ready') {
      hls.autoLevelCapping = -1;
      events.cap(-1);
      events.processingDone();
      return;
    }
    const secs = Object.values(a.rungs);
    const need = Math.min(video.duration || Infinity, video.currentTime + 10);
    let cap = 0;
    secs.forEach((s, i) => { if (s >= need) cap = i; });
    hls.autoLevelCapping = cap;
    events.cap(cap);
    setTimeout(followProcessing, 2000);
  };

  hls.on(Hls.Events.MANIFEST_PARSED, (_e, data) => {
    // hls.js starts loading after this event: the start level set here is the first one it loads
    if (!opts.processing) hls.startLevel = startLevelFor(data.levels.map((l) => l.height));
    events.levels(data.levels.map((l, i) => ({ index: i, height: l.height, label: `${l.height}p` })));
    if (opts.processing) void followProcessing();
    video.play().catch(() => {});
  });
  hls.on(Hls.Events.LEVEL_SWITCHED, (_e, s) => events.switched(`${hls.levels[s.level].height}p`, hls.autoLevelEnabled));
  hls.on(Hls.Events.ERROR, (_e, err) => { if (err.fatal) events.fatal(`Playback error: ${err.details}`); });
  // user timing marks of the start (bench/delivery.ts reports them): attached, levels known, first media buffered
  const mark = (name: string) => performance.mark(`reel:${name}`);
  hls.once(Hls.Events.MEDIA_ATTACHED, () => mark('hls media attached'));
  hls.once(Hls.Events.MANIFEST_PARSED, () => mark('hls manifest parsed'));
  hls.once(Hls.Events.FRAG_BUFFERED, () => mark('hls first fragment buffered'));
  mark('hls started');
  let repaint: ((e: typeof Hls.Events.FRAG_BUFFERED, data: FragBufferedData) => void) | undefined; // see setLevel
  // attach first: the MediaSource opens while the playlists are read. `adopt`: the MSE starter's MediaSource, with
  // the first segments buffered; hls.js takes its SourceBuffers and loads from where the buffer ends
  hls.attachMedia(opts.adopt ? { media: video, mediaSource: opts.adopt.mediaSource, tracks: opts.adopt.tracks as never } : video);
  hls.loadSource(src);
  return {
    kind: 'hls',
    setLevel: (i) => {
      hls.currentLevel = i;
      // hls.js flushes the buffer and loads the chosen rendition, but a paused video goes on showing the old
      // rendition's frame: once the new one covers the paused position, seek there again to show it
      if (repaint) hls.off(Hls.Events.FRAG_BUFFERED, repaint);
      repaint = undefined;
      if (i < 0 || !video.paused) return;
      repaint = (_e, { frag }) => {
        const t = video.currentTime;
        if (frag.level !== i || t < frag.start || t >= frag.start + frag.duration) return;
        hls.off(Hls.Events.FRAG_BUFFERED, repaint);
        repaint = undefined;
        if (video.paused) video.currentTime = t;
      };
      hls.on(Hls.Events.FRAG_BUFFERED, repaint);
    },
    destroy: () => { stopped = true; hls.destroy(); },
  };
}

/** An encrypted video's DASH is ClearKey CENC: the descriptor's license URL (signed like the segments) and key id. */
interface ClearKeyInfo { licenseUrl: string; defaultKid: string }

async function startDash(video: HTMLVideoElement, url: string, resumeAt: number, events: EngineEvents, clearKey: ClearKeyInfo | null): Promise<Engine> {
  const mod: any = await import('dashjs');
  const dashjs = mod.default?.MediaPlayer ? mod.default : mod;
  const player = dashjs.MediaPlayer().create();
  window.reelPlayer = { dash: player, video };
  // dash.js reads the key id from the MPD (cenc:default_KID) and posts the W3C ClearKey license request here;
  // the MPD's own Laurl is relative, so the absolute, token-carrying URL comes from the descriptor
  if (clearKey) player.setProtectionData({ 'org.w3.clearkey': { serverURL: new URL(clearKey.licenseUrl, location.href).href } });
  const E = dashjs.MediaPlayer.events;
  player.on(E.ERROR, (e: any) => events.fatal(`Playback error: ${e.error?.message ?? String(e.error?.code ?? 'unknown')}`));
  player.on(E.STREAM_INITIALIZED, () => {
    const list: Array<{ qualityIndex: number; height: number }> = player.getBitrateInfoListFor('video') ?? [];
    events.levels(list.map((b) => ({ index: b.qualityIndex, height: b.height, label: `${b.height}p` })));
    if (resumeAt) player.seek(resumeAt);
  });
  player.on(E.QUALITY_CHANGE_RENDERED, (e: any) => {
    if (e.mediaType !== 'video') return;
    const info = (player.getBitrateInfoListFor('video') ?? [])[e.newQuality];
    const auto = player.getSettings().streaming?.abr?.autoSwitchBitrate?.video !== false;
    if (info) events.switched(`${info.height}p`, auto);
  });
  let repaint: ((e: any) => void) | undefined; // see setLevel
  player.initialize(video, url, true);
  return {
    kind: 'dash',
    setLevel: (i) => {
      player.updateSettings({ streaming: { abr: { autoSwitchBitrate: { video: i < 0 } } } });
      if (i >= 0) player.setQualityFor('video', i, true);
      // as with hls.js, a paused video would go on showing the old rendition's frame: once the chosen one's segment
      // at the paused position is loaded and appended (the buffer level is updated after each append), seek again
      if (repaint) { player.off(E.FRAGMENT_LOADING_COMPLETED, repaint); repaint = undefined; }
      if (i < 0 || !video.paused) return;
      repaint = (e: any) => {
        const r = e.request;
        const t = video.currentTime;
        if (r?.mediaType !== 'video' || r.quality !== i || !(t >= r.startTime && t < r.startTime + r.duration)) return;
        player.off(E.FRAGMENT_LOADING_COMPLETED, repaint);
        repaint = undefined;
        const appended = (b: any) => {
          if (b.mediaType !== 'video') return;
          player.off(E.BUFFER_LEVEL_UPDATED, appended);
          if (video.paused) video.currentTime = video.currentTime; // where the viewer is now, had they moved since
        };
        player.on(E.BUFFER_LEVEL_UPDATED, appended);
      };
      player.on(E.FRAGMENT_LOADING_COMPLETED, repaint);
    },
    destroy: () => player.reset(),
  };
}
