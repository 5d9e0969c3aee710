/**
 * Container sniffing from the first bytes of a file. Pure.
 * Returns the container family, or null when the bytes are not a media container Reel accepts.
 */

export type Container = 'mp4' | 'matroska' | 'avi' | 'ogg' | 'mpegts' | 'flv' | 'mpeg-ps' | 'asf' | 'mxf';

export const MAGIC_BYTES_NEEDED = 256;

const ascii = (b: Uint8Array, at: number, s: string) => {
  if (b.length < at + s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
};

const bytes = (b: Uint8Array, at: number, sig: number[]) => b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);

const MP4_BOXES = ['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot', 'styp'];

export function sniffContainer(head: Uint8Array): Container | null {
  if (MP4_BOXES.some((box) => ascii(head, 4, box))) return 'mp4';
  if (bytes(head, 0, [0x1a, 0x45, 0xdf, 0xa3])) return 'matroska';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'AVI ')) return 'avi';
  if (ascii(head, 0, 'OggS')) return 'ogg';
  if (ascii(head, 0, 'FLV')) return 'flv';
  if (bytes(head, 0, [0x00, 0x00, 0x01, 0xba])) return 'mpeg-ps';
  if (bytes(head, 0, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11])) return 'asf';
  if (bytes(head, 0, [0x06, 0x0e, 0x2b, 0x34])) return 'mxf';
  // MPEG-TS: sync byte every 188 bytes (M2TS has a 4-byte prefix, so 192)
  if (head[0] === 0x47 && (head.length < 189 || head[188] === 0x47)) return 'mpegts';
  if (head[4] === 0x47 && (head.length < 197 || head[196] === 0x47)) return 'mpegts';
  return null;
}
