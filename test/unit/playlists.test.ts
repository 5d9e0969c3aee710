/**
 * Playlists rendered from chunk outputs: only the contiguous run of finished chunks from the start is listed,
 * EVENT playlists stay open until complete, VOD playlists end, and the provisional master lists every rung.
 */
import { describe, expect, it } from 'vitest';
import type { Rung } from '../../src/core/ladder.js';
import { parseMasterPlaylist, parseMediaPlaylist } from '../../src/core/hls.js';
import type { ChunkOutput, ChunkSegment } from '../../src/processing/media-plan.js';
import { renderMediaPlaylist, renderProvisionalMaster, rungSegments } from '../../src/streaming/playlists.js';

const seg = (rung: string, chunk: number, n: number, durationSec = 2): ChunkSegment => ({
  uri: `${rung}/c${String(chunk).padStart(5, '0')}_${String(n).padStart(3, '0')}.m4s`,
  durationSec,
  bytes: 1000 + chunk * 10 + n,
});
/** chunk 0 is 2 s (one segment), later chunks 8 s (four segments) */
const chunkOut = (chunk: number, rungs: string[]): ChunkOutput => ({
  chunk,
  rungs: Object.fromEntries(rungs.map((r) => [r, chunk === 0 ? [seg(r, 0, 0)] : [0, 1, 2, 3].map((n) => seg(r, chunk, n))])),
});
const uris = (s: ChunkSegment[]) => s.map((x) => x.uri);

describe('rungSegments', () => {
  // the fast-start split: chunk 0's lowest rung comes from its own task
  const fast = chunkOut(0, ['144p']);
  const rest0 = chunkOut(0, ['240p', '360p']);
  const c1 = chunkOut(1, ['144p', '240p', '360p']);
  const c2 = chunkOut(2, ['144p', '240p', '360p']);

  it.each<[string, Array<ChunkOutput | null>, string, { chunksReady: number; complete: boolean; segments: number }]>([
    ['nothing yet', [], '144p', { chunksReady: 0, complete: false, segments: 0 }],
    ['the fast-start rung of chunk 0 alone', [fast], '144p', { chunksReady: 1, complete: false, segments: 1 }],
    ['a higher rung before its chunk 0 is in', [fast, c1], '360p', { chunksReady: 0, complete: false, segments: 0 }],
    ['a gap: chunk 2 without chunk 1 is not listed', [fast, c2], '144p', { chunksReady: 1, complete: false, segments: 1 }],
    ['chunks 0 and 1 of 3', [fast, rest0, c1], '240p', { chunksReady: 2, complete: false, segments: 5 }],
    ['all chunks, in any order', [c2, c1, rest0, fast], '360p', { chunksReady: 3, complete: true, segments: 9 }],
    ['running tasks without output yet are ignored', [null, fast, { chunk: 1 } as unknown as ChunkOutput, c1, c2], '144p', { chunksReady: 3, complete: true, segments: 9 }],
    ['an unknown rung', [fast, rest0, c1, c2], '1080p', { chunksReady: 0, complete: false, segments: 0 }],
  ])('%s', (_name, outputs, rung, expected) => {
    const r = rungSegments(outputs as ChunkOutput[], 3, rung);
    expect({ chunksReady: r.chunksReady, complete: r.complete, segments: r.segments.length }).toEqual(expected);
  });

  it('lists the segments in timeline order: chunk by chunk, segment by segment', () => {
    const { segments, complete } = rungSegments([c2, c1, rest0, fast], 3, '240p');
    expect(complete).toBe(true);
    expect(uris(segments)).toEqual([
      '240p/c00000_000.m4s',
      '240p/c00001_000.m4s', '240p/c00001_001.m4s', '240p/c00001_002.m4s', '240p/c00001_003.m4s',
      '240p/c00002_000.m4s', '240p/c00002_001.m4s', '240p/c00002_002.m4s', '240p/c00002_003.m4s',
    ]);
  });

  it('a single-chunk video is complete with its one chunk', () => {
    expect(rungSegments([chunkOut(0, ['360p'])], 1, '360p')).toMatchObject({ complete: true, chunksReady: 1 });
  });
});

