/**
 * Pipeline profiles and DAG planning. Pure.
 *
 * A profile (JSON, see pipelines/default.json) lists steps with their kind and dependencies. Steps marked
 * `each: "chunk"` expand to one task per chunk; the first chunk can additionally be split so the lowest rung
 * is encoded on its own first ("first playable" fast path). The scheduler only sees tasks and edges, so a new
 * step (a watermark, a captions pass) is a profile change.
 */
import { z } from 'zod';
import type { Chunk } from './chunks.js';

export const StepSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/),
  kind: z.string().min(1),
  after: z.array(z.string()).default([]),
  each: z.enum(['once', 'chunk']).default('once'),
  priority: z.number().int().min(0).max(1000).default(100),
  options: z.record(z.string(), z.unknown()).default({}),
});

export const ProfileSchema = z
  .object({
    name: z.string().min(1),
    chunkSeconds: z.number().min(2).max(600).default(8),
    firstChunkSeconds: z.number().min(1).max(60).default(2),
    segmentSeconds: z.number().int().min(1).max(10).default(2),
    video: z
      .object({
        preset: z.string().default('veryfast'),
        crf: z.number().min(0).max(51).default(23),
        /** encode the lowest rung of the first chunk as its own task, before anything else */
        fastStart: z.boolean().default(true),
        codecs: z.array(z.enum(['h264', 'vp9', 'av1'])).default(['h264']),
      })
      .default({ preset: 'veryfast', crf: 23, fastStart: true, codecs: ['h264'] }),
    audio: z.object({ bitrateKbps: z.number().int().min(32).max(512).default(128) }).default({ bitrateKbps: 128 }),
    steps: z.array(StepSchema).min(1),
  })
  .superRefine((p, ctx) => {
    const ids = new Set<string>();
    for (const s of p.steps) {
      if (ids.has(s.id)) ctx.addIssue({ code: 'custom', message: `duplicate step id ${s.id}` });
      for (const a of s.after) if (!ids.has(a)) ctx.addIssue({ code: 'custom', message: `step ${s.id} runs after unknown or later step ${a}` });
      ids.add(s.id);
    }
  });

export type Profile = z.infer<typeof ProfileSchema>;
export type Step = z.infer<typeof StepSchema>;

export function parseProfile(json: unknown): Profile {
  const r = ProfileSchema.safeParse(json);
  if (!r.success) throw new Error(`invalid pipeline profile: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** A task to create: `key` is unique within a video; `after` lists keys. */
export interface TaskSpec {
  key: string;
  step: string;
  kind: string;
  after: string[];
  priority: number;
  payload: Record<string, unknown>;
}

export interface ExpandInput {
  chunks: Chunk[];
  rungNames: string[];
  /** video codecs to encode; chunked steps of kind encode-chunk are repeated per codec (H.264 keeps plain keys) */
  codecs?: string[];
  /** steps already created before planning (e.g. inspect, plan): they are not re-emitted, but can be depended on */
  existing: string[];
}

/**
 * The steps a new upload starts with: every step up to and including the first `plan` kind (which expands the rest).
 */
export function initialSteps(profile: Profile): TaskSpec[] {
  const planIdx = profile.steps.findIndex((s) => s.kind === 'plan');
  const head = planIdx >= 0 ? profile.steps.slice(0, planIdx + 1) : profile.steps;
  return head.map((s) => ({ key: s.id, step: s.id, kind: s.kind, after: s.after, priority: s.priority, payload: { ...s.options } }));
}

/** Expand the steps after planning into tasks, now that the chunks and rungs are known. */
export function expandPipeline(profile: Profile, input: ExpandInput): TaskSpec[] {
  const existing = new Set(input.existing);
  const keysOfStep = new Map<string, string[]>();
  for (const id of existing) keysOfStep.set(id, [id]);
  const specs: TaskSpec[] = [];
  for (const step of profile.steps) {
    if (existing.has(step.id)) continue;
    const after = step.after.flatMap((a) => keysOfStep.get(a) ?? []);
    const keys: string[] = [];
    if (step.each === 'chunk') {
      const codecs = step.kind === 'encode-chunk' ? (input.codecs ?? ['h264']) : ['h264'];
      for (const codec of codecs.filter((c) => c !== 'h264')) {
        for (const c of input.chunks) {
          const key = `${step.id}.${codec}#${c.index}`;
          // extra codecs run after every H.264 chunk of the same index was queued: they never delay first playback
          specs.push({ key, step: step.id, kind: step.kind, after, priority: step.priority + 100 + c.index, payload: { chunk: c.index, start: c.start, end: c.end, codec, ...step.options, rungs: input.rungNames } });
          keys.push(key);
        }
      }
      if (!codecs.includes('h264')) {
        keysOfStep.set(step.id, keys);
        continue;
      }
      for (const c of input.chunks) {
        const base = { chunk: c.index, start: c.start, end: c.end, ...step.options };
        // first chunks first: priority grows with the chunk index
        const priority = step.priority + c.index;
        if (c.index === 0 && profile.video.fastStart && input.rungNames.length > 1) {
          const [lowest, ...rest] = input.rungNames;
          specs.push({ key: `${step.id}#0:${lowest}`, step: step.id, kind: step.kind, after, priority: 0, payload: { ...base, rungs: [lowest] } });
          specs.push({ key: `${step.id}#0`, step: step.id, kind: step.kind, after, priority, payload: { ...base, rungs: rest } });
          keys.push(`${step.id}#0:${lowest}`, `${step.id}#0`);
        } else {
          specs.push({ key: `${step.id}#${c.index}`, step: step.id, kind: step.kind, after, priority, payload: { ...base, rungs: input.rungNames } });
          keys.push(`${step.id}#${c.index}`);
        }
      }
    } else {
      specs.push({ key: step.id, step: step.id, kind: step.kind, after, priority: step.priority, payload: { ...step.options } });
      keys.push(step.id);
    }
    keysOfStep.set(step.id, keys);
  }
  // the fast-start chunk runs with the machine to itself (and the audio pass, which playback also needs): the
  // other tasks that would start with it wait for it, so a second worker does not slow the first playable seconds
  const fastStart = specs.find((s) => s.priority === 0 && s.kind === 'encode-chunk');
  const startsWith = (s: TaskSpec) => fastStart && s.after.every((d) => fastStart.after.includes(d));
  if (fastStart) for (const s of specs) if (s !== fastStart && s.priority > FAST_LANE_PRIORITY && startsWith(s)) s.after = [...s.after, fastStart.key];
  return specs;
}

/** tasks at or below this priority are what first playback needs (the fast-start chunk, the audio pass) */
export const FAST_LANE_PRIORITY = 1;
