/**
 * MPEG-DASH manifest (MPD) over the same CMAF/fMP4 files as the HLS playlists. Pure.
 *
 * Segment names are c<chunk>_<n>.m4s (per chunk, not one running number), so no $Number$ template can
 * name them: each Representation carries a SegmentList with its Initialization, a SegmentTimeline (the real
 * duration of every segment, so seeking lands on the right one) and one SegmentURL per segment. URLs are
 * relative to the MPD, like the HLS ones, so a token in the path reaches every segment.
 *
 * An encrypted video's MPD (`protection`) points at its CENC copies and says so in every AdaptationSet: the
 * mp4protection ContentProtection ('cenc', cenc:default_KID) and the ClearKey one (DASH-IF system id) with its
 * license URL (dashif:Laurl and clearkey:Laurl, relative to the MPD like every other URL in it).
 */

export interface DashSegment {
  uri: string;
  durationSec: number;
}

export interface DashRepresentation {
  id: string;
  codecs: string;
  bandwidth: number;
  init: string;
  segments: DashSegment[];
  width?: number;
  height?: number;
  fps?: number;
  sampleRate?: number;
  channels?: number;
}

export interface MpdInput {
  video: DashRepresentation[];
  audio: DashRepresentation | null;
  /** timescale of the SegmentTimelines (ticks per second) */
  timescale?: number;
  /** ClearKey CENC: the key id (8-4-4-4-12 hex) and the license URL */
  protection?: { defaultKid: string; licenseUrl: string };
}

export const CLEARKEY_SYSTEM = 'urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e';
export const MP4_PROTECTION = 'urn:mpeg:dash:mp4protection:2011';

function contentProtection(p: NonNullable<MpdInput['protection']>, indent: string): string[] {
  return [
    `${indent}<ContentProtection schemeIdUri="${MP4_PROTECTION}" value="cenc" cenc:default_KID="${xml(p.defaultKid)}"/>`,
    `${indent}<ContentProtection schemeIdUri="${CLEARKEY_SYSTEM}" value="ClearKey1.0">`,
    `${indent}  <dashif:Laurl>${xml(p.licenseUrl)}</dashif:Laurl>`,
    `${indent}  <clearkey:Laurl Lic_type="EME-1.0">${xml(p.licenseUrl)}</clearkey:Laurl>`,
    `${indent}</ContentProtection>`,
  ];
}

export const MPD_TIMESCALE = 1000;

const xml = (s: string | number) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** ISO 8601 duration as MPDs want it (PT…S, millisecond precision). */
export function isoDuration(sec: number): string {
  return `PT${Math.max(0, sec).toFixed(3)}S`;
}

/** DASH FrameRateType: an integer or a fraction. */
export function frameRate(fps: number): string {
  if (Math.abs(fps - Math.round(fps)) < 0.001) return String(Math.round(fps));
  const ntsc = Math.round(fps * 1.001);
  if (Math.abs(fps - (ntsc * 1000) / 1001) < 0.001) return `${ntsc * 1000}/1001`;
  return `${Math.round(fps * 1000)}/1000`;
}

/** <S> entries from segment durations, cumulative-rounded (no drift) and run-length compressed with @r. */
export function segmentTimeline(durations: number[], timescale: number): Array<{ t?: number; d: number; r?: number }> {
  const out: Array<{ t?: number; d: number; r?: number }> = [];
  let acc = 0;
  let start = 0;
  for (const sec of durations) {
    acc += sec;
    const end = Math.round(acc * timescale);
    const d = end - start;
    start = end;
    const last = out[out.length - 1];
    if (last && last.d === d) last.r = (last.r ?? 0) + 1;
    else out.push(out.length === 0 ? { t: 0, d } : { d });
  }
  return out;
}

