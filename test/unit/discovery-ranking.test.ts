import { describe, expect, it } from 'vitest';
import { diversify, freshness, popularity, rankRecommendations, rankSearch, shortlistOrder, signalMaxima, signalScore, trendingScore, type RecCandidate } from '../../src/core/discovery-ranking.js';
import { TtlCache, withinDeadline } from '../../src/discovery/budget.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 23, 12);

describe('search ranking', () => {
  it.each([
    [0, 0],
    [9, 1 / 6],
    [999_999, 1],
    [1e9, 1],
  ])('popularity of %d views is %d', (v, p) => expect(popularity(v)).toBeCloseTo(p, 5));

  it('halves freshness every half-life', () => {
    expect(freshness(NOW, NOW, 30)).toBe(1);
    expect(freshness(NOW - 30 * DAY, NOW, 30)).toBeCloseTo(0.5, 5);
    expect(freshness(NOW + DAY, NOW, 30)).toBe(1);
  });

  it('orders by text first, then views, then freshness', () => {
    const ranked = rankSearch(
      [
        { videoId: 'desc-popular-new', relevance: 0.2, views: 1_000_000, publishedAt: NOW },
        { videoId: 'title-old', relevance: 1, views: 0, publishedAt: NOW - 400 * DAY },
        { videoId: 'title-viewed', relevance: 1, views: 5000, publishedAt: NOW - 400 * DAY },
        { videoId: 'title-new', relevance: 1, views: 0, publishedAt: NOW },
      ],
      NOW,
    );
    expect(ranked.map((r) => r.videoId)).toEqual(['title-viewed', 'title-new', 'title-old', 'desc-popular-new']);
    expect(ranked[0].parts.text).toBe(1);
    expect(ranked[3].parts.text).toBeCloseTo(0.2, 5);
    expect(ranked[0].score).toBeCloseTo(ranked[0].parts.text + ranked[0].parts.popularity + ranked[0].parts.freshness, 10);
  });

  it('handles an empty set and zero relevance', () => {
    expect(rankSearch([], NOW)).toEqual([]);
    expect(rankSearch([{ videoId: 'a', relevance: 0, views: 0, publishedAt: NOW }], NOW)[0].parts.text).toBe(0);
  });
});

describe('trending', () => {
  it('weighs recent hours more', () => {
    const hour = Math.floor(NOW / HOUR) * HOUR;
    expect(trendingScore([{ hour, views: 10 }], NOW)).toBe(10);
    expect(trendingScore([{ hour: hour - 7 * HOUR, views: 10 }], NOW)).toBeCloseTo(5, 5); // the hour that ended 6 h ago
    const burst = trendingScore([{ hour, views: 50 }], NOW);
    const steady = trendingScore(Array.from({ length: 24 }, (_, i) => ({ hour: hour - i * HOUR, views: 4 })), NOW);
    expect(burst).toBeGreaterThan(steady); // 50 now beats 96 spread over a day
  });
});

describe('recommendation ranking', () => {
  const cand = (videoId: string, channelId: string, signals: RecCandidate['signals'], views = 0, ageDays = 100): RecCandidate => ({ videoId, channelId, signals, views, publishedAt: NOW - ageDays * DAY });

  it('scores weighted normalized signals and explains them', () => {
    const ranked = rankRecommendations([cand('a', 'x', { cowatch: 10 }), cand('b', 'y', { cowatch: 2, sameChannel: 1 }), cand('c', 'z', { trending: 3 })], { limit: 10, now: NOW, maxPerChannel: 2 });
    expect(ranked.map((r) => r.videoId)).toEqual(['a', 'b', 'c']);
    expect(ranked[0].reasons).toEqual([{ source: 'cowatch', value: 1, weight: 1, contribution: 1 }, expect.objectContaining({ source: 'freshness' })]);
    expect(ranked[1].reasons.map((r) => [r.source, r.value])).toEqual([
      ['sameChannel', 1],
      ['cowatch', 0.2],
      ['freshness', expect.any(Number)],
    ]);
    for (const r of ranked) expect(r.score).toBeCloseTo(r.reasons.reduce((s, x) => s + x.contribution, 0), 3);
  });

  it('excludes watched videos and keeps every channel under the cap while others are left', () => {
    const cands = [...Array.from({ length: 6 }, (_, i) => cand(`big${i}`, 'big', { cowatch: 10 - i })), cand('s1', 'small', { cowatch: 1 }), cand('o1', 'other', { trending: 1 })];
    const ranked = rankRecommendations(cands, { limit: 5, now: NOW, maxPerChannel: 2, exclude: new Set(['big0']) });
    expect(ranked.map((r) => r.videoId)).toEqual(['big1', 'big2', 'o1', 's1', 'big3']);
  });

  it('diversify fills from capped items only when nothing else is left', () => {
    const xs = ['a', 'a', 'a', 'b'].map((channelId, i) => ({ channelId, i }));
    expect(diversify(xs, 3, 1).map((x) => x.i)).toEqual([0, 3, 1]);
    expect(diversify(xs, 10, 5).map((x) => x.i)).toEqual([0, 1, 2, 3]);
  });
});