describe('renderMediaPlaylist', () => {
  const segments = [seg('360p', 0, 0, 2.002), seg('360p', 1, 0, 2.002), seg('360p', 1, 1, 1.334667)];

  it('renders an open EVENT playlist while processing (no ENDLIST)', () => {
    expect(renderMediaPlaylist(segments, { ended: false, kind: 'EVENT' })).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:7',
        '#EXT-X-TARGETDURATION:3',
        '#EXT-X-MEDIA-SEQUENCE:0',
        '#EXT-X-PLAYLIST-TYPE:EVENT',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-MAP:URI="init.mp4"',
        '#EXTINF:2.002000,',
        '360p/c00000_000.m4s',
        '#EXTINF:2.002000,',
        '360p/c00001_000.m4s',
        '#EXTINF:1.334667,',
        '360p/c00001_001.m4s',
        '',
      ].join('\n'),
    );
  });

  it('ends an EVENT playlist once complete, and a VOD playlist', () => {
    const event = renderMediaPlaylist(segments, { ended: true, kind: 'EVENT' });
    expect(event.endsWith('360p/c00001_001.m4s\n#EXT-X-ENDLIST\n')).toBe(true);
    const vod = renderMediaPlaylist(segments, { ended: true, kind: 'VOD' });
    expect(vod).toContain('\n#EXT-X-PLAYLIST-TYPE:VOD\n');
    expect(vod.endsWith('#EXT-X-ENDLIST\n')).toBe(true);
    // and our own parser reads it back
    const parsed = parseMediaPlaylist(vod);
    expect(parsed.segments.map((s) => [s.uri, s.durationSec])).toEqual(segments.map((s) => [s.uri, Number(s.durationSec.toFixed(6))]));
  });

  it.each<[string, number[], number]>([
    ['whole 2 s segments', [2, 2, 2], 2],
    ['NTSC segments just over 2 s', [2.002, 2.002], 3],
    ['the longest segment decides', [2, 4.004, 1.5], 5],
    ['a whole 4 s segment', [4, 3.9], 4],
    ['float noise below a millisecond is not rounded up', [4.0000001], 4],
    ['short segments: at least 1', [0.4], 1],
    ['no segments yet: 1', [], 1],
  ])('EXT-X-TARGETDURATION: %s', (_name, durations, expected) => {
    const text = renderMediaPlaylist(durations.map((d, i) => seg('a', 0, i, d)), { ended: false, kind: 'EVENT' });
    expect(text).toContain(`\n#EXT-X-TARGETDURATION:${expected}\n`);
    // HLS: every EXTINF rounded to the nearest integer must be <= the target duration
    for (const d of durations) expect(Math.round(d)).toBeLessThanOrEqual(expected);
  });
});

describe('renderProvisionalMaster', () => {
  const ntsc = 30000 / 1001;
  const rungs: Rung[] = [
    { name: '720p', width: 1280, height: 720, fps: ntsc, maxKbps: 2800 },
    { name: '360p', width: 640, height: 360, fps: ntsc, maxKbps: 800 },
  ];

  it('lists every planned rung by bandwidth, estimated from the ladder, with the audio group', () => {
    expect(renderProvisionalMaster(rungs, true, 128)).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:7',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Default",LANGUAGE="und",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/index.m3u8"',
        '#EXT-X-STREAM-INF:BANDWIDTH=928000,AVERAGE-BANDWIDTH=688000,RESOLUTION=640x360,FRAME-RATE=29.970,CODECS="avc1.64001e,mp4a.40.2",AUDIO="aud"',
        '360p/index.m3u8',
        '#EXT-X-STREAM-INF:BANDWIDTH=2928000,AVERAGE-BANDWIDTH=2088000,RESOLUTION=1280x720,FRAME-RATE=29.970,CODECS="avc1.64001f,mp4a.40.2",AUDIO="aud"',
        '720p/index.m3u8',
        '',
      ].join('\n'),
    );
  });

  it('has no audio group for a silent video', () => {
    const text = renderProvisionalMaster(rungs, false, 128);
    expect(text).not.toContain('EXT-X-MEDIA');
    expect(text).not.toContain('AUDIO=');
    const { variants, audio } = parseMasterPlaylist(text);
    expect(audio).toEqual([]);
    expect(variants.map((v) => [v.uri, v.bandwidth])).toEqual([
      ['360p/index.m3u8', 800000],
      ['720p/index.m3u8', 2800000],
    ]);
  });
});
