// Player-first page loads: a watch page's HTML carries the playback descriptor (#reel-playback) and the entry
// web/src/early.ts, which runs before the app's own script and starts the video at once, with the same engine
// (startEngine) and view reports the player uses, in the page's skeleton (#early-player). The app then renders
// around it: the watch page takes the descriptor (takeInlinePlayback) and its Player adopts the running video
// (takeEarly), replaying what the engine reported so far. No React here: this module loads before the app.
import type Hls from 'hls.js';
import type { Playback } from '../lib/api';
import { resumePoint, startEngine, type Engine, type EngineEvents } from './engine';
import { trackPlayback, type PlaybackTracker } from './reports';
import { inlineStart, startMse, type Started } from './starter';

/**
 * The <video> element of a player, with the descriptor's caption tracks (loaded when shown) and poster, unless
 * `poster` is false (the caller sets it later, or never).
 */
export function createVideoElement(d: Playback, poster = true): HTMLVideoElement {
  const v = document.createElement('video');
  v.id = 'player';
  v.playsInline = true;
  if (poster && d.thumbnailUrl) v.poster = d.thumbnailUrl;
  v.setAttribute('aria-label', 'Video player');
  for (const c of d.captions) {
    const t = document.createElement('track');
    t.kind = 'subtitles';
    t.src = c.url;
    t.srclang = c.lang;
    t.label = c.label;
    v.append(t);
  }
  return v;
}

let inline: Playback | null | undefined;

/** The descriptor in the page's HTML, when it is for this video; `take` uses it up (its token ages). */
function inlinePlayback(videoId: string, take: boolean): Playback | null {
  if (inline === undefined) {
    const el = document.getElementById('reel-playback');
    try {
      inline = el?.textContent ? (JSON.parse(el.textContent) as Playback) : null;
    } catch {
      inline = null;
    }
    el?.remove();
  }
  const d = inline?.videoId === videoId ? inline : null;
  if (take && d) inline = null;
  return d;
}
export const takeInlinePlayback = (videoId: string) => inlinePlayback(videoId, true);

/** The playlists the page's HTML carries (#reel-playlists: path → text), by absolute URL; read once. */
function inlinePlaylists(): Map<string, string> {
  const el = document.getElementById('reel-playlists');
  const out = new Map<string, string>();
  try {
    for (const [path, text] of Object.entries(JSON.parse(el?.textContent || '{}') as Record<string, string>)) out.set(new URL(path, location.href).href, text);
  } catch {
    // none: the player asks the server
  }
  el?.remove();
  return out;
}

export interface EarlyPlayer {
  videoId: string;
  video: HTMLVideoElement;
  tracker: PlaybackTracker;
  engine: Promise<Engine>;
  /** Where the engine's events go from now on; what it reported before is replayed first. */
  listen(events: EngineEvents): void;
}

let early: EarlyPlayer | null = null;
let shown: Promise<void> = Promise.resolve();
/** Resolved when the page's early entry (#reel-early, an async script: it may run after the app's) has run. */
let entered = () => {};
const entry = new Promise<void>((resolve) => {
  entered = resolve;
  // a script that failed to load does not hold the app for long
  setTimeout(resolve, 1500);
});

/**
 * Resolves once the early video shows its first frame (or cannot: an error, autoplay refused, 1.5 s at most),
 * at once when there is none: the app renders after it, so the two do not compete for the main thread.
 */
export const earlyShown = () => (document.getElementById('reel-early') ? entry.then(() => shown) : shown);

/** Calls `done` once: at the video's first frame, or when it will not come soon. */
function onFirstFrame(video: HTMLVideoElement, done: () => void): void {
  const timer = setTimeout(done, 1500);
  let once = false;
  const finish = () => {
    if (once) return;
    once = true;
    clearTimeout(timer);
    done();
  };
  // asked once the video has a source: asked before, Chromium may answer before the video's first frame
  const watch = () => {
    if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(finish);
  };
  if (video.getAttribute('src') || video.querySelector('source')) watch();
  else video.addEventListener('loadstart', watch, { once: true });
  // a paused video (autoplay refused) shows its poster, not frames: its first frame is ready at loadeddata
  video.addEventListener('loadeddata', () => { if (video.paused) finish(); }, { once: true });
  video.addEventListener('error', finish, { once: true });
}

