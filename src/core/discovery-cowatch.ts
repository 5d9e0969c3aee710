/**
 * Item-to-item co-watch, pure: which (video, other video) pairs a batch of new view events adds to the co-watch
 * table, and how much. A new watch of Y by a viewer pairs Y with that viewer's previous distinct videos (at most
 * `maxPrevious`, watched at most `windowMs` before), in both directions, +1 each; a pair is counted once, when the
 * later of its two watches is processed. The I/O (reading the log, upserting, pruning to the top of each list)
 * is src/discovery/cowatch.ts.
 */

export interface CowatchParams {
  /** a new watch pairs with at most this many of the viewer's previous distinct videos (the most recent ones) */
  maxPrevious: number;
  /** ... watched at most this long before it */
  windowMs: number;
}

export const COWATCH_PARAMS: CowatchParams = { maxPrevious: 30, windowMs: 30 * 86_400_000 };

export interface WatchEvent {
  videoId: string;
  at: number;
}

/**
 * Adds to `into` ("video\u0000other" → increment) the pairs of one viewer's events. `events` are that viewer's
 * watches in time order (ties in a fixed order), the older context first; those with `at > after` are new.
 */
export function cowatchIncrements(events: WatchEvent[], after: number, p: CowatchParams, into: Map<string, number>): void {
  cowatchPairs(events.map((e) => e.videoId), events.map((e) => e.at), 0, events.length, after, p, (a, b) => {
    bump(into, a, b);
    bump(into, b, a);
  });
}

/**
 * The same rule over one viewer's slice [from, to) of parallel arrays (video, time), for any video key type:
 * calls `pair(previous, new)` once per unordered pair (the caller counts both directions).
 */
export function cowatchPairs<V>(videos: ArrayLike<V>, at: ArrayLike<number>, from: number, to: number, after: number, p: CowatchParams, pair: (prev: V, next: V) => void): void {
  const seen = new Set<V>();
  for (let i = from; i < to; i++) {
    if (at[i] <= after) continue;
    seen.clear();
    seen.add(videos[i]);
    for (let j = i - 1; j >= from && seen.size <= p.maxPrevious; j--) {
      if (at[i] - at[j] > p.windowMs) break;
      const v = videos[j];
      if (seen.has(v)) continue;
      seen.add(v);
      pair(v, videos[i]);
    }
  }
}

/** Top `keep` of each row of counts: indexes of the best `keep` values (count desc, then index asc). */
export function topK(entries: Array<[number, number]>, keep: number): Array<[number, number]> {
  return entries.sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, keep);
}

export const pairKey = (a: string, b: string) => `${a}\u0000${b}`;

export function splitPair(k: string): [string, string] {
  const i = k.indexOf('\u0000');
  return [k.slice(0, i), k.slice(i + 1)];
}

function bump(m: Map<string, number>, a: string, b: string): void {
  const k = pairKey(a, b);
  m.set(k, (m.get(k) ?? 0) + 1);
}
