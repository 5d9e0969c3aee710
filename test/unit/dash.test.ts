/** The MPD writer: SegmentList + SegmentTimeline over the HLS segment names, no drift, valid attribute forms. */
import { describe, expect, it } from 'vitest';
import { frameRate, isoDuration, segmentTimeline, writeMpd } from '../../src/core/dash.js';

const segs = (dir: string, durations: number[]) => durations.map((d, i) => ({ uri: `${dir}/c${String(i).padStart(5, '0')}_000.m4s`, durationSec: d }));

describe('DASH MPD', () => {
  it.each([
    ['equal segments compress with @r', [2, 2, 2, 2], [{ t: 0, d: 2000, r: 3 }]],
    ['short last segment', [2, 2, 1.5], [{ t: 0, d: 2000, r: 1 }, { d: 1500 }]],
    ['NTSC durations: cumulative rounding, no drift', [1.001, 1.001, 1.001], [{ t: 0, d: 1001, r: 2 }]],
    ['sub-tick durations spread the rounding', [0.0334, 0.0333, 0.0333], [{ t: 0, d: 33 }, { d: 34 }, { d: 33 }]],
  ])('timeline: %s', (_n, durations, expected) => {
    const tl = segmentTimeline(durations, 1000);
    expect(tl).toEqual(expected);
    const ticks = tl.reduce((a, s) => a + s.d * ((s.r ?? 0) + 1), 0);
    expect(ticks).toBe(Math.round(durations.reduce((a, b) => a + b, 0) * 1000));
  });

  it.each([
    [30, '30'],
    [25, '25'],
    [29.97, '30000/1001'],
    [23.976, '24000/1001'],
    [12.5, '12500/1000'],
  ])('frame rate %s → %s', (fps, s) => expect(frameRate(fps)).toBe(s));

  it('iso durations', () => {
    expect(isoDuration(12.3456)).toBe('PT12.346S');
    expect(isoDuration(-1)).toBe('PT0.000S');
  });

  it('writes one video AdaptationSet (ladder by bandwidth) and one audio set, URLs relative to the MPD', () => {
    const mpd = writeMpd({
      video: [
        { id: '720p', codecs: 'avc1.64001f', bandwidth: 2_000_000, init: '720p/init.mp4', segments: segs('720p', [2, 8, 3]), width: 1280, height: 720, fps: 25 },
        { id: '144p', codecs: 'avc1.64000c', bandwidth: 150_000, init: '144p/init.mp4', segments: segs('144p', [2, 8, 3]), width: 256, height: 144, fps: 25 },
      ],
      audio: { id: 'audio', codecs: 'mp4a.40.2', bandwidth: 130_000, init: 'audio/init.mp4', segments: segs('audio', [4, 4, 4, 1]), sampleRate: 48000, channels: 2 },
    });
    expect(mpd).toContain('type="static"');
    expect(mpd).toContain('mediaPresentationDuration="PT13.000S"');
    expect(mpd.indexOf('id="144p"')).toBeLessThan(mpd.indexOf('id="720p"'));
    expect(mpd).toContain('<Representation id="720p" codecs="avc1.64001f" bandwidth="2000000" width="1280" height="720" sar="1:1" frameRate="25">');
    expect(mpd).toContain('<Initialization sourceURL="720p/init.mp4"/>');
    expect(mpd).toContain('<SegmentURL media="720p/c00001_000.m4s"/>');
    expect(mpd).toMatch(/<S t="0" d="2000"\/>\s*<S d="8000"\/>\s*<S d="3000"\/>/);
    expect(mpd).toContain('contentType="audio" mimeType="audio/mp4"');
    expect(mpd).toContain('audioSamplingRate="48000"');
    expect(mpd).toContain('<S t="0" d="4000" r="2"/>');
    // as many SegmentURLs as segments, per representation
    expect(mpd.match(/<SegmentURL /g)).toHaveLength(3 + 3 + 4);
    expect(mpd.trim().endsWith('</MPD>')).toBe(true);
  });

  it('escapes XML and refuses an empty ladder', () => {
    const mpd = writeMpd({ video: [{ id: 'a"b', codecs: 'avc1', bandwidth: 1, init: 'x&y/init.mp4', segments: [{ uri: 'x&y/1.m4s', durationSec: 1 }] }], audio: null });
    expect(mpd).toContain('id="a&quot;b"');
    expect(mpd).toContain('sourceURL="x&amp;y/init.mp4"');
    expect(() => writeMpd({ video: [], audio: null })).toThrow();
  });
});
