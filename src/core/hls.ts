/**
 * HLS playlists: parsing media playlists, measuring bandwidth from real segment sizes, writing the master.
 * Pure.
 */

export interface MediaSegment {
  uri: string;
  durationSec: number;
}

export interface MediaPlaylist {
  initUri: string | null;
  segments: MediaSegment[];
  ended: boolean;
  targetDurationSec: number;
}

export function parseMediaPlaylist(text: string): MediaPlaylist {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== '#EXTM3U') throw new Error('not an HLS playlist (missing #EXTM3U)');
  const pl: MediaPlaylist = { initUri: null, segments: [], ended: false, targetDurationSec: 0 };
  let pending: number | null = null;
  for (const line of lines.slice(1)) {
    if (!line) continue;
    if (line.startsWith('#EXTINF:')) pending = Number.parseFloat(line.slice(8));
    else if (line.startsWith('#EXT-X-MAP:')) pl.initUri = /URI="([^"]+)"/.exec(line)?.[1] ?? null;
    else if (line.startsWith('#EXT-X-TARGETDURATION:')) pl.targetDurationSec = Number(line.slice(22));
    else if (line === '#EXT-X-ENDLIST') pl.ended = true;
    else if (!line.startsWith('#') && pending !== null) {
      pl.segments.push({ uri: line, durationSec: pending });
      pending = null;
    }
  }
  return pl;
}

export interface VariantStream {
  uri: string;
  bandwidth: number;
  averageBandwidth?: number;
  resolution?: string;
  codecs?: string;
  frameRate?: number;
  audioGroup?: string;
}

/** Parse the variants of a master playlist (used by tests and tools). */
export function parseMasterPlaylist(text: string): { variants: VariantStream[]; audio: Array<{ groupId: string; uri: string }> } {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== '#EXTM3U') throw new Error('not an HLS playlist (missing #EXTM3U)');
  const variants: VariantStream[] = [];
  const audio: Array<{ groupId: string; uri: string }> = [];
  let attrs: Record<string, string> | null = null;
  for (const line of lines) {
    if (line.startsWith('#EXT-X-MEDIA:')) {
      const a = parseAttributes(line.slice(13));
      if (a.TYPE === 'AUDIO' && a.URI) audio.push({ groupId: a['GROUP-ID'], uri: a.URI });
    } else if (line.startsWith('#EXT-X-STREAM-INF:')) attrs = parseAttributes(line.slice(18));
    else if (attrs && line && !line.startsWith('#')) {
      variants.push({
        uri: line,
        bandwidth: Number(attrs.BANDWIDTH),
        averageBandwidth: attrs['AVERAGE-BANDWIDTH'] ? Number(attrs['AVERAGE-BANDWIDTH']) : undefined,
        resolution: attrs.RESOLUTION,
        codecs: attrs.CODECS,
        frameRate: attrs['FRAME-RATE'] ? Number(attrs['FRAME-RATE']) : undefined,
        audioGroup: attrs.AUDIO,
      });
      attrs = null;
    }
  }
  return { variants, audio };
}

export function parseAttributes(list: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Z0-9-]+)=("[^"]*"|[^,]*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(list))) out[m[1]] = m[2].startsWith('"') ? m[2].slice(1, -1) : m[2];
  return out;
}

/** Peak and average bit rate (bit/s) of a rendition from its segments' byte sizes, as HLS BANDWIDTH wants them. */
export function measureBandwidth(segments: Array<{ durationSec: number; bytes: number }>, initBytes = 0): { peak: number; average: number } {
  let total = initBytes;
  let seconds = 0;
  let peak = 0;
  for (const s of segments) {
    total += s.bytes;
    seconds += s.durationSec;
    if (s.durationSec > 0) peak = Math.max(peak, (s.bytes * 8) / s.durationSec);
  }
  const average = seconds > 0 ? (total * 8) / seconds : 0;
  return { peak: Math.ceil(Math.max(peak, average)), average: Math.ceil(average) };
}

export interface MasterVariant {
  uri: string;
  width: number;
  height: number;
  fps: number;
  videoCodec: string;
  peakBps: number;
  averageBps: number;
}

export interface MasterAudio {
  uri: string;
  codec: string;
  peakBps: number;
  averageBps: number;
}

export const AUDIO_GROUP = 'aud';

/** Master playlist: video variants ordered by bandwidth, audio as an alternate rendition group (CMAF-style, one set of files). */
export function writeMasterPlaylist(variants: MasterVariant[], audio: MasterAudio | null): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  if (audio) {
    lines.push(`#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="${AUDIO_GROUP}",NAME="Default",LANGUAGE="und",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="${audio.uri}"`);
  }
  const sorted = [...variants].sort((a, b) => a.peakBps - b.peakBps);
  for (const v of sorted) {
    const peak = v.peakBps + (audio?.peakBps ?? 0);
    const avg = v.averageBps + (audio?.averageBps ?? 0);
    const codecs = audio ? `${v.videoCodec},${audio.codec}` : v.videoCodec;
    const attrs = [
      `BANDWIDTH=${peak}`,
      `AVERAGE-BANDWIDTH=${avg}`,
      `RESOLUTION=${v.width}x${v.height}`,
      `FRAME-RATE=${v.fps.toFixed(3)}`,
      `CODECS="${codecs}"`,
    ];
    if (audio) attrs.push(`AUDIO="${AUDIO_GROUP}"`);
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, v.uri);
  }
  return lines.join('\n') + '\n';
}
