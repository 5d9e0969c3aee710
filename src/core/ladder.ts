/**
 * Ladder planning: which renditions ("rungs") a source gets. Pure: no I/O.
 *
 * Rules
 * - a rung is named by its short side (720p = 1280x720 landscape or 720x1280 portrait);
 * - never above the source: a rung is kept only when its short side <= the source's;
 * - a source smaller than the lowest rung gets exactly one rung at its own (even) size;
 * - display aspect is kept (the long side is derived and rounded to an even number);
 * - frame rate is kept up to a cap: 60 fps for 720p and above, 30 fps below.
 */

export interface SourceVideo {
  /** coded width/height as stored */
  width: number;
  height: number;
  /** clockwise rotation from the display matrix (0, 90, 180, 270) */
  rotation: number;
  fps: number;
  /** sample aspect ratio as num/den, 1 when square pixels */
  sar?: number;
}

export interface RungSpec {
  name: string; // e.g. "720p"
  shortSide: number;
  videoKbps: number; // target (capped CRF maxrate)
}

export interface Rung {
  name: string;
  width: number;
  height: number;
  fps: number;
  /** maxrate for capped CRF, kbit/s */
  maxKbps: number;
}

export const H264_LADDER: readonly RungSpec[] = [
  { name: '144p', shortSide: 144, videoKbps: 200 },
  { name: '240p', shortSide: 240, videoKbps: 400 },
  { name: '360p', shortSide: 360, videoKbps: 800 },
  { name: '480p', shortSide: 480, videoKbps: 1400 },
  { name: '720p', shortSide: 720, videoKbps: 2800 },
  { name: '1080p', shortSide: 1080, videoKbps: 5000 },
  { name: '1440p', shortSide: 1440, videoKbps: 9000 },
  { name: '2160p', shortSide: 2160, videoKbps: 16000 },
];

const even = (n: number) => Math.max(2, 2 * Math.round(n / 2));

/** Display size after rotation and sample aspect ratio. */
export function displaySize(src: SourceVideo): { width: number; height: number } {
  const sar = src.sar && src.sar > 0 ? src.sar : 1;
  const w = src.width * sar;
  const h = src.height;
  const rotated = Math.abs(src.rotation % 180) === 90;
  return rotated ? { width: h, height: w } : { width: w, height: h };
}

export function capFps(fps: number, shortSide: number): number {
  const cap = shortSide >= 720 ? 60 : 30;
  if (!Number.isFinite(fps) || fps <= 0) return 30;
  return fps > cap ? cap : fps;
}

export function planLadder(src: SourceVideo, ladder: readonly RungSpec[] = H264_LADDER): Rung[] {
  const { width, height } = displaySize(src);
  const landscape = width >= height;
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  const fits = ladder.filter((r) => r.shortSide <= short);
  const specs: RungSpec[] = fits.length > 0 ? fits : [{ name: `${even(short)}p`, shortSide: even(short), videoKbps: ladder[0]?.videoKbps ?? 200 }];
  return specs.map((spec) => {
    const s = fits.length > 0 ? spec.shortSide : even(short);
    const l = even((long * s) / short);
    const fps = capFps(src.fps, s);
    const fpsFactor = fps > 31 ? 1.5 : 1;
    return {
      name: spec.name,
      width: landscape ? l : s,
      height: landscape ? s : l,
      fps,
      maxKbps: Math.round(spec.videoKbps * fpsFactor),
    };
  });
}

/** H.264 level (as the two-hex-digit suffix of the avc1 codec string) for a rung, from MaxFS/MaxMBPS. */
const LEVELS: Array<{ level: number; maxFs: number; maxMbps: number }> = [
  { level: 30, maxFs: 1620, maxMbps: 40500 },
  { level: 31, maxFs: 3600, maxMbps: 108000 },
  { level: 32, maxFs: 5120, maxMbps: 216000 },
  { level: 41, maxFs: 8192, maxMbps: 245760 },
  { level: 42, maxFs: 8704, maxMbps: 522240 },
  { level: 50, maxFs: 22080, maxMbps: 589824 },
  { level: 51, maxFs: 36864, maxMbps: 983040 },
  { level: 52, maxFs: 36864, maxMbps: 2073600 },
];

export function h264Level(r: Pick<Rung, 'width' | 'height' | 'fps'>): number {
  const fs = Math.ceil(r.width / 16) * Math.ceil(r.height / 16);
  const mbps = fs * Math.ceil(r.fps);
  const found = LEVELS.find((l) => fs <= l.maxFs && mbps <= l.maxMbps);
  return (found ?? LEVELS[LEVELS.length - 1]).level;
}

/** RFC 6381 codec string for a High-profile H.264 rung. */
export function avcCodecString(r: Pick<Rung, 'width' | 'height' | 'fps'>): string {
  return `avc1.6400${h264Level(r).toString(16).padStart(2, '0')}`;
}

/** RFC 6381 codec string for a VP9 profile-0 8-bit rung (level from the frame size). */
export function vp9CodecString(r: Pick<Rung, 'width' | 'height'>): string {
  const short = Math.min(r.width, r.height);
  const level = short <= 240 ? 20 : short <= 360 ? 21 : short <= 480 ? 30 : short <= 720 ? 31 : short <= 1080 ? 40 : short <= 1440 ? 50 : 51;
  return `vp09.00.${level}.08`;
}

/** RFC 6381 codec string for an AV1 main-profile 8-bit rung (seq_level_idx from the frame size). */
export function av1CodecString(r: Pick<Rung, 'width' | 'height'>): string {
  const short = Math.min(r.width, r.height);
  const idx = short <= 240 ? 0 : short <= 360 ? 1 : short <= 480 ? 4 : short <= 720 ? 5 : short <= 1080 ? 8 : 12;
  return `av01.0.${String(idx).padStart(2, '0')}M.08`;
}

export function codecString(codec: 'h264' | 'vp9' | 'av1', r: Pick<Rung, 'width' | 'height' | 'fps'>): string {
  return codec === 'vp9' ? vp9CodecString(r) : codec === 'av1' ? av1CodecString(r) : avcCodecString(r);
}
