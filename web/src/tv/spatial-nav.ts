// Lean-back (TV) navigation: the arrow keys move focus to the nearest focusable element in that direction,
// Enter activates it (native for links and buttons). Handlers that used the key first call preventDefault.
import { useEffect } from 'react';

const FOCUSABLE = 'a[href], button:not([disabled]), select, input:not([type=hidden]), [tabindex="0"]';
const DIRS: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

function center(r: DOMRect) {
  return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
}

/**
 * The best next element from `from` in direction (dx, dy): ahead of it, preferring elements in the same row
 * (moving sideways) or column (moving up/down), then the closest along the axis, then the best aligned.
 */
export function nextInDirection(from: Element | null, candidates: Element[], dx: number, dy: number): Element | null {
  if (!from) return candidates[0] ?? null;
  const ra = from.getBoundingClientRect();
  const a = center(ra);
  let best: Element | null = null;
  let bestScore = Infinity;
  for (const el of candidates) {
    if (el === from || el.contains(from)) continue;
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    const b = center(r);
    const along = (b.x - a.x) * dx + (b.y - a.y) * dy;
    if (along <= 4) continue;
    const across = Math.abs((b.x - a.x) * dy) + Math.abs((b.y - a.y) * dx);
    const overlap = dx ? Math.min(ra.bottom, r.bottom) - Math.max(ra.top, r.top) : Math.min(ra.right, r.right) - Math.max(ra.left, r.left);
    const score = (overlap > 0 ? 0 : 1e6) + along + across * 2;
    if (score < bestScore) { bestScore = score; best = el; }
  }
  return best;
}

export function useSpatialNav(root: () => HTMLElement | null, onBack?: () => void) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      if ((e.key === 'Escape' || e.key === 'Backspace') && onBack && !(e.target instanceof HTMLInputElement)) {
        e.preventDefault();
        onBack();
        return;
      }
      const dir = DIRS[e.key];
      const el = root();
      if (!dir || !el) return;
      // the player surface and seek bar use ←/→ to seek
      if ((e.key === 'ArrowLeft' || e.key === 'ArrowRight') && (document.activeElement as HTMLElement | null)?.matches?.('[data-own-arrows]')) return;
      if (e.target instanceof HTMLInputElement && e.target.type !== 'range' && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) return;
      const all = Array.from(el.querySelectorAll(FOCUSABLE)).filter((x) => !(x as HTMLElement).closest('[inert]'));
      const active = document.activeElement && el.contains(document.activeElement) ? document.activeElement : null;
      const next = nextInDirection(active, all, dir[0], dir[1]);
      e.preventDefault();
      if (next) {
        (next as HTMLElement).focus();
        next.scrollIntoView({ block: 'nearest', inline: 'nearest', behavior: 'smooth' });
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [root, onBack]);
}
