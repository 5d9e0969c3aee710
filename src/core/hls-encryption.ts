/**
 * AES-128 HLS encryption (RFC 8216 METHOD=AES-128): each media segment is encrypted whole with AES-128-CBC and
 * PKCS#7 padding; init segments stay clear (EXT-X-MAP comes before the first EXT-X-KEY). Pure (node:crypto).
 *
 * The IV of a segment is derived from its path within the video ("720p/c00003_001.m4s"), so encoders working on
 * different chunks in parallel need no shared counter, and the playlist writer states it explicitly (IV=0x…).
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';

export const KEY_FILE = 'key.bin';

export function segmentIv(path: string): Buffer {
  return createHash('sha256').update(`reel-hls-iv\n${path}`).digest().subarray(0, 16);
}

export function encryptSegment(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const c = createCipheriv('aes-128-cbc', key, iv);
  return Buffer.concat([c.update(data), c.final()]);
}

export function decryptSegment(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const d = createDecipheriv('aes-128-cbc', key, iv);
  return Buffer.concat([d.update(data), d.final()]);
}

/** The EXT-X-KEY line for one segment. */
export function keyTag(keyUri: string, iv: Buffer): string {
  return `#EXT-X-KEY:METHOD=AES-128,URI="${keyUri}",IV=0x${iv.toString('hex')}`;
}