describe('recommendation shortlist', () => {
  const c = (videoId: string, signals: RecCandidate['signals'], views?: number) => ({ videoId, signals, views, publishedAt: views === undefined ? undefined : NOW - 100 * DAY });

  it.each([
    // [signals, views, score]: normalized signals × weights (cowatch 1, similar 0.5, sameChannel 0.6), + popularity 0.3 when views are known
    [{ cowatch: 10 }, undefined, 1],
    [{ cowatch: 5, similar: 2 }, undefined, 0.5 + 0.5],
    [{ sameChannel: 4 }, undefined, 0.6 * 0.5],
    [{}, 999_999, 0.3 + 0.1 * 0.5 ** (100 / 14)],
    [{}, undefined, 0],
  ])('scores %o with %s views as %d', (signals, views, score) => {
    const maxima = { cowatch: 10, similar: 2, sameChannel: 8, subscribed: 0, trending: 0 };
    expect(signalScore(c('x', signals, views), maxima, NOW)).toBeCloseTo(score, 6);
  });

  it('orders by source signals first, then by known views, then by id', () => {
    const order = shortlistOrder([c('pop', {}, 5000), c('weak', { cowatch: 1 }), c('strong', { cowatch: 10 }), c('b', {}), c('a', {}), c('mid', { similar: 3, cowatch: 2 })], NOW);
    expect(order.map((x) => x.videoId)).toEqual(['strong', 'mid', 'pop', 'weak', 'a', 'b']);
  });

  it('normalizes a shortlist against the whole candidate set', () => {
    const rec = (videoId: string, signals: RecCandidate['signals']): RecCandidate => ({ videoId, channelId: videoId, signals, views: 0, publishedAt: NOW });
    const all = [rec('a', { cowatch: 10 }), rec('b', { cowatch: 5 })];
    const maxima = signalMaxima(all);
    expect(maxima).toEqual({ cowatch: 10, similar: 0, sameChannel: 0, subscribed: 0, trending: 0 });
    // ranking only b, its co-watch value stays relative to a's
    const [b] = rankRecommendations([all[1]], { limit: 1, now: NOW, maxPerChannel: 2, maxima });
    expect(b.reasons.find((r) => r.source === 'cowatch')?.value).toBe(0.5);
    expect(rankRecommendations([all[1]], { limit: 1, now: NOW, maxPerChannel: 2 })[0].reasons.find((r) => r.source === 'cowatch')?.value).toBe(1);
  });
});

describe('latency budget helpers', () => {
  it('drops work that misses the deadline or fails', async () => {
    expect(await withinDeadline(Promise.resolve(1), Date.now() + 50)).toEqual({ ok: true, value: 1 });
    expect(await withinDeadline(new Promise((r) => setTimeout(r, 200)), Date.now() + 20)).toEqual({ ok: false, reason: 'timeout' });
    expect(await withinDeadline(Promise.reject(new Error('x')), Date.now() + 50)).toMatchObject({ ok: false, reason: 'error' });
  });

  it('caches for the TTL and shares one load', async () => {
    let t = 0;
    let loads = 0;
    const cache = new TtlCache(100, async () => ++loads, () => t);
    expect(await Promise.all([cache.get(), cache.get()])).toEqual([1, 1]);
    t = 50;
    expect(await cache.get()).toBe(1);
    t = 150; // expired recently: the old value while one refresh runs
    expect(await cache.get()).toBe(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(await cache.get()).toBe(2);
    t = 10_000; // long expired: wait for a fresh value
    expect(await cache.get()).toBe(3);
  });
});
