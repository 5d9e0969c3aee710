/**
 * Pipeline profiles: the shipped profiles parse, bad ones are refused with a readable reason, and a profile
 * expands into the task DAG the scheduler runs (one encode task per chunk, the fast-start split of chunk 0,
 * priorities growing with the chunk index, dependencies expanded to every key of a step).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Chunk } from '../../src/core/chunks.js';
import { expandPipeline, initialSteps, parseProfile, type TaskSpec } from '../../src/core/pipeline.js';

const load = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../pipelines/${name}.json`, import.meta.url), 'utf8'));

const CHUNKS: Chunk[] = [
  { index: 0, start: 0, end: 2.002 },
  { index: 1, start: 2.002, end: 10.01 },
  { index: 2, start: 10.01, end: 14.081 },
];
const RUNGS = ['144p', '240p', '360p'];

const byKey = (specs: TaskSpec[]) => new Map(specs.map((s) => [s.key, s]));

describe('parseProfile', () => {
  it('parses pipelines/default.json into the documented DAG', () => {
    const p = parseProfile(load('default'));
    expect(p).toMatchObject({ name: 'default', chunkSeconds: 8, firstChunkSeconds: 2, segmentSeconds: 2 });
    expect(p.video).toEqual({ preset: 'veryfast', crf: 23, fastStart: true, codecs: ['h264'] });
    expect(p.audio).toEqual({ bitrateKbps: 128 });
    expect(p.steps.map((s) => [s.id, s.kind, s.after, s.each, s.priority])).toEqual([
      ['inspect', 'inspect', [], 'once', 0],
      ['plan', 'plan', ['inspect'], 'once', 0],
      ['audio', 'encode-audio', ['plan'], 'once', 1],
      ['video', 'encode-chunk', ['plan'], 'chunk', 10],
      ['thumbnails', 'thumbnails', ['plan'], 'once', 40],
      ['storyboard', 'storyboard', ['plan'], 'once', 60],
      ['package', 'package', ['video', 'audio'], 'once', 5],
      ['publish', 'publish', ['package', 'thumbnails', 'storyboard'], 'once', 5],
    ]);
    for (const s of p.steps) expect(s.options).toEqual({});
  });

  it('parses pipelines/single-process.json, filling the defaults', () => {
    const p = parseProfile(load('single-process'));
    expect(p).toEqual({
      name: 'single-process',
      chunkSeconds: 8,
      firstChunkSeconds: 2,
      segmentSeconds: 4,
      video: { preset: 'veryfast', crf: 23, fastStart: true, codecs: ['h264'] },
      audio: { bitrateKbps: 128 },
      steps: [{ id: 'transcode', kind: 'transcode', after: [], each: 'once', priority: 10, options: {} }],
    });
  });

  it('parses pipelines/watermarked.json and keeps the step options', () => {
    const p = parseProfile(load('watermarked'));
    expect(p.steps.find((s) => s.id === 'video')!.options).toEqual({ watermark: { image: 'watermark.png', heightFraction: 0.1 } });
  });

  const step = (id: string, after: string[] = [], extra: Record<string, unknown> = {}) => ({ id, kind: 'k', after, ...extra });
  it.each<[string, unknown, RegExp]>([
    ['duplicate step ids', { name: 'x', steps: [step('a'), step('a')] }, /duplicate step id a\b/],
    ['`after` naming an unknown step', { name: 'x', steps: [step('a'), step('b', ['nope'])] }, /step b runs after unknown or later step nope/],
    ['`after` naming a later step (a cycle could follow)', { name: 'x', steps: [step('a', ['b']), step('b')] }, /step a runs after unknown or later step b/],
    ['a step running after itself', { name: 'x', steps: [step('a', ['a'])] }, /step a runs after unknown or later step a/],
    ['an id with capitals and underscores', { name: 'x', steps: [step('Encode_Video')] }, /steps\.0\.id: .*pattern/],
    ['an id starting with a digit', { name: 'x', steps: [step('a'), step('2pass', ['a'])] }, /steps\.1\.id: .*pattern/],
    ['an empty id', { name: 'x', steps: [step('')] }, /steps\.0\.id/],
    ['an empty kind', { name: 'x', steps: [{ id: 'a', kind: '' }] }, /steps\.0\.kind/],
    ['an unknown `each`', { name: 'x', steps: [step('a', [], { each: 'frame' })] }, /steps\.0\.each: .*"once"\|"chunk"/],
    ['a priority out of range', { name: 'x', steps: [step('a', [], { priority: 5000 })] }, /steps\.0\.priority/],
    ['no steps', { name: 'x', steps: [] }, /steps: .*>=1/],
    ['no name', { steps: [step('a')] }, /: name: /],
    ['chunks shorter than 2 s', { name: 'x', chunkSeconds: 1, steps: [step('a')] }, /chunkSeconds: .*>=2/],
    ['an unknown codec', { name: 'x', video: { codecs: ['hevc'] }, steps: [step('a')] }, /video\.codecs\.0/],
    ['not an object', 'default', /expected object/],
  ])('refuses %s with a readable message', (_name, json, message) => {
    expect(() => parseProfile(json)).toThrow(/^invalid pipeline profile: /);
    expect(() => parseProfile(json)).toThrow(message);
  });

  it('lists every problem at once', () => {
    const bad = { name: 'x', steps: [step('a'), step('a'), step('b', ['zz']), step('Nope')] };
    let message = '';
    try {
      parseProfile(bad);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/steps\.3\.id: /);
    expect(message).toMatch(/duplicate step id a/);
    expect(message).toMatch(/step b runs after unknown or later step zz/);
  });
});

describe('initialSteps', () => {
  it('starts the default profile with every step up to and including plan', () => {
    expect(initialSteps(parseProfile(load('default')))).toEqual([
      { key: 'inspect', step: 'inspect', kind: 'inspect', after: [], priority: 0, payload: {} },
      { key: 'plan', step: 'plan', kind: 'plan', after: ['inspect'], priority: 0, payload: {} },
    ]);
  });

  it('starts a profile without a plan step with all its steps', () => {
    expect(initialSteps(parseProfile(load('single-process')))).toEqual([
      { key: 'transcode', step: 'transcode', kind: 'transcode', after: [], priority: 10, payload: {} },
    ]);
  });

  it('copies step options into the payload', () => {
    const p = parseProfile({ name: 'x', steps: [{ id: 'probe', kind: 'inspect', options: { deep: true } }, { id: 'plan', kind: 'plan', after: ['probe'] }, { id: 'later', kind: 'k', after: ['plan'] }] });
    expect(initialSteps(p).map((s) => [s.key, s.payload])).toEqual([
      ['probe', { deep: true }],
      ['plan', {}],
    ]);
  });
});

describe('expandPipeline', () => {
  const def = parseProfile(load('default'));
  const existing = initialSteps(def).map((s) => s.key);

  it('expands the default profile: fast-start split of chunk 0, one encode task per chunk, joins on every key', () => {
    const specs = expandPipeline(def, { chunks: CHUNKS, rungNames: RUNGS, existing });
    const chunk = (c: Chunk, rungs: string[]) => ({ chunk: c.index, start: c.start, end: c.end, rungs });
    expect(specs).toEqual([
      { key: 'audio', step: 'audio', kind: 'encode-audio', after: ['plan'], priority: 1, payload: {} },
      // chunk 0's lowest rung alone, before anything else; what would start beside it (but the audio) waits for it
      { key: 'video#0:144p', step: 'video', kind: 'encode-chunk', after: ['plan'], priority: 0, payload: chunk(CHUNKS[0], ['144p']) },
      { key: 'video#0', step: 'video', kind: 'encode-chunk', after: ['plan', 'video#0:144p'], priority: 10, payload: chunk(CHUNKS[0], ['240p', '360p']) },
      { key: 'video#1', step: 'video', kind: 'encode-chunk', after: ['plan', 'video#0:144p'], priority: 11, payload: chunk(CHUNKS[1], RUNGS) },
      { key: 'video#2', step: 'video', kind: 'encode-chunk', after: ['plan', 'video#0:144p'], priority: 12, payload: chunk(CHUNKS[2], RUNGS) },
      { key: 'thumbnails', step: 'thumbnails', kind: 'thumbnails', after: ['plan', 'video#0:144p'], priority: 40, payload: {} },
      { key: 'storyboard', step: 'storyboard', kind: 'storyboard', after: ['plan', 'video#0:144p'], priority: 60, payload: {} },
      { key: 'package', step: 'package', kind: 'package', after: ['video#0:144p', 'video#0', 'video#1', 'video#2', 'audio'], priority: 5, payload: {} },
      { key: 'publish', step: 'publish', kind: 'publish', after: ['package', 'thumbnails', 'storyboard'], priority: 5, payload: {} },
    ]);
  });

  it('puts the fast-start chunk strictly ahead of every other task, so one worker makes the video playable first', () => {
    const specs = expandPipeline(def, { chunks: CHUNKS, rungNames: RUNGS, existing });
    const [first, second] = [...specs].sort((a, b) => a.priority - b.priority);
    expect(first.key).toBe('video#0:144p');
    expect(second.priority).toBeGreaterThan(first.priority);
  });

  it('does not re-emit existing steps, and every dependency names an emitted or existing key', () => {
    const specs = expandPipeline(def, { chunks: CHUNKS, rungNames: RUNGS, existing });
    const keys = new Set([...existing, ...specs.map((s) => s.key)]);
    expect(specs.map((s) => s.key)).not.toContain('inspect');
    expect(specs.map((s) => s.key)).not.toContain('plan');
    expect(keys.size).toBe(existing.length + specs.length); // keys are unique
    for (const s of specs) for (const d of s.after) expect(keys).toContain(d);
  });

  it.each<[string, number, string[]]>([
    // [case, chunk count, rungs] -> the encode tasks and their rungs
    ['one chunk, several rungs', 1, RUNGS],
    ['many chunks, one rung', 5, ['360p']],
    ['many chunks, several rungs', 40, RUNGS],
  ])('one encode task per chunk (%s), priorities growing with the chunk index', (_name, n, rungs) => {
    const chunks = Array.from({ length: n }, (_, i) => ({ index: i, start: i * 8, end: (i + 1) * 8 }));
    const video = expandPipeline(def, { chunks, rungNames: rungs, existing }).filter((s) => s.step === 'video');
    const split = rungs.length > 1;
    expect(video.length).toBe(n + (split ? 1 : 0));
    // every chunk is covered for every rung exactly once
    for (const c of chunks) {
      const rungsOfChunk = video.filter((s) => s.payload.chunk === c.index).flatMap((s) => s.payload.rungs as string[]);
      expect(rungsOfChunk.sort()).toEqual([...rungs].sort());
    }
    const plain = video.filter((s) => !s.key.includes(':'));
    expect(plain.map((s) => s.key)).toEqual(chunks.map((c) => `video#${c.index}`));
    for (let i = 1; i < plain.length; i++) expect(plain[i].priority).toBeGreaterThan(plain[i - 1].priority);
    if (split) {
      const fast = video.find((s) => s.key === `video#0:${rungs[0]}`)!;
      expect(fast).toMatchObject({ priority: 0, payload: { chunk: 0, rungs: [rungs[0]] } });
      // nothing in the whole expansion is more urgent than the fast-start task
      for (const s of expandPipeline(def, { chunks, rungNames: rungs, existing })) expect(s.priority).toBeGreaterThanOrEqual(0);
    } else {
      expect(video[0]).toMatchObject({ key: 'video#0', priority: 10, payload: { rungs } });
    }
  });

  it('does not split chunk 0 when fastStart is off', () => {
    const p = parseProfile({ ...(load('default') as object), video: { fastStart: false } });
    const video = expandPipeline(p, { chunks: CHUNKS, rungNames: RUNGS, existing }).filter((s) => s.step === 'video');
    expect(video.map((s) => [s.key, s.priority, s.payload.rungs])).toEqual([
      ['video#0', 10, RUNGS],
      ['video#1', 11, RUNGS],
      ['video#2', 12, RUNGS],
    ]);
    expect(expandPipeline(p, { chunks: CHUNKS, rungNames: RUNGS, existing }).find((s) => s.key === 'package')!.after).toEqual(['video#0', 'video#1', 'video#2', 'audio']);
  });

  it('repeats encode-chunk per extra codec after H.264, and joins wait for those keys too', () => {
    const specs = expandPipeline(def, { chunks: CHUNKS.slice(0, 2), rungNames: ['144p', '360p'], codecs: ['h264', 'av1'], existing });
    const video = specs.filter((s) => s.step === 'video');
    expect(video.map((s) => [s.key, s.priority, s.payload.codec ?? 'h264', s.payload.rungs])).toEqual([
      ['video.av1#0', 110, 'av1', ['144p', '360p']],
      ['video.av1#1', 111, 'av1', ['144p', '360p']],
      ['video#0:144p', 0, 'h264', ['144p']],
      ['video#0', 10, 'h264', ['360p']],
      ['video#1', 11, 'h264', ['144p', '360p']],
    ]);
    // every extra-codec task is less urgent than every H.264 task
    const worstH264 = Math.max(...video.filter((s) => !s.payload.codec).map((s) => s.priority));
    for (const s of video.filter((s) => s.payload.codec)) expect(s.priority).toBeGreaterThan(worstH264);
    expect(specs.find((s) => s.key === 'package')!.after).toEqual(['video.av1#0', 'video.av1#1', 'video#0:144p', 'video#0', 'video#1', 'audio']);
  });

  it('encodes only the extra codec when H.264 is not requested', () => {
    const specs = expandPipeline(def, { chunks: CHUNKS.slice(0, 2), rungNames: RUNGS, codecs: ['vp9'], existing });
    expect(specs.filter((s) => s.step === 'video').map((s) => s.key)).toEqual(['video.vp9#0', 'video.vp9#1']);
    expect(specs.find((s) => s.key === 'package')!.after).toEqual(['video.vp9#0', 'video.vp9#1', 'audio']);
  });

  it('a step added to the profile (a watermark pass between plan and packaging) appears without code changes', () => {
    const base = load('default') as { steps: Array<Record<string, unknown>> };
    const steps = base.steps.flatMap((s) => {
      if (s.id === 'plan') return [s, { id: 'watermark', kind: 'watermark', after: ['plan'], priority: 3, options: { image: 'logo.png' } }];
      if (s.id === 'package') return [{ ...s, after: ['video', 'audio', 'watermark'] }];
      return [s];
    });
    const p = parseProfile({ ...base, steps });
    expect(initialSteps(p).map((s) => s.key)).toEqual(['inspect', 'plan']);
    const specs = byKey(expandPipeline(p, { chunks: CHUNKS, rungNames: RUNGS, existing: ['inspect', 'plan'] }));
    expect(specs.get('watermark')).toEqual({ key: 'watermark', step: 'watermark', kind: 'watermark', after: ['plan', 'video#0:144p'], priority: 3, payload: { image: 'logo.png' } });
    expect(specs.get('package')!.after).toEqual(['video#0:144p', 'video#0', 'video#1', 'video#2', 'audio', 'watermark']);
  });

  it('a new per-chunk step depends on every key of a chunked step and is joined in turn', () => {
    const base = load('default') as { steps: Array<Record<string, unknown>> };
    const steps = base.steps.flatMap((s) => {
      if (s.id === 'video') return [s, { id: 'captions', kind: 'captions', after: ['video'], each: 'chunk', priority: 30 }];
      if (s.id === 'package') return [{ ...s, after: ['video', 'audio', 'captions'] }];
      return [s];
    });
    const specs = byKey(expandPipeline(parseProfile({ ...base, steps }), { chunks: CHUNKS, rungNames: ['360p'], existing }));
    expect(['captions#0', 'captions#1', 'captions#2'].map((k) => [k, specs.get(k)!.kind, specs.get(k)!.priority, specs.get(k)!.after])).toEqual([
      ['captions#0', 'captions', 30, ['video#0', 'video#1', 'video#2']],
      ['captions#1', 'captions', 31, ['video#0', 'video#1', 'video#2']],
      ['captions#2', 'captions', 32, ['video#0', 'video#1', 'video#2']],
    ]);
    expect(specs.get('package')!.after).toEqual(['video#0', 'video#1', 'video#2', 'audio', 'captions#0', 'captions#1', 'captions#2']);
  });

  it('expands the watermarked profile with the step options in every chunk payload', () => {
    const p = parseProfile(load('watermarked'));
    const video = expandPipeline(p, { chunks: CHUNKS, rungNames: RUNGS, existing: initialSteps(p).map((s) => s.key) }).filter((s) => s.step === 'video');
    expect(video).toHaveLength(4);
    for (const s of video) expect(s.payload.watermark).toEqual({ image: 'watermark.png', heightFraction: 0.1 });
  });
});
