import { describe, expect, it } from 'vitest';
import { measureBandwidth, parseAttributes, parseMasterPlaylist, parseMediaPlaylist, writeMasterPlaylist } from '../../src/core/hls.js';

const MEDIA = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:4
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MAP:URI="init.mp4"
#EXTINF:4.004000,
seg_00000.m4s
#EXTINF:2.068733,
seg_00001.m4s
#EXT-X-ENDLIST
`;

describe('media playlists', () => {
  it('parses segments, init and end', () => {
    const p = parseMediaPlaylist(MEDIA);
    expect(p.initUri).toBe('init.mp4');
    expect(p.targetDurationSec).toBe(4);
    expect(p.ended).toBe(true);
    expect(p.segments).toEqual([
      { uri: 'seg_00000.m4s', durationSec: 4.004 },
      { uri: 'seg_00001.m4s', durationSec: 2.068733 },
    ]);
  });
  it('rejects text that is not a playlist', () => {
    expect(() => parseMediaPlaylist('hello')).toThrow(/EXTM3U/);
  });
});

describe('bandwidth', () => {
  it('peak is the densest segment, average includes the init segment', () => {
    const m = measureBandwidth([
      { durationSec: 4, bytes: 500_000 },
      { durationSec: 2, bytes: 500_000 },
    ], 1000);
    expect(m.peak).toBe(2_000_000);
    expect(m.average).toBe(Math.ceil((1_001_000 * 8) / 6));
  });
});

describe('master playlist', () => {
  it('writes variants sorted by bandwidth with an audio group and round-trips through the parser', () => {
    const text = writeMasterPlaylist(
      [
        { uri: '720p/index.m3u8', width: 1280, height: 720, fps: 29.97, videoCodec: 'avc1.64001f', peakBps: 2_000_000, averageBps: 1_500_000 },
        { uri: '144p/index.m3u8', width: 256, height: 144, fps: 29.97, videoCodec: 'avc1.64001e', peakBps: 150_000, averageBps: 100_000 },
      ],
      { uri: 'audio/index.m3u8', codec: 'mp4a.40.2', peakBps: 130_000, averageBps: 128_000 },
    );
    expect(text.startsWith('#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n')).toBe(true);
    const m = parseMasterPlaylist(text);
    expect(m.audio).toEqual([{ groupId: 'aud', uri: 'audio/index.m3u8' }]);
    expect(m.variants.map((v) => v.uri)).toEqual(['144p/index.m3u8', '720p/index.m3u8']);
    expect(m.variants[1]).toMatchObject({ bandwidth: 2_130_000, averageBandwidth: 1_628_000, resolution: '1280x720', codecs: 'avc1.64001f,mp4a.40.2', audioGroup: 'aud', frameRate: 29.97 });
  });
  it('omits the audio group for silent videos', () => {
    const text = writeMasterPlaylist([{ uri: 'a.m3u8', width: 10, height: 8, fps: 25, videoCodec: 'avc1.64001e', peakBps: 1, averageBps: 1 }], null);
    expect(text).not.toContain('AUDIO');
    expect(parseMasterPlaylist(text).variants[0].codecs).toBe('avc1.64001e');
  });
  it('parses quoted attributes containing commas', () => {
    expect(parseAttributes('BANDWIDTH=1,CODECS="a,b",X=y')).toEqual({ BANDWIDTH: '1', CODECS: 'a,b', X: 'y' });
  });
});
