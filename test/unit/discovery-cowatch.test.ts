import { describe, expect, it } from 'vitest';
import { cowatchIncrements, cowatchPairs, pairKey, topK } from '../../src/core/discovery-cowatch.js';

const DAY = 86_400_000;
const P = { maxPrevious: 2, windowMs: 10 * DAY };
const incr = (events: Array<[string, number]>, after: number, p = P) => {
  const m = new Map<string, number>();
  cowatchIncrements(events.map(([videoId, at]) => ({ videoId, at })), after, p, m);
  return Object.fromEntries([...m.entries()].map(([k, n]) => [k.replace('\u0000', '>'), n]));
};

describe('co-watch increments', () => {
  it('pairs each new watch with the previous distinct videos, both directions, once per pair', () => {
    expect(incr([['a', 1], ['b', 2], ['c', 3]], 0, { maxPrevious: 10, windowMs: DAY })).toEqual({ 'a>b': 1, 'b>a': 1, 'a>c': 1, 'c>a': 1, 'b>c': 1, 'c>b': 1 });
  });

  it('only new watches (after the watermark) add pairs, with old ones as context', () => {
    expect(incr([['a', 1], ['b', 2], ['c', 3]], 2)).toEqual({ 'a>c': 1, 'c>a': 1, 'b>c': 1, 'c>b': 1 });
    expect(incr([['a', 1], ['b', 2]], 2)).toEqual({});
  });

  it('caps the previous videos and the time window, and skips rewatches of the same video', () => {
    // c pairs with b and a (2 distinct, the rewatch of b in between is skipped); d only with c and b
    expect(incr([['a', 1], ['b', 2], ['b', 3], ['c', 4], ['d', 5]], 3)).toEqual({ 'c>b': 1, 'b>c': 1, 'c>a': 1, 'a>c': 1, 'd>c': 1, 'c>d': 1, 'd>b': 1, 'b>d': 1 });
    expect(incr([['a', 0], ['b', 11 * DAY]], -1)).toEqual({});
    expect(incr([['a', 0], ['a', DAY]], -1)).toEqual({});
  });

  it('the same rule over parallel arrays of any key (the bulk rebuild)', () => {
    const pairs: Array<[number, number]> = [];
    cowatchPairs([1, 2, 3, 9], [1, 2, 3, 4], 0, 3, -Infinity, { maxPrevious: 5, windowMs: DAY }, (a, b) => pairs.push([a, b]));
    expect(pairs).toEqual([[1, 2], [2, 3], [1, 3]]);
  });

  it('keeps the best of a list: count, then key', () => {
    expect(topK([[5, 1], [3, 4], [2, 4], [9, 2]], 3)).toEqual([[2, 4], [3, 4], [9, 2]]);
    expect(pairKey('a', 'b')).not.toBe(pairKey('ab', ''));
  });
});

describe('LRU cache of per-seed candidates', () => {
  it('evicts the least recently used entry and expires entries after the TTL', async () => {
    const { LruCache } = await import('../../src/discovery/budget.js');
    let now = 0;
    const c = new LruCache<string, number>(2, 100, () => now);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1); // a is now the most recent
    c.set('c', 3); // evicts b
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
    expect(c.get('c')).toBe(3);
    now = 100;
    expect(c.get('a')).toBeUndefined();
  });
});
