// Storyboard (seek bar hover previews): a WebVTT track whose cues point at tiles of a sprite (url#xywh=x,y,w,h).
export interface Tile { start: number; end: number; url: string; x: number; y: number; w: number; h: number }

function seconds(ts: string): number {
  const parts = ts.trim().split(':').map(Number);
  return parts.reduce((acc, n) => acc * 60 + n, 0);
}

export function parseStoryboard(vtt: string, base: string): Tile[] {
  const tiles: Tile[] = [];
  const blocks = vtt.replace(/\r/g, '').split(/\n\n+/);
  for (const block of blocks) {
    const lines = block.split('\n').filter(Boolean);
    const i = lines.findIndex((l) => l.includes('-->'));
    if (i < 0 || !lines[i + 1]) continue;
    const [from, to] = lines[i].split('-->').map((s) => s.trim().split(/\s+/)[0]);
    const [file, frag] = lines[i + 1].trim().split('#');
    const m = /xywh=(\d+),(\d+),(\d+),(\d+)/.exec(frag ?? '');
    if (!m) continue;
    tiles.push({ start: seconds(from), end: seconds(to), url: new URL(file, base).href, x: +m[1], y: +m[2], w: +m[3], h: +m[4] });
  }
  return tiles;
}

export async function loadStoryboard(url: string): Promise<Tile[]> {
  const res = await fetch(url, { credentials: 'same-origin' });
  if (!res.ok) return [];
  return parseStoryboard(await res.text(), new URL(url, location.href).href);
}

export function tileAt(tiles: Tile[], t: number): Tile | undefined {
  return tiles.find((x) => t >= x.start && t < x.end) ?? tiles.at(-1);
}
