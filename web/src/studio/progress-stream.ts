// The studio's live processing progress: server-sent events from /api/me/videos/events. While the stream is up
// (mode "live") the rows render its snapshots and nothing polls; when EventSource is missing, the endpoint is
// refused or the connection drops, mode is "polling" and the rows poll the REST endpoints as before, until the
// browser's automatic reconnection brings the stream back.
import { useEffect, useRef, useState } from 'react';
import type { ProgressSnapshot } from '../lib/api';

export type ProgressMode = 'connecting' | 'live' | 'polling';

export function useProgressStream(enabled: boolean, onListChanged: () => void): { mode: ProgressMode; snapshots: Record<string, ProgressSnapshot> } {
  const [mode, setMode] = useState<ProgressMode>(enabled && typeof EventSource !== 'undefined' ? 'connecting' : 'polling');
  const [snapshots, setSnapshots] = useState<Record<string, ProgressSnapshot>>({});
  const changed = useRef(onListChanged);
  changed.current = onListChanged;
  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') { setMode('polling'); return; }
    const es = new EventSource('/api/me/videos/events');
    let live = false;
    // no word from the server for a while: poll meanwhile (the stream may still come up)
    const slow = window.setTimeout(() => { if (!live) setMode('polling'); }, 4000);
    es.addEventListener('hello', () => { live = true; setMode('live'); });
    es.addEventListener('progress', (e) => {
      const snap = JSON.parse((e as MessageEvent).data) as ProgressSnapshot;
      setSnapshots((s) => ({ ...s, [snap.id]: snap }));
    });
    es.addEventListener('added', () => changed.current());
    es.addEventListener('removed', () => changed.current());
    es.onerror = () => {
      live = false;
      setMode('polling');
      // CLOSED: refused for good (no such endpoint, signed out); otherwise the browser reconnects by itself
      if (es.readyState === EventSource.CLOSED) es.close();
    };
    return () => {
      window.clearTimeout(slow);
      es.close();
    };
  }, [enabled]);
  return { mode, snapshots };
}
