import { describe, expect, it } from 'vitest';
import { RecentViewers } from '../../src/core/view-dedup.js';
import { copyField, copyText } from '../../src/core/view-log-copy.js';

const H = 3600_000;

describe('recent viewers (in-memory de-dup before the database)', () => {
  it('knows a viewer of a video for the hour it was remembered in, not for other videos or hours', () => {
    const r = new RecentViewers({ maxKeys: 100, perVideoHour: 100 });
    r.remember('v1', 5 * H, 'a');
    expect(r.has('v1', 5 * H, 'a')).toBe(true);
    expect(r.has('v2', 5 * H, 'a')).toBe(false);
    expect(r.has('v1', 5 * H, 'b')).toBe(false);
    expect(r.has('v1', 6 * H, 'a')).toBe(false);
    expect(r.has('v1', 4 * H, 'a')).toBe(false);
  });

  it('forgets the previous hour once the next one starts, and ignores late reports of a closed hour', () => {
    const r = new RecentViewers({ maxKeys: 100, perVideoHour: 100 });
    r.remember('v1', 5 * H, 'a');
    r.remember('v1', 6 * H, 'b');
    expect(r.has('v1', 5 * H, 'a')).toBe(false);
    expect(r.has('v1', 6 * H, 'b')).toBe(true);
    r.remember('v1', 5 * H, 'c');
    expect(r.has('v1', 5 * H, 'c')).toBe(false);
    expect(r.size).toBe(1);
  });

  it.each([
    // [limits, viewers remembered for v1 then v2, expected knowledge]
    ['a full video-hour starts over', { maxKeys: 100, perVideoHour: 3 }, ['a', 'b', 'c', 'd'], [], { v1: ['d'], gone: ['a', 'b', 'c'] }],
    ['past the total, the oldest video-hour is forgotten', { maxKeys: 3, perVideoHour: 3 }, ['a', 'b'], ['x', 'y'], { v1: [], gone: ['a', 'b'] }],
  ] as const)('bounded: %s', (_name, limits, v1, v2, expected) => {
    const r = new RecentViewers(limits);
    for (const k of v1) r.remember('v1', H, k);
    for (const k of v2) r.remember('v2', H, k);
    for (const k of expected.v1) expect(r.has('v1', H, k)).toBe(true);
    for (const k of expected.gone) expect(r.has('v1', H, k)).toBe(false);
    for (const k of v2) expect(r.has('v2', H, k)).toBe(true);
    expect(r.size).toBeLessThanOrEqual(limits.maxKeys);
  });

  it('counts a viewer remembered twice once', () => {
    const r = new RecentViewers({ maxKeys: 10, perVideoHour: 10 });
    r.remember('v1', H, 'a');
    r.remember('v1', H, 'a');
    expect(r.size).toBe(1);
  });
});

describe('COPY text rows for the view log', () => {
  it.each([
    ['plain', 'abc', 'abc'],
    ['null', null, '\\N'],
    ['integer', 1763935200000, '1763935200000'],
    ['fraction', 12.5, '12.5'],
    ['tab', 'a\tb', 'a\\tb'],
    ['newline and return', 'a\nb\rc', 'a\\nb\\rc'],
    ['backslash', 'a\\N', 'a\\\\N'],
  ] as const)('field: %s', (_name, value, text) => expect(copyField(value)).toBe(text));

  it('refuses numbers COPY cannot read back', () => {
    expect(() => copyField(Number.NaN)).toThrow();
    expect(() => copyField(Number.POSITIVE_INFINITY)).toThrow();
  });

  it('joins fields with tabs and ends every row with a newline', () => {
    expect(copyText([['v', 'a:x', 1, null], ['w', 'b\tc', 2.5, 'u']])).toBe('v\ta:x\t1\t\\N\nw\tb\\tc\t2.5\tu\n');
    expect(copyText([])).toBe('');
  });
});
