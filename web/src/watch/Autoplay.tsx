// Autoplay of "up next": when the video ends, a countdown over the player (with Cancel and Play now) and then
// the first up-next video. The on/off choice persists in localStorage.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Video } from '../lib/api';
import { navigate } from '../lib/router';
import { Thumb } from '../components/VideoCard';

export const AUTOPLAY_KEY = 'reel_autoplay';
export const AUTOPLAY_SECONDS = 5;

/** [on, set]: on unless the viewer turned it off (stored per browser). */
export function useAutoplayPreference(): [boolean, (on: boolean) => void] {
  const [on, setOn] = useState(() => {
    try { return localStorage.getItem(AUTOPLAY_KEY) !== '0'; } catch { return true; }
  });
  const set = useCallback((v: boolean) => {
    setOn(v);
    try { localStorage.setItem(AUTOPLAY_KEY, v ? '1' : '0'); } catch { /* private mode: this page only */ }
  }, []);
  return [on, set];
}

/**
 * The countdown state: start() when the video ends (does nothing when autoplay is off or nothing is next);
 * cancel() stops it. Reaching 0 navigates to the next video.
 */
export function useAutoplayCountdown(enabled: boolean, next: Video | undefined) {
  const [left, setLeft] = useState<number | null>(null);
  const state = useRef({ enabled, next });
  state.current = { enabled, next };
  const start = useCallback(() => {
    if (state.current.enabled && state.current.next) setLeft(AUTOPLAY_SECONDS);
  }, []);
  const cancel = useCallback(() => setLeft(null), []);
  useEffect(() => {
    if (!enabled) setLeft(null);
  }, [enabled]);
  useEffect(() => {
    if (left === null) return;
    if (left <= 0) {
      const to = state.current.next;
      setLeft(null);
      if (to) navigate(`/watch/${to.id}`);
      return;
    }
    const t = window.setTimeout(() => setLeft((n) => (n === null ? null : n - 1)), 1000);
    return () => window.clearTimeout(t);
  }, [left]);
  return { left, start, cancel };
}

export function AutoplayOverlay({ next, left, onCancel }: { next: Video; left: number; onCancel(): void }) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => { cancelRef.current?.focus(); }, []);
  return (
    <div className="autoplay-overlay" id="autoplay" role="region" aria-label="Up next" onKeyDown={(e) => { if (e.key === 'Escape') { e.stopPropagation(); onCancel(); } }}>
      <div className="next-card">
        <div className="muted" aria-live="polite" id="autoplay-countdown">Up next in <span className="countdown-ring">{left}</span></div>
        <div className="next-thumb"><Thumb video={next} /></div>
        <div className="next-title" id="autoplay-title">{next.title}</div>
        <div className="muted">{next.channel.name}</div>
        <div className="buttons">
          <button type="button" ref={cancelRef} id="autoplay-cancel" className="secondary" onClick={onCancel}>Cancel</button>
          <button type="button" id="autoplay-now" onClick={() => navigate(`/watch/${next.id}`)}>Play now</button>
        </div>
      </div>
    </div>
  );
}
