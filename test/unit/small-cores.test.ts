import { describe, expect, it } from 'vitest';
import { ProgressParser } from '../../src/core/progress.js';
import { contentTypeFor, parseRange } from '../../src/core/http-range.js';
import { backoffMs } from '../../src/core/backoff.js';
import { hashPassword, verifyPassword } from '../../src/core/passwords.js';
import { loadConfig } from '../../src/config.js';
import { assertSafeKey } from '../../src/ports/blob-store.js';

describe('ffmpeg -progress parser', () => {
  it('emits one snapshot per progress block, across chunk boundaries', () => {
    const p = new ProgressParser();
    expect(p.push('frame=10\nout_time_us=400000\nspe')).toEqual([]);
    expect(p.push('ed=2.5x\nprogress=continue\nframe=20\nout_time_us=800000\n')).toEqual([{ frame: 10, outTimeSec: 0.4, speed: 2.5, done: false }]);
    expect(p.push('speed=N/A\nprogress=end\n')).toEqual([{ frame: 20, outTimeSec: 0.8, speed: 0, done: true }]);
  });
});

describe('HTTP ranges', () => {
  it.each([
    [undefined, 100, null],
    ['bytes=0-9', 100, { start: 0, end: 9 }],
    ['bytes=90-', 100, { start: 90, end: 99 }],
    ['bytes=-10', 100, { start: 90, end: 99 }],
    ['bytes=50-1000', 100, { start: 50, end: 99 }],
    ['bytes=100-', 100, 'unsatisfiable'],
    ['bytes=9-3', 100, 'unsatisfiable'],
    ['bytes=0-1,5-6', 100, null],
    ['items=0-1', 100, null],
  ])('%s of %i -> %o', (h, size, expected) => {
    expect(parseRange(h, size)).toEqual(expected);
  });
  it('content types', () => {
    expect(contentTypeFor('a/index.m3u8')).toBe('application/vnd.apple.mpegurl');
    expect(contentTypeFor('seg_00001.m4s')).toBe('video/iso.segment');
    expect(contentTypeFor('init.mp4')).toBe('video/mp4');
    expect(contentTypeFor('x.bin')).toBe('application/octet-stream');
  });
});

describe('backoff', () => {
  it('doubles from the base and is capped', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, 1000, 5000))).toEqual([1000, 2000, 4000, 5000]);
    expect(backoffMs(0)).toBe(0);
  });
});

describe('passwords', () => {
  it('hash verifies the right password only, with a fresh salt each time', async () => {
    const h = await hashPassword('correct horse');
    expect(h.startsWith('scrypt$')).toBe(true);
    expect(await verifyPassword('correct horse', h)).toBe(true);
    expect(await verifyPassword('wrong horse', h)).toBe(false);
    expect(await hashPassword('correct horse')).not.toBe(h);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });
});

describe('config', () => {
  it('has embedded defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.databaseUrl).toMatch(/^sqlite:.*data\/reel\.db$/);
    expect(c.maxUploadBytes).toBe(2 ** 30);
    expect(c.keepSource).toBe(false);
  });
  it('lists every bad value in one clear error', () => {
    expect(() => loadConfig({ PORT: 'eighty', KEEP_SOURCE: 'maybe' })).toThrow(/PORT[\s\S]*KEEP_SOURCE|KEEP_SOURCE[\s\S]*PORT/);
  });
  it('allows up to 256 GiB uploads by configuration, not more', () => {
    expect(loadConfig({ MAX_UPLOAD_BYTES: String(256 * 2 ** 30) }).maxUploadBytes).toBe(256 * 2 ** 30);
    expect(() => loadConfig({ MAX_UPLOAD_BYTES: String(257 * 2 ** 30) })).toThrow(/MAX_UPLOAD_BYTES/);
  });
  it('keeps uploads in progress in the blob store when that is S3, in local files otherwise, as told when set', () => {
    expect(loadConfig({}).uploadStore).toBe('local');
    expect(loadConfig({ BLOB_STORE: 's3', S3_BUCKET: 'b' }).uploadStore).toBe('blob');
    expect(loadConfig({ BLOB_STORE: 's3', S3_BUCKET: 'b', UPLOAD_STORE: 'local' }).uploadStore).toBe('local');
    expect(() => loadConfig({ UPLOAD_STORE: 's3' })).toThrow(/UPLOAD_STORE/);
  });
});

describe('blob keys', () => {
  it.each(['../etc/passwd', 'videos/../../x', '/abs', 'a//b', 'a/./b', 'a\\b', 'a/b\0'])('rejects %j', (k) => {
    expect(() => assertSafeKey(k)).toThrow(/unsafe/);
  });
  it('accepts normal keys', () => {
    expect(() => assertSafeKey('videos/123/720p/seg_00001.m4s')).not.toThrow();
  });
});
