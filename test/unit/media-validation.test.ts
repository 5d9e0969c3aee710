import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { sniffContainer } from '../../src/core/magic-bytes.js';
import { parseProbe, parseRate, validateMedia } from '../../src/core/media-info.js';
import { MediaError } from '../../src/core/errors.js';
import { MEDIA_DIR } from '../support/platform.js';

const head = (f: string) => readFileSync(MEDIA_DIR + f).subarray(0, 256);

describe('sniffContainer on the shared media', () => {
  it.each([
    ['the_last_man_on_earth.mp4', 'mp4'],
    ['video_short.webm', 'matroska'],
    ['video_short.avi', 'avi'],
    ['sample.ogg', 'ogg'],
    ['video_short_0p.mp4', 'mp4'],
    ['video_short_fake.webm', null],
  ])('%s -> %s', (file, expected) => {
    expect(sniffContainer(head(file))).toBe(expected);
  });
  it('recognises MPEG-TS by its repeating sync byte and rejects text', () => {
    const ts = new Uint8Array(376);
    ts[0] = 0x47;
    ts[188] = 0x47;
    expect(sniffContainer(ts)).toBe('mpegts');
    expect(sniffContainer(new TextEncoder().encode('<html>not a video</html>'))).toBeNull();
    expect(sniffContainer(new Uint8Array(0))).toBeNull();
  });
});

describe('parseProbe / validateMedia', () => {
  const video = { codec_type: 'video', codec_name: 'h264', width: 1280, height: 720, avg_frame_rate: '30000/1001', sample_aspect_ratio: '1:1', pix_fmt: 'yuv420p' };
  const audio = { codec_type: 'audio', codec_name: 'aac', sample_rate: '44100', channels: 2 };

  it('reads dimensions, fps, duration, rotation', () => {
    const info = parseProbe({ streams: [{ ...video, side_data_list: [{ rotation: -90 }] }, audio], format: { format_name: 'mov,mp4', duration: '14.08' } });
    expect(info.video).toMatchObject({ width: 1280, height: 720, rotation: 90 });
    expect(info.video!.fps).toBeCloseTo(29.97, 2);
    expect(info.durationSec).toBeCloseTo(14.08);
    expect(info.audio).toMatchObject({ codec: 'aac', channels: 2 });
  });

  it('ignores cover art pictures as video', () => {
    const info = parseProbe({ streams: [audio, { ...video, codec_name: 'mjpeg', disposition: { attached_pic: 1 } }], format: { duration: '3' } });
    expect(info.video).toBeNull();
  });

  it.each([
    ['audio only', { streams: [audio], format: { duration: '5' } }, 'no_video_stream'],
    ['nothing', { streams: [], format: { duration: '5' } }, 'no_video_stream'],
    ['no duration', { streams: [video], format: {} }, 'no_duration'],
    ['1 pixel', { streams: [{ ...video, width: 1, height: 1 }], format: { duration: '1' } }, 'invalid_dimensions'],
    ['too long', { streams: [video], format: { duration: String(13 * 3600) } }, 'too_long'],
  ])('%s is refused with %s', (_name, probe, code) => {
    try {
      validateMedia(parseProbe(probe as any));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(MediaError);
      expect((err as MediaError).code).toBe(code);
      expect((err as MediaError).message.length).toBeGreaterThan(10);
    }
  });

  it('accepts a normal video', () => {
    expect(() => validateMedia(parseProbe({ streams: [video, audio], format: { duration: '10' } }))).not.toThrow();
  });

  it('parses rates', () => {
    expect(parseRate('25/1')).toBe(25);
    expect(parseRate('0/0')).toBe(0);
    expect(parseRate(undefined)).toBe(0);
  });
});