/**
 * Start the video of this page's /watch/<id> before the app, when the HTML says how. With start tracks (#reel-start)
 * the MSE starter appends the first segments at once and hls.js (`loadHls`) is evaluated after the first frame,
 * then adopts the MediaSource; without them (or if the starter fails) hls.js starts the video itself.
 */
export function startEarly(loadHls: () => Promise<typeof Hls>): void {
  try {
    start(loadHls);
  } finally {
    entered();
  }
}

function start(loadHls: () => Promise<typeof Hls>): void {
  const m = /^\/watch\/([^/]+)\/?$/.exec(location.pathname);
  const box = document.getElementById('early-player');
  if (!m || !box || new URLSearchParams(location.search).get('player') === 'dash') return;
  const d = inlinePlayback(decodeURIComponent(m[1]), false);
  if (!d?.hls.h264) return;
  performance.mark('reel:early entry runs');
  if (localStorage.getItem('reel_theater') === '1') box.closest('.watch')?.classList.add('watch-theater');
  const startTracks = inlineStart();
  // with start tracks the first frame comes before a poster would: the poster (decoded on the main thread while
  // the starter needs it) is set once the frame shows (it stays hidden then: the video is playing), or if the
  // frame does not come soon
  const video = createVideoElement(d, !startTracks.length);
  const setPoster = () => {
    if (d.thumbnailUrl) video.poster ||= d.thumbnailUrl;
  };
  const posterLater = startTracks.length ? setTimeout(setPoster, 400) : undefined;
  box.append(video);
  const tracker = trackPlayback(video, d.videoId);
  let target: EngineEvents | null = null;
  const pending: Array<(e: EngineEvents) => void> = [];
  const emit = (f: (e: EngineEvents) => void) => (target ? f(target) : pending.push(f));
  const events: EngineEvents = {
    levels: (l) => emit((e) => e.levels(l)),
    cap: (c) => emit((e) => e.cap(c)),
    processingDone: () => emit((e) => e.processingDone()),
    switched: (label, auto) => emit((e) => e.switched(label, auto)),
    fatal: (msg) => {
      frameShown();
      emit((e) => e.fatal(msg));
    },
  };
  let frameShown = () => {};
  shown = new Promise<void>((resolve) => {
    frameShown = resolve;
    onFirstFrame(video, resolve);
  });
  void shown.then(() => {
    performance.mark('reel:early shown');
    clearTimeout(posterLater);
    setPoster();
  });
  const resumeAt = resumePoint(d);
  const playlists = inlinePlaylists();
  // the page names start tracks only for a ready video (src/web/pages-routes.ts)
  const starting = startMse(video, startTracks, resumeAt);
  if (!starting) setPoster();
  const engine = (async () => {
    let adopt: Started | undefined;
    if (starting) {
      adopt = await starting.catch(() => undefined);
      if (adopt) await shown;
    }
    return startEngine(video, d, { processing: d.status !== 'ready', resumeAt, dash: false, events, hls: await loadHls(), playlists, adopt });
  })();
  engine.catch(frameShown);
  early = {
    videoId: d.videoId,
    video,
    tracker,
    engine,
    listen: (e) => {
      target = e;
      for (const f of pending.splice(0)) f(e);
    },
  };
}

/** The video started before the app for this video, once: the player that takes it owns it from then on. */
export function takeEarly(videoId: string): EarlyPlayer | null {
  if (early?.videoId !== videoId) return null;
  const e = early;
  early = null;
  return e;
}

/** After the app's first render: a video started early that no player took stops (the page shows something else). */
export function abandonEarly(): void {
  const e = early;
  early = null;
  if (!e) return;
  e.tracker.stop();
  e.engine.then((engine) => engine.destroy(), () => {});
  e.video.remove();
}
