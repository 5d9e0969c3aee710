// TV watch: the player fills the screen and has focus; Enter plays/pauses, ←/→ seek 10 s, ↓ reaches the
// controls, Escape/Backspace goes back to the TV home.
import { useCallback, useEffect, useRef } from 'react';
import { navigate } from '../lib/router';
import { preloadHls } from '../player/engine';
import { Player } from '../player/Player';
import { useWatchable } from '../watch/use-watchable';
import { useSpatialNav } from './spatial-nav';

export function TvWatch({ id }: { id: string }) {
  useEffect(() => { void preloadHls(); }, []);
  const root = useRef<HTMLDivElement>(null);
  const { video, playback, state, setState } = useWatchable(id);
  const back = useCallback(() => navigate('/tv'), []);
  useSpatialNav(useCallback(() => root.current, []), back);
  useEffect(() => {
    if (playback) root.current?.querySelector<HTMLElement>('#player-box')?.focus();
  }, [playback]);
  const onState = useCallback((s: string | null) => setState(s ?? ''), [setState]);
  return (
    <div className="tv-watch" ref={root}>
      <div id="state" className={`state${state ? ' state-visible' : ''}`} role="status">{state}</div>
      {playback && <Player playback={playback} processing={(video?.status ?? playback.status) !== 'ready'} tv onState={onState} />}
      {video && <h1 className="tv-title">{video.title} <span className="muted">· {video.channel.name}</span></h1>}
    </div>
  );
}
