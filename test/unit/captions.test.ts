import { describe, expect, it } from 'vitest';
import { cueText, LANG_RE, parseCaptions } from '../../src/core/captions.js';

const SRT = `1
00:00:01,000 --> 00:00:03,500
Hello <i>world</i>

2
00:00:04,000 --> 00:00:06,250
Second line
continues here
`;

describe('parseCaptions', () => {
  it('turns SRT into WebVTT with dotted milliseconds and keeps multi-line cues', () => {
    const p = parseCaptions(SRT.replace(/\n/g, '\r\n'));
    expect(p.cues).toEqual([
      { startSec: 1, endSec: 3.5, text: 'Hello <i>world</i>' },
      { startSec: 4, endSec: 6.25, text: 'Second line\ncontinues here' },
    ]);
    expect(p.vtt).toBe('WEBVTT\n\n00:00:01.000 --> 00:00:03.500\nHello <i>world</i>\n\n00:00:04.000 --> 00:00:06.250\nSecond line\ncontinues here\n');
    expect(p.text).toBe('Hello world\nSecond line continues here');
  });

  it('reads WebVTT with a BOM, header text, cue ids, settings, NOTE and STYLE blocks, and short timestamps', () => {
    const p = parseCaptions('\uFEFFWEBVTT - English\n\nNOTE made by hand\n\nSTYLE\n::cue { color: yellow }\n\nintro\n00:01.000 --> 00:02.000 align:start line:0\n<v Roger>Hi &amp; welcome</v>\n\n01:00:00.000 --> 01:00:01.500\nLate');
    expect(p.cues.map((c) => [c.startSec, c.endSec])).toEqual([[1, 2], [3600, 3601.5]]);
    expect(p.text).toBe('Hi & welcome\nLate');
    expect(p.vtt.startsWith('WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n')).toBe(true);
  });

  it('refuses files a player could not show, saying why', () => {
    expect(() => parseCaptions('')).toThrow(/no cues/);
    expect(() => parseCaptions('WEBVTT\n')).toThrow(/no cues/);
    expect(() => parseCaptions('just some text\nwithout timing')).toThrow(/not a WebVTT or SRT file/);
    expect(() => parseCaptions('1\n00:00:05,000 --> 00:00:04,000\nbackwards')).toThrow(/ends .* before it starts/);
    expect(() => parseCaptions('1\n00:00:0x,000 --> 00:00:04,000\nbad')).toThrow(/not a timestamp/);
    expect(() => parseCaptions('1\n00:61:00,000 --> 00:62:00,000\nbad')).toThrow(/above 59/);
    expect(() => parseCaptions('WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n' + 'x'.repeat(3 * 1024 * 1024))).toThrow(/limited/);
  });

  it('cannot smuggle a timing line into cue text', () => {
    const p = parseCaptions('WEBVTT\n\n00:00:01.000 --> 00:00:02.000\na --> b');
    expect(p.vtt).not.toMatch(/a --> b/);
  });

  it('strips markup for search', () => {
    expect(cueText('<c.loud><b>Big</b></c> &lt;news&gt; <00:00:01.000>now')).toBe('Big <news> now');
  });

  it('accepts BCP 47 language tags and nothing else', () => {
    for (const ok of ['en', 'pt-BR', 'zh-Hant', 'es-419', 'fil']) expect(LANG_RE.test(ok), ok).toBe(true);
    for (const bad of ['', 'E', 'english', '../x', 'en_US', 'en-', 'en/US']) expect(LANG_RE.test(bad), bad).toBe(false);
  });
});
