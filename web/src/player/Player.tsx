// The video player: hls.js/dash.js engine, custom accessible controls, storyboard previews on the seek bar,
// captions, speed, quality (#quality, #current-level), theater and fullscreen, keyboard shortcuts, view reports.
import { useEffect, useLayoutEffect, useRef, useState, type PointerEvent as RPointerEvent } from 'react';
import type { Playback } from '../lib/api';
import { fmtDuration } from '../lib/format';
import { createVideoElement, takeEarly } from './early';
import { resumePoint, startEngine, type Engine, type EngineEvents, type Level } from './engine';
import { trackPlayback, type PlaybackTracker } from './reports';
import { handleShortcut, SPEEDS, type PlayerActions } from './shortcuts';
import { loadStoryboard, tileAt, type Tile } from './storyboard';
import { Icon } from '../components/Icon';

export interface PlayerProps {
  playback: Playback;
  processing: boolean;
  dash?: boolean;
  tv?: boolean;
  theater?: boolean;
  onTheater?(): void;
  /** Status line above the player: null clears it. */
  onState(text: string | null): void;
  onEnded?(): void;
}

export function Player({ playback: d, processing, dash = false, tv = false, theater = false, onTheater, onState, onEnded }: PlayerProps) {
  const box = useRef<HTMLDivElement>(null);
  // the <video>: the one a player-first page load already started (player/early.ts), else a new one
  const [early] = useState(() => (dash ? null : takeEarly(d.videoId)));
  const videoRef = useRef<HTMLVideoElement | null>(null);
  videoRef.current ??= early?.video ?? createVideoElement(d);
  const engine = useRef<Engine | null>(null);
  const tracker = useRef<PlaybackTracker | null>(null);
  const [levels, setLevels] = useState<Level[]>([]);
  const [cap, setCap] = useState(-1);
  const [level, setLevel] = useState(-1);
  const [current, setCurrent] = useState('');
  const [paused, setPaused] = useState(true);
  const [started, setStarted] = useState(false);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState(d.durationSec ?? 0);
  const [buffered, setBuffered] = useState(0);
  const [volume, setVolume] = useState(1);
  const [muted, setMuted] = useState(false);
  const [rate, setRate] = useState(1);
  // the caption track shown (its language), null when off; the choice persists per browser
  const [captionLang, setCaptionLang] = useState<string | null>(null);
  const lastCaption = useRef<string | null>(null);
  const captions = captionLang !== null;
  const [fullscreen, setFullscreen] = useState(false);
  const [tiles, setTiles] = useState<Tile[]>([]);
  const [hover, setHover] = useState<{ x: number; t: number } | null>(null);
  const [active, setActive] = useState(true);
  const [announce, setAnnounce] = useState('');

  // the element goes into the box in the commit that shows the box: an early video moves here without a pause
  useLayoutEffect(() => {
    const v = videoRef.current!;
    box.current!.prepend(v);
    const click = () => actionsRef.current.toggle();
    const dblclick = () => actionsRef.current.toggleFullscreen();
    v.addEventListener('click', click);
    v.addEventListener('dblclick', dblclick);
    return () => {
      v.removeEventListener('click', click);
      v.removeEventListener('dblclick', dblclick);
    };
  }, []);

  // engine + reports; in the commit that shows the player, so an adopted engine's levels so far (replayed by
  // listen) are in the quality menu before it is painted
  useLayoutEffect(() => {
    const video = videoRef.current!;
    let cancelled = false;
    const events: EngineEvents = {
      levels: (l) => setLevels(l),
      cap: (c) => setCap(c),
      processingDone: () => onState(null),
      switched: (label, auto) => {
        setCurrent(`Playing ${label}${auto ? ' (auto)' : ''}`);
        tracker.current?.switched(label);
      },
      fatal: (msg) => {
        onState(msg);
        tracker.current?.failed();
      },
    };
    let started: Promise<Engine>;
    if (early) {
      tracker.current = early.tracker;
      early.listen(events);
      started = early.engine;
    } else {
      tracker.current = trackPlayback(video, d.videoId);
      started = startEngine(video, d, { processing, resumeAt: resumePoint(d), dash, events });
    }
    started.then((e) => { if (cancelled) e.destroy(); else engine.current = e; }, (err) => onState(`Playback error: ${err.message}`));
    return () => {
      cancelled = true;
      tracker.current?.stop();
      engine.current?.destroy();
      engine.current = null;
      if (window.reelPlayer?.video === video) delete window.reelPlayer;
    };
    // the descriptor is fixed for the life of this player
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [d.videoId]);

  // show one caption track (by language) or none; the <track> elements load their WebVTT when shown
  const showCaptions = (lang: string | null, remember = true) => {
    const v = videoRef.current;
    if (!v) return;
    let shown: string | null = null;
    for (let i = 0; i < v.textTracks.length; i++) {
      const t = v.textTracks[i];
      if (t.kind !== 'subtitles' && t.kind !== 'captions') continue;
      const on = lang !== null && shown === null && t.language === lang;
      t.mode = on ? 'showing' : 'disabled';
      if (on) shown = lang;
    }
    setCaptionLang(shown);
    if (shown) lastCaption.current = shown;
    if (remember) try { localStorage.setItem('reel_captions', shown ?? ''); } catch { /* private mode */ }
  };
  useEffect(() => {
    let saved: string | null = null;
    try { saved = localStorage.getItem('reel_captions'); } catch { /* private mode */ }
    if (saved && d.captions.some((c) => c.lang === saved)) showCaptions(saved, false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [d.videoId]);

  useEffect(() => {
    if (d.storyboard?.vtt) loadStoryboard(d.storyboard.vtt).then(setTiles, () => setTiles([]));
  }, [d.storyboard?.vtt]);

  // <video> state → React state
  useEffect(() => {
    const v = videoRef.current!;
    const sync = () => {
      setPaused(v.paused);
      setTime(v.currentTime);
      if (Number.isFinite(v.duration) && v.duration > 0) setDuration(v.duration);
      setVolume(v.volume);
      setMuted(v.muted);
      setRate(v.playbackRate);
      const b = v.buffered;
      for (let i = 0; i < b.length; i++) if (b.start(i) <= v.currentTime + 0.5 && b.end(i) >= v.currentTime) setBuffered(b.end(i));
    };
    const onPlay = () => { setStarted(true); sync(); };
    const events = ['timeupdate', 'pause', 'volumechange', 'ratechange', 'durationchange', 'progress', 'seeked', 'loadedmetadata'];
    events.forEach((n) => v.addEventListener(n, sync));
    v.addEventListener('play', onPlay);
    // an early video may be playing already
    if (!v.paused) onPlay();
    const ended = () => { sync(); onEnded?.(); };
    v.addEventListener('ended', ended);
    const fs = () => setFullscreen(document.fullscreenElement === box.current);
    document.addEventListener('fullscreenchange', fs);
    return () => {
      events.forEach((n) => v.removeEventListener(n, sync));
      v.removeEventListener('play', onPlay);
      v.removeEventListener('ended', ended);
      document.removeEventListener('fullscreenchange', fs);
    };
  }, [onEnded]);

  const say = (text: string) => { setAnnounce(text); poke(); };
  const actions: PlayerActions = {
    toggle: () => {
      const v = videoRef.current!;
      if (v.paused || v.ended) v.play().catch(() => {});
      else v.pause();
    },
    seekBy: (s) => {
      const v = videoRef.current!;
      v.currentTime = Math.max(0, Math.min((v.duration || duration) - 0.1, v.currentTime + s));
      say(`${s > 0 ? 'Forward' : 'Back'} ${Math.abs(s)} seconds`);
    },
    seekToFraction: (f) => { const v = videoRef.current!; v.currentTime = (v.duration || duration) * f; },
    volumeBy: (delta) => {
      const v = videoRef.current!;
      v.volume = Math.max(0, Math.min(1, Math.round((v.volume + delta) * 100) / 100));
      v.muted = false;
      say(`Volume ${Math.round(v.volume * 100)}%`);
    },
    toggleMute: () => { const v = videoRef.current!; v.muted = !v.muted; say(v.muted ? 'Muted' : 'Unmuted'); },
    toggleFullscreen: () => {
      if (document.fullscreenElement) void document.exitFullscreen();
      else void box.current?.requestFullscreen?.().catch(() => {});
    },
    toggleTheater: () => onTheater?.(),
    toggleCaptions: () => {
      if (!d.captions.length) return;
      if (captionLang !== null) showCaptions(null);
      else showCaptions(lastCaption.current && d.captions.some((c) => c.lang === lastCaption.current) ? lastCaption.current : d.captions[0].lang);
      say(captionLang !== null ? 'Captions off' : 'Captions on');
    },
    speedBy: (step) => {
      const v = videoRef.current!;
      const i = SPEEDS.indexOf(v.playbackRate);
      v.playbackRate = SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, (i < 0 ? 2 : i) + step))];
      say(`Speed ${v.playbackRate}x`);
    },
  };
  const actionsRef = useRef(actions);
  actionsRef.current = actions;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!box.current) return;
      const playerFocused = document.activeElement === box.current || document.activeElement === videoRef.current || !!box.current.querySelector('.seek')?.contains(document.activeElement);
      if (handleShortcut(e, actionsRef.current, { tv, playerFocused: playerFocused || (!tv && document.activeElement === document.body) })) {
        e.preventDefault();
        poke();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [tv]);

  // controls fade out while playing and untouched
  const hideTimer = useRef<number>(0);
  const poke = () => {
    setActive(true);
    window.clearTimeout(hideTimer.current);
    hideTimer.current = window.setTimeout(() => setActive(false), 3000);
  };
  useEffect(() => () => window.clearTimeout(hideTimer.current), []);

  const seekFrom = (e: RPointerEvent<HTMLDivElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const f = Math.max(0, Math.min(1, (e.clientX - r.left) / r.width));
    return { x: f * r.width, t: f * duration };
  };
  const tile = hover && tiles.length ? tileAt(tiles, hover.t) : undefined;
  const show = active || paused || !started;

  return (
    <div
      ref={box}
      className={`player${theater ? ' theater' : ''}${fullscreen ? ' fullscreen' : ''}${show ? ' show-controls' : ''}`}
      tabIndex={0}
      role="region"
      aria-label="Video player (space: play or pause, arrows: seek, f: fullscreen)"
      onPointerMove={poke}
      id="player-box"
      data-own-arrows=""
    >
      {/* the <video> (id="player", poster, caption tracks) is prepended here by the layout effect above */}
      {(!started || paused) && (
        <button className="big-play" aria-label={started ? 'Play' : 'Play video'} onClick={() => actions.toggle()} tabIndex={-1}><Icon name="play" size={40} /></button>
      )}
      <div className="visually-hidden" aria-live="polite">{announce}</div>
      <div className="controls-bar">
        <div
          className="seek"
          data-own-arrows=""
          role="slider"
          tabIndex={0}
          aria-label="Seek"
          aria-valuemin={0}
          aria-valuemax={Math.round(duration)}
          aria-valuenow={Math.round(time)}
          aria-valuetext={`${fmtDuration(time)} of ${fmtDuration(duration)}`}
          onPointerMove={(e) => {
            const at = seekFrom(e);
            setHover(at);
            if (e.currentTarget.hasPointerCapture(e.pointerId)) videoRef.current!.currentTime = at.t;
          }}
          onPointerLeave={() => setHover(null)}
          onPointerDown={(e) => {
            e.currentTarget.setPointerCapture(e.pointerId);
            videoRef.current!.currentTime = seekFrom(e).t;
          }}
          onPointerUp={(e) => { e.currentTarget.releasePointerCapture(e.pointerId); setHover(null); }}
        >
          <div className="seek-track">
            <div className="seek-buffered" style={{ width: `${duration ? (buffered / duration) * 100 : 0}%` }} />
            <div className="seek-played" style={{ width: `${duration ? (time / duration) * 100 : 0}%` }} />
          </div>
          {hover && (
            <div className="seek-preview" style={{ left: hover.x }} aria-hidden="true">
              {tile && <div className="storyboard-tile" style={{ width: tile.w, height: tile.h, backgroundImage: `url("${tile.url}")`, backgroundPosition: `-${tile.x}px -${tile.y}px` }} />}
              <span>{fmtDuration(hover.t)}</span>
            </div>
          )}
        </div>
        <div className="controls-row">
          <button id="play" className="icon-button" aria-label={paused ? 'Play (k)' : 'Pause (k)'} onClick={() => actions.toggle()}><Icon name={paused ? 'play' : 'pause'} /></button>
          <button id="mute" className="icon-button" aria-label={muted ? 'Unmute (m)' : 'Mute (m)'} aria-pressed={muted} onClick={() => actions.toggleMute()}><Icon name={muted || volume === 0 ? 'mute' : 'volume'} /></button>
          <input
            className="volume"
            type="range"
            min={0}
            max={1}
            step={0.05}
            value={muted ? 0 : volume}
            aria-label="Volume"
            onChange={(e) => { const v = videoRef.current!; v.volume = Number(e.target.value); v.muted = false; }}
          />
          <span className="time" aria-hidden="true">{fmtDuration(time)} / {fmtDuration(duration)}</span>
          <span id="current-level" className="muted current-level" aria-live="polite">{current}</span>
          <span className="spacer" />
          {d.captions.length > 0 && (
            <>
              <button id="captions" className="icon-button" aria-label="Captions (c)" aria-pressed={captions} onClick={() => actions.toggleCaptions()}><Icon name="captions" /></button>
              <label className="control-select">
                <span className="visually-hidden">Caption track</span>
                <select id="captions-track" aria-label="Caption track" value={captionLang ?? ''} onChange={(e) => showCaptions(e.target.value || null)}>
                  <option value="">Captions off</option>
                  {d.captions.map((c) => <option key={c.lang} value={c.lang}>{c.label}</option>)}
                </select>
              </label>
            </>
          )}
          <label className="control-select">
            <span className="visually-hidden">Speed</span>
            <select id="speed" aria-label="Speed" value={rate} onChange={(e) => { videoRef.current!.playbackRate = Number(e.target.value); }}>
              {SPEEDS.map((s) => <option key={s} value={s}>{s === 1 ? 'Normal' : `${s}x`}</option>)}
            </select>
          </label>
          <label className="control-select">
            <span className="visually-hidden">Quality</span>
            <select
              id="quality"
              aria-label="Quality"
              value={level}
              onChange={(e) => { const i = Number(e.target.value); setLevel(i); engine.current?.setLevel(i); }}
            >
              <option value="-1">Auto</option>
              {[...levels].sort((a, b) => b.height - a.height).map((l) => (
                <option key={l.index} value={l.index} disabled={cap >= 0 && l.index > cap}>{l.label}</option>
              ))}
            </select>
          </label>
          {onTheater && (
            <button id="theater" className="icon-button" aria-label="Theater mode (t)" aria-pressed={theater} onClick={() => actions.toggleTheater()}><Icon name="theater" /></button>
          )}
          <button id="fullscreen" className="icon-button" aria-label="Fullscreen (f)" aria-pressed={fullscreen} onClick={() => actions.toggleFullscreen()}><Icon name="fullscreen" /></button>
        </div>
      </div>
    </div>
  );
}
