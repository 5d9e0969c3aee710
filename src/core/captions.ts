/**
 * Caption files: WebVTT or SubRip (SRT) in, a clean WebVTT file and its plain text (for search) out. Pure.
 * Refuses what a player could not show: no cues, a malformed or backwards timestamp, a cue ending before it starts.
 */
import { AppError } from './errors.js';

export interface Cue {
  startSec: number;
  endSec: number;
  text: string;
}

export interface ParsedCaptions {
  cues: Cue[];
  vtt: string;
  /** cue text without markup, one cue per line (what search indexes) */
  text: string;
}

export const MAX_CAPTION_BYTES = 2 * 1024 * 1024;
/** BCP 47 language tags as players use them: "en", "pt-BR", "zh-Hant" */
export const LANG_RE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$/;

const TIME = /^(?:(\d{1,3}):)?(\d{1,2}):(\d{2})[.,](\d{3})$/;

function seconds(stamp: string, cueNo: number): number {
  const m = TIME.exec(stamp.trim());
  if (!m) throw invalid(`cue ${cueNo}: "${stamp.trim().slice(0, 40)}" is not a timestamp (hh:mm:ss.mmm)`);
  const [, h, min, s, ms] = m;
  if (Number(min) > 59 || Number(s) > 59) throw invalid(`cue ${cueNo}: "${stamp.trim()}" has minutes or seconds above 59`);
  return Number(h ?? 0) * 3600 + Number(min) * 60 + Number(s) + Number(ms) / 1000;
}

const invalid = (message: string) => new AppError('invalid_captions', message, 400);

function stamp(sec: number): string {
  const ms = Math.round(sec * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/** Markup a cue may carry (<i>, <b>, <c.x>, <v Name>, timestamps) removed, entities decoded: the words. */
export function cueText(text: string): string {
  return text
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Parse WebVTT or SRT (detected from the content). */
export function parseCaptions(input: string): ParsedCaptions {
  if (Buffer.byteLength(input) > MAX_CAPTION_BYTES) throw new AppError('payload_too_large', `Caption files are limited to ${MAX_CAPTION_BYTES / 1024 / 1024} MiB`, 413);
  const body = input.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const isVtt = /^WEBVTT(?:[ \t].*)?(?:\n|$)/.test(body);
  const blocks = body.split(/\n{2,}/).map((b) => b.trim()).filter(Boolean);
  if (isVtt) blocks.shift(); // the header block
  const cues: Cue[] = [];
  for (const block of blocks) {
    const lines = block.split('\n');
    if (isVtt && /^(NOTE|STYLE|REGION)(\s|$)/.test(lines[0])) continue;
    const at = lines.findIndex((l) => l.includes('-->'));
    if (at < 0 || at > 1) {
      if (isVtt) throw invalid(`cue ${cues.length + 1}: no "start --> end" timing line`);
      throw invalid(`not a WebVTT or SRT file: block ${cues.length + 1} has no "start --> end" timing line`);
    }
    const [from, rest] = lines[at].split('-->');
    const n = cues.length + 1;
    const startSec = seconds(from, n);
    const endSec = seconds(rest.trim().split(/\s+/)[0], n);
    if (endSec <= startSec) throw invalid(`cue ${n}: ends (${stamp(endSec)}) before it starts (${stamp(startSec)})`);
    const text = lines.slice(at + 1).join('\n').trim();
    if (text) cues.push({ startSec, endSec, text });
  }
  if (!cues.length) throw invalid('no cues: the file has no timed text');
  const vtt = `WEBVTT\n\n${cues.map((c) => `${stamp(c.startSec)} --> ${stamp(c.endSec)}\n${c.text.replace(/-->/g, '→')}`).join('\n\n')}\n`;
  return { cues, vtt, text: cues.map((c) => cueText(c.text)).join('\n') };
}
