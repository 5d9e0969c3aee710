// Watch-page keyboard shortcuts (YouTube's): space/k play-pause, j/l ∓10 s, ←/→ ∓5 s, ↑/↓ volume, f fullscreen,
// m mute, t theater, c captions, </> speed, 0–9 jump to 0–90 %.
export interface PlayerActions {
  toggle(): void;
  seekBy(sec: number): void;
  seekToFraction(f: number): void;
  volumeBy(delta: number): void;
  toggleMute(): void;
  toggleFullscreen(): void;
  toggleTheater(): void;
  toggleCaptions(): void;
  speedBy(step: number): void;
}

const typing = (el: EventTarget | null) =>
  el instanceof HTMLElement && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));

/** Returns true when the key was handled. `tv`: arrows move focus (spatial navigation) unless the player has it. */
export function handleShortcut(e: KeyboardEvent, a: PlayerActions, opts: { tv: boolean; playerFocused: boolean }): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return false;
  const onButton = e.target instanceof HTMLElement && (e.target.tagName === 'BUTTON' || e.target.tagName === 'A');
  switch (e.key) {
    case ' ':
    case 'Enter':
      if (onButton || (e.key === 'Enter' && !opts.playerFocused)) return false;
      a.toggle();
      return true;
    case 'k': a.toggle(); return true;
    case 'j': a.seekBy(-10); return true;
    case 'l': a.seekBy(10); return true;
    case 'ArrowLeft':
    case 'ArrowRight':
      if (opts.tv && !opts.playerFocused) return false;
      a.seekBy((e.key === 'ArrowLeft' ? -1 : 1) * (opts.tv ? 10 : 5));
      return true;
    case 'ArrowUp':
    case 'ArrowDown':
      if (opts.tv) return false;
      a.volumeBy(e.key === 'ArrowUp' ? 0.05 : -0.05);
      return true;
    case 'f': a.toggleFullscreen(); return true;
    case 'm': a.toggleMute(); return true;
    case 't': a.toggleTheater(); return true;
    case 'c': a.toggleCaptions(); return true;
    case '>': a.speedBy(1); return true;
    case '<': a.speedBy(-1); return true;
    default:
      if (/^[0-9]$/.test(e.key)) { a.seekToFraction(Number(e.key) / 10); return true; }
      return false;
  }
}

export const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2];
