/** zod schemas shared by routes; they validate requests and generate the OpenAPI document. */
import { z } from 'zod';

export const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });

export const Visibility = z.enum(['public', 'unlisted', 'private']);

export const Tags = z.array(z.string().trim().min(1).max(40)).max(30);

export const VideoMeta = z.object({
  title: z.string().trim().min(1).max(200),
  description: z.string().max(5000).optional(),
  tags: Tags.optional(),
  visibility: Visibility.optional(),
});

export const RenditionBody = z.object({
  name: z.string(),
  codec: z.enum(['h264', 'vp9', 'av1']).optional(),
  width: z.number(),
  height: z.number(),
  fps: z.number(),
  codecs: z.string(),
  bandwidth: z.number(),
  averageBandwidth: z.number(),
  playlist: z.string(),
});

export const VideoBody = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  visibility: Visibility,
  status: z.enum(['uploading', 'processing', 'ready', 'failed', 'removed']),
  playable: z.boolean(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  progress: z.number(),
  durationSec: z.number().nullable(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  channel: z.object({ id: z.string(), handle: z.string(), name: z.string() }),
  renditions: z.array(RenditionBody),
  hlsUrl: z.string().nullable(),
  manifests: z.object({ h264: z.string().optional(), vp9: z.string().optional(), av1: z.string().optional() }),
  storyboardUrl: z.string().nullable(),
  thumbnailUrl: z.string().nullable(),
  watchUrl: z.string(),
  createdAt: z.string(),
  publishedAt: z.string().nullable(),
  viewCount: z.number(),
});

export const UserBody = z.object({
  id: z.string(),
  email: z.string(),
  channel: z.object({ id: z.string(), handle: z.string(), name: z.string() }),
});

export const VideoId = z.object({ id: z.string().uuid() });
