import { useEffect, useState } from 'react';
import { api, ApiError, type Playback, type Video } from '../lib/api';
import { takeInlinePlayback } from '../player/early';

/** Loads the video and, once playable, its playback descriptor; polls while it is still being uploaded/processed. */
export function useWatchable(id: string) {
  const [video, setVideo] = useState<Video | null>(null);
  // a player-first page load has the descriptor in its HTML: the player renders at once, before the video's details
  const [inline] = useState(() => takeInlinePlayback(id));
  const [playback, setPlayback] = useState<Playback | null>(inline);
  const [state, setState] = useState<string | null>('');
  useEffect(() => {
    let stop = false;
    let timer = 0;
    // the first look asks for the descriptor alongside the video (the page's HTML preloads both); later polls don't
    let early: Promise<Playback | null> | null = inline ? Promise.resolve(inline) : api<Playback>(`/api/videos/${id}/playback`).catch(() => null);
    const load = async () => {
      let v: Video;
      try {
        v = await api<Video>(`/api/videos/${id}`);
      } catch (err) {
        if (!stop) setState(err instanceof ApiError && err.status === 404 ? 'This video does not exist or is private.' : (err as Error).message);
        return;
      }
      if (stop) return;
      setVideo(v);
      document.title = `${v.title} · Reel`;
      if (v.status === 'failed') return setState(`Processing failed: ${v.error?.message ?? 'unknown error'}`);
      if (!v.playable) {
        early = null;
        setState(`${v.status === 'uploading' ? 'Uploading' : 'Processing'}… ${Math.round(v.progress * 100)}%`);
        timer = window.setTimeout(load, 1000);
        return;
      }
      setState(v.status === 'ready' ? '' : 'Still processing: higher qualities join as they are ready.');
      try {
        const d = (await early) ?? (await api<Playback>(`/api/videos/${id}/playback`));
        early = null;
        if (!stop) setPlayback(d);
      } catch (err) {
        if (!stop) setState((err as Error).message);
      }
    };
    void load();
    return () => { stop = true; clearTimeout(timer); };
  }, [id]);
  return { video, playback, state, setState };
}
