import { describe, expect, it } from 'vitest';
import { countryCode, deviceClass, hourStart, minWatchSeconds, pickShard, viewerKey, VIEW_SHARDS } from '../../src/core/view-rules.js';
import { BatchBuffer } from '../../src/engagement/batch-buffer.js';

describe('view rules', () => {
  it.each([
    [null, 10],
    [0, 10],
    [600, 10],
    [34, 10],
    [20, 6],
    [5, 1.5],
  ])('minimum watch time of a %s s video is %s s', (d, s) => expect(minWatchSeconds(d)).toBe(s));

  it('buckets by clock hour', () => {
    const t = Date.UTC(2026, 10, 23, 13, 59, 59, 999);
    expect(hourStart(t)).toBe(Date.UTC(2026, 10, 23, 13));
    expect(hourStart(t + 1)).toBe(Date.UTC(2026, 10, 23, 14));
  });

  it('viewer keys: account first, else anonymous id with IP, else IP with user agent; no raw IPs', () => {
    expect(viewerKey({ userId: 'u1', anonId: 'abc', ip: '1.2.3.4' })).toBe('u:u1');
    const a = viewerKey({ anonId: 'abcdefgh', ip: '1.2.3.4' });
    expect(a).toMatch(/^a:/);
    expect(a).not.toContain('1.2.3.4');
    expect(viewerKey({ anonId: 'abcdefgh', ip: '1.2.3.4' })).toBe(a);
    expect(viewerKey({ anonId: 'abcdefgh', ip: '1.2.3.5' })).not.toBe(a);
    expect(viewerKey({ ip: '1.2.3.4', userAgent: 'x' })).toMatch(/^i:/);
    expect(viewerKey({ ip: '1.2.3.4', userAgent: 'x' })).not.toBe(viewerKey({ ip: '1.2.3.4', userAgent: 'y' }));
  });

  it.each([
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148', 'mobile'],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36', 'mobile'],
    ['Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 Chrome/120.0 Safari/537.36', 'tablet'],
    ['Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15', 'tablet'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36', 'desktop'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Safari/605.1.15', 'desktop'],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0', 'desktop'],
    ['Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 SamsungBrowser/4.0 TV Safari/537.36', 'tv'],
    ['Roku/DVP-12.0 (12.0.0.4182-88)', 'tv'],
    ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'bot'],
    ['curl/8.4.0', 'bot'],
    ['', 'other'],
    [undefined, 'other'],
    ['SomethingElse/1.0', 'other'],
  ])('%s -> %s', (ua, cls) => expect(deviceClass(ua)).toBe(cls));

  it.each([
    ['FR', 'FR'],
    ['fr', 'FR'],
    [' de ', 'DE'],
    ['XX', 'ZZ'],
    ['T1', 'ZZ'],
    ['France', 'ZZ'],
    [undefined, 'ZZ'],
    [['JP', 'US'], 'JP'],
  ])('country %o -> %s', (h, c) => expect(countryCode(h as any)).toBe(c));

  it('shards stay in range', () => {
    expect(pickShard(() => 0)).toBe(0);
    expect(pickShard(() => 0.999999)).toBe(VIEW_SHARDS - 1);
  });
});

describe('batch buffer (group commit)', () => {
  it('writes concurrent items in one batch and settles each caller after the write', async () => {
    const writes: number[][] = [];
    const buf = new BatchBuffer<number, number>(async (items) => {
      writes.push(items);
      return items.map((i) => i * 2);
    }, { maxBatch: 100, lingerMs: 5, parallel: 1 });
    const results = await Promise.all([1, 2, 3].map((i) => buf.add(i)));
    expect(results).toEqual([2, 4, 6]);
    expect(writes).toEqual([[1, 2, 3]]);
  });

  it('splits at maxBatch, gathers items that arrive during a write, rejects a failed batch, refuses after close', async () => {
    const writes: number[][] = [];
    let fail = false;
    const buf = new BatchBuffer<number, number>(async (items) => {
      writes.push(items);
      await new Promise((r) => setTimeout(r, 5));
      if (fail) throw new Error('disk full');
      return items;
    }, { maxBatch: 2, lingerMs: 1000, parallel: 1 });
    const all = Promise.all([1, 2, 3, 4, 5].map((i) => buf.add(i)));
    await buf.flush();
    expect(await all).toEqual([1, 2, 3, 4, 5]);
    expect(writes).toEqual([[1, 2], [3, 4], [5]]);
    fail = true;
    const failed = buf.add(6);
    await buf.flush();
    await expect(failed).rejects.toThrow('disk full');
    await buf.close();
    await expect(buf.add(7)).rejects.toThrow('closed');
  });

  it('shares a backlog between the free write slots so several batches are written at once', async () => {
    let inFlight = 0;
    let most = 0;
    const sizes: number[] = [];
    const buf = new BatchBuffer<number, number>(async (items) => {
      sizes.push(items.length);
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 10));
      inFlight--;
      return items;
    }, { maxBatch: 1000, lingerMs: 2, parallel: 4 });
    const items = Array.from({ length: 800 }, (_, i) => i);
    expect(await Promise.all(items.map((i) => buf.add(i)))).toEqual(items);
    expect(most).toBe(4);
    expect(sizes).toEqual([200, 200, 200, 200]);
  });
});
