// What the watch page tells the server while a video plays (ported from the old web/playback-reports.js):
// - view reports (start, a heartbeat every HEARTBEAT_SEC of playing, end) with the seconds actually watched
//   and the position, which is also the signed-in viewer's resume point;
// - quality reports for /metrics (start, rebuffer, rendition switch, fatal error).
import { viewerId } from '../lib/viewer';

const HEARTBEAT_SEC = 10;
function post(path: string, body: unknown): void {
  // keepalive lets the last report leave while the page unloads
  fetch(path, { method: 'POST', credentials: 'same-origin', keepalive: true, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).catch(() => {});
}

export interface PlaybackTracker {
  switched(rendition: string): void;
  failed(): void;
  /** Stop following the element; sends `end` if playback started and did not end (leaving the page in the app). */
  stop(): void;
}

/** Follow one <video> element for one video. */
export function trackPlayback(video: HTMLVideoElement, videoId: string): PlaybackTracker {
  const viewer = viewerId();
  let watched = 0; // seconds of media actually played (seeking does not count)
  let lastTime: number | null = null;
  let started = false;
  let sinceReport = 0;
  const report = (event: 'start' | 'heartbeat' | 'end') =>
    post(`/api/videos/${videoId}/views`, { viewerId: viewer, event, watchSeconds: Math.round(watched * 10) / 10, positionSec: Math.max(0, video.currentTime || 0) });
  const quality = (event: 'start' | 'rebuffer' | 'switch' | 'error', rendition?: string) => post('/api/playback-events', rendition ? { videoId, event, rendition } : { videoId, event });

  const on: Record<string, () => void> = {
    playing: () => {
      lastTime = video.currentTime;
      if (started) return;
      started = true;
      report('start');
      quality('start');
    },
    timeupdate: () => {
      if (video.paused || video.seeking || lastTime === null) return;
      const delta = video.currentTime - lastTime;
      lastTime = video.currentTime;
      // timeupdate fires every ~250 ms; a larger jump is a seek, not watching
      if (delta <= 0 || delta > 2) return;
      watched += delta / (video.playbackRate || 1);
      sinceReport += delta / (video.playbackRate || 1);
      if (sinceReport >= HEARTBEAT_SEC) {
        sinceReport = 0;
        report('heartbeat');
      }
    },
    seeked: () => { lastTime = video.currentTime; },
    pause: () => { if (started && !video.ended) report('heartbeat'); },
    ended: () => report('end'),
    waiting: () => { if (started && !video.seeking) quality('rebuffer'); },
  };
  for (const [name, fn] of Object.entries(on)) video.addEventListener(name, fn);
  const leave = () => { if (started && !video.ended) report('end'); };
  window.addEventListener('pagehide', leave);
  return {
    switched: (rendition) => { if (started) quality('switch', rendition); },
    failed: () => quality('error'),
    stop: () => {
      for (const [name, fn] of Object.entries(on)) video.removeEventListener(name, fn);
      window.removeEventListener('pagehide', leave);
      leave();
    },
  };
}
