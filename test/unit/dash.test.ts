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

  describe('ClearKey CENC protection', () => {
    const KID = '0123abcd-4567-89ef-0123-456789abcdef';
    const video = [{ id: '360p', codecs: 'avc1.64001e', bandwidth: 800_000, init: '360p/cenc/init.mp4', segments: segs('360p/cenc', [2, 2]), width: 640, height: 360, fps: 25 }];
    const audio = { id: 'audio', codecs: 'mp4a.40.2', bandwidth: 130_000, init: 'audio/cenc/init.mp4', segments: segs('audio/cenc', [2, 2]) };
    const MP4 = `<ContentProtection schemeIdUri="urn:mpeg:dash:mp4protection:2011" value="cenc" cenc:default_KID="${KID}"/>`;
    const CK = '<ContentProtection schemeIdUri="urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e" value="ClearKey1.0">';
    const count = (s: string, sub: string) => s.split(sub).length - 1;

    it.each([
      ['clear video: no protection, no extra namespaces', { video, audio }, { mp4: 0, ck: 0, laurl: 0, ns: false }],
      ['protected, video and audio: both sets carry both descriptors', { video, audio, protection: { defaultKid: KID, licenseUrl: 'license' } }, { mp4: 2, ck: 2, laurl: 2, ns: true }],
      ['protected, video only', { video, audio: null, protection: { defaultKid: KID, licenseUrl: 'license' } }, { mp4: 1, ck: 1, laurl: 1, ns: true }],
    ] as const)('%s', (_n, input, want) => {
      const mpd = writeMpd(input as Parameters<typeof writeMpd>[0]);
      expect(count(mpd, MP4)).toBe(want.mp4);
      expect(count(mpd, CK)).toBe(want.ck);
      expect(count(mpd, '<dashif:Laurl>license</dashif:Laurl>')).toBe(want.laurl);
      expect(count(mpd, '<clearkey:Laurl Lic_type="EME-1.0">license</clearkey:Laurl>')).toBe(want.laurl);
      expect(mpd.includes('xmlns:cenc="urn:mpeg:cenc:2013"')).toBe(want.ns);
      expect(mpd.includes('xmlns:dashif="https://dashif.org/CPS"')).toBe(want.ns);
      // descriptors come before the Representations of their set (schema order); segment URLs untouched
      if (want.ns) expect(mpd.indexOf(MP4)).toBeLessThan(mpd.indexOf('<Representation'));
      expect(mpd).toContain('<SegmentURL media="360p/cenc/c00001_000.m4s"/>');
    });

    it.each([['UPPERCASE-KID'], ['0123abcd456789ef0123456789abcdef'], ['0123ABCD-4567-89ef-0123-456789abcdef']])('refuses default_KID %s', (kid) => {
      expect(() => writeMpd({ video, audio: null, protection: { defaultKid: kid, licenseUrl: 'license' } })).toThrow(/default_KID/);
    });

    it('escapes the license URL', () => {
      const mpd = writeMpd({ video, audio: null, protection: { defaultKid: KID, licenseUrl: 'https://x/license?a=1&b=2' } });
      expect(mpd).toContain('<dashif:Laurl>https://x/license?a=1&amp;b=2</dashif:Laurl>');
    });
  });
});