function segmentList(rep: DashRepresentation, timescale: number, indent: string): string[] {
  const s = segmentTimeline(rep.segments.map((x) => x.durationSec), timescale);
  return [
    `${indent}<SegmentList timescale="${timescale}">`,
    `${indent}  <Initialization sourceURL="${xml(rep.init)}"/>`,
    `${indent}  <SegmentTimeline>`,
    ...s.map((e) => `${indent}    <S${e.t !== undefined ? ` t="${e.t}"` : ''} d="${e.d}"${e.r ? ` r="${e.r}"` : ''}/>`),
    `${indent}  </SegmentTimeline>`,
    ...rep.segments.map((x) => `${indent}  <SegmentURL media="${xml(x.uri)}"/>`),
    `${indent}</SegmentList>`,
  ];
}

const total = (segs: DashSegment[]) => segs.reduce((a, s) => a + s.durationSec, 0);

/** A static (VOD) MPD: one Period, one video AdaptationSet (bit-rate ladder), one audio AdaptationSet. */
export function writeMpd(input: MpdInput): string {
  if (input.video.length === 0) throw new Error('an MPD needs at least one video representation');
  const ts = input.timescale ?? MPD_TIMESCALE;
  const duration = Math.max(...input.video.map((v) => total(v.segments)), input.audio ? total(input.audio.segments) : 0);
  const video = [...input.video].sort((a, b) => a.bandwidth - b.bandwidth);
  const maxW = Math.max(...video.map((v) => v.width ?? 0));
  const maxH = Math.max(...video.map((v) => v.height ?? 0));
  const maxSeg = Math.max(...video.flatMap((v) => v.segments.map((s) => s.durationSec)), 1);
  const p = input.protection;
  if (p && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(p.defaultKid)) throw new Error('default_KID must be a lowercase UUID');
  const ns = p ? ' xmlns:cenc="urn:mpeg:cenc:2013" xmlns:dashif="https://dashif.org/CPS" xmlns:clearkey="http://dashif.org/guidelines/clearKey"' : '';
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011"${ns} profiles="urn:mpeg:dash:profile:isoff-main:2011" type="static" mediaPresentationDuration="${isoDuration(duration)}" minBufferTime="${isoDuration(Math.min(4, maxSeg))}" maxSegmentDuration="${isoDuration(maxSeg)}">`,
    `  <Period id="0" start="PT0S">`,
    `    <AdaptationSet id="0" contentType="video" mimeType="video/mp4" segmentAlignment="true" startWithSAP="1" maxWidth="${maxW}" maxHeight="${maxH}">`,
    ...(p ? contentProtection(p, '      ') : []),
  ];
  for (const v of video) {
    const attrs = [`id="${xml(v.id)}"`, `codecs="${xml(v.codecs)}"`, `bandwidth="${Math.round(v.bandwidth)}"`];
    if (v.width && v.height) attrs.push(`width="${v.width}"`, `height="${v.height}"`, 'sar="1:1"');
    if (v.fps) attrs.push(`frameRate="${frameRate(v.fps)}"`);
    lines.push(`      <Representation ${attrs.join(' ')}>`, ...segmentList(v, ts, '        '), '      </Representation>');
  }
  lines.push('    </AdaptationSet>');
  if (input.audio) {
    const a = input.audio;
    lines.push(
      `    <AdaptationSet id="1" contentType="audio" mimeType="audio/mp4" lang="und" segmentAlignment="true" startWithSAP="1">`,
      ...(p ? contentProtection(p, '      ') : []),
      `      <Representation id="${xml(a.id)}" codecs="${xml(a.codecs)}" bandwidth="${Math.round(a.bandwidth)}"${a.sampleRate ? ` audioSamplingRate="${a.sampleRate}"` : ''}>`,
      `        <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="${a.channels ?? 2}"/>`,
      ...segmentList(a, ts, '        '),
      '      </Representation>',
      '    </AdaptationSet>',
    );
  }
  lines.push('  </Period>', '</MPD>');
  return lines.join('\n') + '\n';
}
