// The MSE starter: a watch page shows its video's first frame before hls.js is even evaluated. The page's HTML
// names the start rung's and the audio's init and first segments (#reel-start, preloaded, with their AES-128 key
// when the video is encrypted); this opens a MediaSource on the <video>, appends them (decrypted with WebCrypto)
// and plays. hls.js then adopts the MediaSource and its SourceBuffers (attachMedia with `mediaSource` and
// `tracks`, the way hls.js hands a video over between instances) and goes on from the end of what is buffered.
// hls.js (~600 KB) takes ~150 ms of main thread to evaluate on a small machine; that now happens while the first
// segment plays instead of before it.

import type { StartTrack } from '../../../src/web/start-track';

/** What hls.js adopts (its MediaAttachingData without the media). */
export interface Started {
  mediaSource: MediaSource;
  tracks: Record<string, { id: 'main' | 'audio'; container: string; codec: string; buffer: SourceBuffer; listeners: never[] }>;
}

const mime = (t: StartTrack) => `${t.kind}/mp4; codecs="${t.codec}"`;

/** The start's tracks in the page's HTML (read once), or none. */
export function inlineStart(): StartTrack[] {
  const el = document.getElementById('reel-start');
  let tracks: StartTrack[] = [];
  try {
    tracks = JSON.parse(el?.textContent || '[]') as StartTrack[];
  } catch {
    // none: hls.js starts the video
  }
  el?.remove();
  return Array.isArray(tracks) ? tracks : [];
}

function append(sb: SourceBuffer, bytes: ArrayBuffer): Promise<void> {
  return new Promise((resolve, reject) => {
    sb.addEventListener('updateend', () => resolve(), { once: true });
    sb.addEventListener('error', () => reject(new Error('append failed')), { once: true });
    sb.appendBuffer(bytes);
  });
}

/**
 * Opens a MediaSource on `video` and appends each track's init and first segment; resolves when they are buffered
 * (the video then plays). Null when this browser cannot (no MSE, a codec it does not take): hls.js starts alone.
 */
export function startMse(video: HTMLVideoElement, tracks: StartTrack[], startSec: number): Promise<Started> | null {
  const MS = window.MediaSource;
  if (!MS || !tracks.length || !tracks.every((t) => MS.isTypeSupported(mime(t)))) return null;
  // WebCrypto only in a secure context (https, localhost): elsewhere hls.js decrypts
  const subtle = window.crypto?.subtle;
  if (tracks.some((t) => t.key) && !subtle) return null;
  // the preloads answer these (same URLs, same CORS mode)
  const get = (url: string) =>
    fetch(url).then((r) => {
      if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
      return r.arrayBuffer();
    });
  const keys = new Map<string, Promise<CryptoKey>>();
  const keyOf = (uri: string) => {
    if (!keys.has(uri)) keys.set(uri, get(uri).then((raw) => subtle.importKey('raw', raw, 'AES-CBC', false, ['decrypt'])));
    return keys.get(uri)!;
  };
  const clear = async (t: StartTrack, data: Promise<ArrayBuffer>): Promise<ArrayBuffer> => {
    if (!t.key) return data;
    const iv = new Uint8Array(t.key.iv.match(/../g)!.map((h) => parseInt(h, 16)));
    return subtle.decrypt({ name: 'AES-CBC', iv }, await keyOf(t.key.uri), await data);
  };
  const bytes = tracks.map((t) => [get(t.init), clear(t, get(t.first))]);
  for (const b of bytes.flat()) b.catch(() => {});
  const ms = new MS();
  video.src = URL.createObjectURL(ms);
  // asked now, so the video plays as soon as it has a frame (and is not paused at loadeddata, which means "autoplay
  // refused" to the early player)
  video.play().catch(() => {});
  return new Promise<Started>((resolve, reject) => {
    ms.addEventListener(
      'sourceopen',
      () => {
        // every SourceBuffer before the first append (Chromium takes no new one after that)
        const buffers = tracks.map((t) => ms.addSourceBuffer(mime(t)));
        Promise.all(
          tracks.map(async (_t, i) => {
            for (const b of bytes[i]) await append(buffers[i], await b);
          }),
        )
          .then(() => {
            performance.mark('reel:starter buffered');
            if (startSec) video.currentTime = startSec;
            const out: Started['tracks'] = {};
            tracks.forEach((t, i) => {
              out[t.kind] = { id: t.kind === 'video' ? 'main' : 'audio', container: `${t.kind}/mp4`, codec: t.codec, buffer: buffers[i], listeners: [] };
            });
            resolve({ mediaSource: ms, tracks: out });
          })
          .catch(reject);
      },
      { once: true },
    );
  });
}
