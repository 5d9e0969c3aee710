/** Storage tiering decisions and manifest filtering (src/core/tiering.ts): tables and properties. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DAY_MS,
  filterMasterPlaylist,
  filterMpd,
  isIdle,
  isTopManifest,
  planTiering,
  renditionOfFile,
  rungsToDrop,
  shouldRecreate,
  totalsByTier,
  type RenditionState,
  type TieringPolicy,
  type VideoUsage,
} from '../../src/core/tiering.js';
import { parseMasterPlaylist, writeMasterPlaylist } from '../../src/core/hls.js';
import { writeMpd } from '../../src/core/dash.js';

const NOW = Date.UTC(2026, 10, 23);
const policy = (kind: TieringPolicy['kind'], over: Partial<TieringPolicy> = {}): TieringPolicy => ({ kind, idleDays: 30, minViews: 1, dropRungs: 1, keepRungs: 2, ...over });
const LADDER = ['144p', '240p', '360p', '480p', '720p', '1080p'];

function video(over: Partial<VideoUsage> = {}, rungs = LADDER, extra: RenditionState[] = []): VideoUsage {
  return {
    videoId: 'v1',
    publishedAt: NOW - 100 * DAY_MS,
    recentViews: 0,
    lastAccessAt: null,
    renditions: [
      ...rungs.map((name, rank) => ({ name, kind: 'video' as const, codec: 'h264', rank, tier: 'hot' as const, bytes: 1000 * 2 ** rank })),
      { name: 'audio', kind: 'audio', tier: 'hot', bytes: 500 },
      ...extra,
    ],
    ...over,
  };
}

describe('idleness', () => {
  it.each([
    ['old, unwatched', {}, true],
    ['too young', { publishedAt: NOW - 10 * DAY_MS }, false],
    ['watched recently (counted view)', { recentViews: 1 }, false],
    ['fetched from the cold store recently', { lastAccessAt: NOW - 3 * DAY_MS }, false],
    ['fetched long ago', { lastAccessAt: NOW - 40 * DAY_MS }, true],
  ] as const)('%s', (_name, over, idle) => {
    expect(isIdle(video(over), policy('cold'), NOW)).toBe(idle);
  });
  it('minViews: fewer views than the threshold is idle', () => {
    expect(isIdle(video({ recentViews: 4 }), policy('cold', { minViews: 5 }), NOW)).toBe(true);
    expect(isIdle(video({ recentViews: 5 }), policy('cold', { minViews: 5 }), NOW)).toBe(false);
  });
});

describe('planTiering', () => {
  it('off moves nothing', () => {
    expect(planTiering([video()], policy('off'), NOW)).toEqual([]);
  });
  it('cold moves every hot rendition and the kept source of an idle video', () => {
    const moves = planTiering([video({}, LADDER, [{ name: 'source', kind: 'source', tier: 'hot', bytes: 9999 }])], policy('cold'), NOW);
    expect(moves.map((m) => `${m.rendition}:${m.to}`).sort()).toEqual([...LADDER, 'audio', 'source'].map((n) => `${n}:cold`).sort());
  });
  it('drop-top drops the top rung and sends the source to the cold store; audio stays', () => {
    const moves = planTiering([video({}, LADDER, [{ name: 'source', kind: 'source', tier: 'hot', bytes: 9999 }])], policy('drop-top'), NOW);
    expect(moves.map((m) => `${m.rendition}:${m.to}`)).toEqual(['1080p:dropped', 'source:cold']);
    expect(moves[0].bytes).toBe(32000);
  });
  it('drop-top never goes below keepRungs, per codec ladder', () => {
    const vp9: RenditionState[] = ['360p-vp9', '720p-vp9'].map((name, rank) => ({ name, kind: 'video', codec: 'vp9', rank, tier: 'hot', bytes: 10 }));
    const moves = planTiering([video({}, LADDER, vp9)], policy('drop-top', { dropRungs: 3, keepRungs: 2 }), NOW);
    expect(moves.map((m) => m.rendition).sort()).toEqual(['1080p', '480p', '720p']);
    expect(rungsToDrop(video({}, ['144p', '240p']).renditions, { dropRungs: 1, keepRungs: 2 })).toEqual([]);
  });
  it('skips videos being re-created and videos that cannot be re-created', () => {
    const v = video();
    v.renditions[5].tier = 'restoring';
    expect(planTiering([v], policy('drop-top'), NOW)).toEqual([]);
    expect(planTiering([video({ canRecreate: false })], policy('drop-top'), NOW)).toEqual([]);
  });
  it('a cold rendition can still be dropped; a dropped one is never moved again', () => {
    const v = video();
    v.renditions[5].tier = 'cold';
    expect(planTiering([v], policy('drop-top'), NOW).map((m) => [m.rendition, m.from, m.to])).toEqual([['1080p', 'cold', 'dropped']]);
    v.renditions[5].tier = 'dropped';
    expect(planTiering([v], policy('drop-top'), NOW)).toEqual([]);
  });

  const arbVideo = fc
    .record({
      id: fc.uuid(),
      ageDays: fc.integer({ min: 0, max: 400 }),
      views: fc.integer({ min: 0, max: 5 }),
      accessDaysAgo: fc.option(fc.integer({ min: 0, max: 400 })),
      rungs: fc.integer({ min: 1, max: 8 }),
      tiers: fc.array(fc.constantFrom('hot', 'cold', 'dropped', 'restoring'), { minLength: 10, maxLength: 10 }),
      source: fc.boolean(),
    })
    .map(({ id, ageDays, views, accessDaysAgo, rungs, tiers, source }): VideoUsage => ({
      videoId: id,
      publishedAt: NOW - ageDays * DAY_MS,
      recentViews: views,
      lastAccessAt: accessDaysAgo === null ? null : NOW - accessDaysAgo * DAY_MS,
      renditions: [
        ...Array.from({ length: rungs }, (_, rank) => ({ name: `r${rank}`, kind: 'video' as const, codec: 'h264', rank, tier: tiers[rank] as any, bytes: 100 * (rank + 1) })),
        { name: 'audio', kind: 'audio' as const, tier: tiers[8] === 'dropped' || tiers[8] === 'restoring' ? 'hot' : (tiers[8] as any), bytes: 10 },
        ...(source ? [{ name: 'source', kind: 'source' as const, tier: tiers[9] === 'cold' ? ('cold' as const) : ('hot' as const), bytes: 5000 }] : []),
      ],
    }));
  const arbPolicy = fc.record({
    kind: fc.constantFrom('off', 'cold', 'drop-top'),
    idleDays: fc.integer({ min: 0, max: 90 }),
    minViews: fc.integer({ min: 1, max: 4 }),
    dropRungs: fc.integer({ min: 1, max: 4 }),
    keepRungs: fc.integer({ min: 1, max: 4 }),
  }) as fc.Arbitrary<TieringPolicy>;

  it('property: only idle videos move, only from hot/cold, never audio or source into dropped, never below keepRungs', () => {
    fc.assert(
      fc.property(fc.array(arbVideo, { maxLength: 8 }), arbPolicy, (videos, p) => {
        const moves = planTiering(videos, p, NOW);
        for (const m of moves) {
          const v = videos.find((x) => x.videoId === m.videoId)!;
          expect(isIdle(v, p, NOW)).toBe(true);
          expect(v.renditions.some((r) => r.tier === 'restoring')).toBe(false);
          expect(['hot', 'cold']).toContain(m.from);
          if (m.to === 'dropped') expect(m.kind).toBe('video');
          if (m.to === 'cold') expect(m.from).toBe('hot');
        }
        for (const v of videos) {
          const rungs = v.renditions.filter((r) => r.kind === 'video');
          // a dropped rung is one of the top dropRungs of its ladder, and at least keepRungs ladder positions stay below it
          for (const m of moves.filter((x) => x.videoId === v.videoId && x.to === 'dropped')) {
            const rank = rungs.find((r) => r.name === m.rendition)!.rank!;
            expect(rank).toBeGreaterThanOrEqual(Math.max(rungs.length - p.dropRungs, Math.max(1, p.keepRungs)));
          }
        }
      }),
    );
  });

  it('property: applying the moves and planning again moves nothing (idempotent)', () => {
    fc.assert(
      fc.property(fc.array(arbVideo, { maxLength: 8 }), arbPolicy, (videos, p) => {
        const moves = planTiering(videos, p, NOW);
        const after = videos.map((v) => ({
          ...v,
          renditions: v.renditions.map((r) => {
            const m = moves.find((x) => x.videoId === v.videoId && x.rendition === r.name);
            return m ? { ...r, tier: m.to } : r;
          }),
        }));
        expect(planTiering(after, p, NOW)).toEqual([]);
      }),
    );
  });
});

describe('re-creation threshold', () => {
  it.each([
    [0, 0, true],
    [undefined, 0, true],
    [1, 0, false],
    [1, 1, true],
    [3, 2, false],
    [3, 5, true],
  ])('after %s views, %s views since the drop: re-create %s', (after, views, yes) => {
    expect(shouldRecreate(views, { recreateAfterViews: after })).toBe(yes);
  });
});

describe('totals and files', () => {
  it('sums bytes by tier', () => {
    expect(totalsByTier([{ tier: 'hot', bytes: 5 }, { tier: 'cold', bytes: 7 }, { tier: 'hot', bytes: 1 }])).toEqual({
      bytes: { hot: 6, cold: 7, dropped: 0, restoring: 0 },
      renditions: { hot: 2, cold: 1, dropped: 0, restoring: 0 },
    });
  });
  it.each([
    ['720p/c00000_001.m4s', '720p'],
    ['audio/init.mp4', 'audio'],
    ['master.m3u8', null],
    ['thumbnail.jpg', null],
  ])('%s belongs to %s', (file, r) => expect(renditionOfFile(file)).toBe(r));
  it.each([
    ['master.m3u8', true],
    ['master-vp9.m3u8', true],
    ['manifest.mpd', true],
    ['720p/index.m3u8', false],
  ])('%s is a top manifest: %s', (file, yes) => expect(isTopManifest(file)).toBe(yes));
});

describe('manifests without missing renditions', () => {
  const variants = ['240p', '480p', '720p'].map((n, i) => ({ uri: `${n}/index.m3u8`, width: 426 * (i + 1), height: 240 * (i + 1), fps: 25, videoCodec: 'avc1.64001f', peakBps: 100_000 * (i + 1), averageBps: 80_000 * (i + 1) }));
  const audio = { uri: 'audio/index.m3u8', codec: 'mp4a.40.2', peakBps: 128_000, averageBps: 128_000 };
  const master = writeMasterPlaylist(variants, audio);

  it('removes exactly the missing variants from a master playlist', () => {
    expect(filterMasterPlaylist(master, new Set())).toBe(master);
    const filtered = parseMasterPlaylist(filterMasterPlaylist(master, new Set(['720p'])));
    expect(filtered.variants.map((v) => v.uri)).toEqual(['240p/index.m3u8', '480p/index.m3u8']);
    expect(filtered.audio).toEqual(parseMasterPlaylist(master).audio);
    expect(filterMasterPlaylist(master, new Set(['720p']))).toBe(writeMasterPlaylist(variants.slice(0, 2), audio));
  });

  it('property: the filtered master lists exactly the variants not missing', () => {
    fc.assert(
      fc.property(fc.subarray(['240p', '480p', '720p']), (missing) => {
        const out = parseMasterPlaylist(filterMasterPlaylist(master, new Set(missing)));
        expect(out.variants.map((v) => v.uri.split('/')[0])).toEqual(['240p', '480p', '720p'].filter((n) => !missing.includes(n)));
      }),
    );
  });

  it('removes a Representation from an MPD and shrinks maxWidth/maxHeight', () => {
    const seg = (uri: string) => ({ uri, durationSec: 2, bytes: 100 });
    const rep = (id: string, w: number, h: number, bw: number) => ({ id, codecs: 'avc1.64001f', bandwidth: bw, init: `${id}/init.mp4`, segments: [seg(`${id}/c00000_000.m4s`)], width: w, height: h, fps: 25 });
    const full = writeMpd({ video: [rep('240p', 426, 240, 1), rep('720p', 1280, 720, 3)], audio: { id: 'audio', codecs: 'mp4a.40.2', bandwidth: 2, init: 'audio/init.mp4', segments: [seg('audio/c0.m4s')] } });
    const out = filterMpd(full, new Set(['720p']));
    expect(out).toBe(writeMpd({ video: [rep('240p', 426, 240, 1)], audio: { id: 'audio', codecs: 'mp4a.40.2', bandwidth: 2, init: 'audio/init.mp4', segments: [seg('audio/c0.m4s')] } }));
    expect(filterMpd(full, new Set())).toBe(full);
  });
});
