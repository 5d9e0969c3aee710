/** HTTP routes for video metadata and status. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { VideosService } from './videos-service.js';
import type { TaskQueue } from '../processing/task-queue.js';
import { ErrorBody, VideoBody, VideoId, VideoMeta } from '../http/schemas.js';
import { requireUser } from '../http/auth.js';
import { AppError, notFound } from '../core/errors.js';
import { UPLOAD_PATH } from '../upload/tus-uploads.js';
import type { LivePlaylists } from '../streaming/live-playlists.js';
import type { PipelineService } from '../processing/pipeline-service.js';

const TaskBody = z.object({
  id: z.string(),
  key: z.string(),
  step: z.string(),
  kind: z.string(),
  state: z.string(),
  dependsOn: z.array(z.string()),
  priority: z.number(),
  attempts: z.number(),
  durationMs: z.number().nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

const iso = (ms: number | null) => (ms ? new Date(ms).toISOString() : null);

/** What the video routes need from the upload layer. */
export interface UploadsPort {
  remove(uploadId: string): Promise<void>;
  /** bytes received so far, or null when the upload is unknown or already finished */
  offset(uploadId: string): Promise<number | null>;
}

export function videosRoutes(videos: VideosService, queue: TaskQueue, uploads: UploadsPort, live: LivePlaylists, pipeline: PipelineService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/videos',
      {
        schema: {
          tags: ['videos'],
          summary: 'Create a video with its metadata; then upload its file with tus to upload.endpoint, passing videoId in Upload-Metadata',
          body: VideoMeta,
          response: { 201: z.object({ video: VideoBody, upload: z.object({ endpoint: z.string(), metadata: z.record(z.string(), z.string()) }) }), 400: ErrorBody, 401: ErrorBody },
        },
      },
      async (req, reply) => {
        const video = await videos.create(requireUser(req), req.body, req.id);
        return reply.status(201).send({ video, upload: { endpoint: UPLOAD_PATH, metadata: { videoId: video.id } } });
      },
    );

    app.get(
      '/api/videos',
      {
        schema: {
          tags: ['videos'],
          summary: 'Public, ready videos, newest first',
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).default(24), before: z.coerce.number().int().positive().optional() }),
          response: { 200: z.object({ items: z.array(VideoBody) }) },
        },
      },
      async (req) => ({ items: await videos.listPublic(req.query.limit, req.query.before) }),
    );

    app.get(
      '/api/channels/:channelId/videos',
      {
        schema: {
          tags: ['videos'],
          summary: "A channel's public, ready videos, newest first; pass `next` back as `before`",
          params: z.object({ channelId: z.string().uuid() }),
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).default(24), before: z.coerce.number().int().positive().optional() }),
          response: { 200: z.object({ items: z.array(VideoBody), next: z.string().nullable() }), 400: ErrorBody },
        },
      },
      async (req) => {
        const items = await videos.listChannel(req.params.channelId, req.query.limit, req.query.before);
        const last = items[items.length - 1];
        return { items, next: items.length === req.query.limit && last?.publishedAt ? String(Date.parse(last.publishedAt)) : null };
      },
    );

    app.get('/api/me/videos', { schema: { tags: ['videos'], summary: "The signed-in user's videos, every status", response: { 200: z.object({ items: z.array(VideoBody) }), 401: ErrorBody } } }, async (req) => ({
      items: await videos.listMine(requireUser(req)),
    }));

    app.get('/api/videos/:id', { schema: { tags: ['videos'], summary: 'One video with status, error reason and renditions', params: VideoId, response: { 200: VideoBody, 404: ErrorBody } } }, async (req) =>
      videos.getVisible(req.params.id, req.user),
    );

    app.patch(
      '/api/videos/:id',
      { schema: { tags: ['videos'], summary: 'Edit metadata (owner only)', params: VideoId, body: VideoMeta.partial(), response: { 200: VideoBody, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody } } },
      async (req) => videos.update(requireUser(req), req.params.id, req.body),
    );


    app.get(
      '/api/videos/:id/upload',
      {
        schema: {
          tags: ['upload'],
          summary: "The video's tus upload: URL to resume at and bytes received so far, from any device (owner only)",
          params: VideoId,
          response: { 200: z.object({ url: z.string(), size: z.number().nullable(), offset: z.number().nullable(), complete: z.boolean() }), 404: ErrorBody },
        },
      },
      async (req) => {
        const row = await videos.owned(requireUser(req), req.params.id);
        if (!row.upload_id) throw notFound('Upload');
        const complete = row.status !== 'uploading';
        return {
          url: `${UPLOAD_PATH}/${row.upload_id}`,
          size: row.upload_size,
          offset: complete ? row.upload_size : await uploads.offset(row.upload_id),
          complete,
        };
      },
    );

    app.get(
      '/api/videos/:id/tasks',
      {
        schema: {
          tags: ['processing'],
          summary: "The video's processing DAG: tasks with dependencies, state, attempts and timings (owner only)",
          params: VideoId,
          response: { 200: z.object({ items: z.array(TaskBody) }), 404: ErrorBody },
        },
      },
      async (req) => {
        await videos.owned(requireUser(req), req.params.id);
        const tasks = await queue.forVideo(req.params.id);
        return {
          items: tasks.map((t) => ({
            id: t.id,
            key: t.key,
            step: t.step,
            kind: t.kind,
            state: t.state,
            dependsOn: JSON.parse(t.deps) as string[],
            priority: t.priority,
            attempts: t.attempts,
            durationMs: t.started_at && t.finished_at ? t.finished_at - t.started_at : null,
            error: t.error,
            createdAt: iso(t.created_at)!,
            startedAt: iso(t.started_at),
            finishedAt: iso(t.finished_at),
          })),
        };
      },
    );

    app.post(
      '/api/videos/:id/tasks/:taskId/rerun',
      {
        schema: {
          tags: ['processing'],
          summary: 'Re-run a dead-lettered or failed task (owner only); the video returns to processing',
          params: z.object({ id: z.string().uuid(), taskId: z.string().uuid() }),
          response: { 202: z.object({ ok: z.boolean() }), 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (req, reply) => {
        await videos.owned(requireUser(req), req.params.id);
        const task = await queue.get(req.params.taskId);
        if (!task || task.video_id !== req.params.id) throw notFound('Task');
        if (!(await queue.rerun(task.id))) throw new AppError('not_rerunnable', 'Only failed or dead-lettered tasks can be re-run', 409);
        await videos.resumeProcessing(req.params.id);
        return reply.status(202).send({ ok: true });
      },
    );

    app.post(
      '/api/videos/:id/codecs',
      {
        schema: {
          tags: ['processing'],
          summary: 'Add VP9 or AV1 renditions to a published video (owner only); H.264 stays untouched and playable',
          params: VideoId,
          body: z.object({ codec: z.enum(['vp9', 'av1']) }),
          response: { 202: z.object({ tasks: z.number() }), 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (req, reply) => {
        const row = await videos.owned(requireUser(req), req.params.id);
        if (row.status !== 'ready') throw new AppError('not_ready', 'Codecs can be added once the video is published', 409);
        return reply.status(202).send({ tasks: await pipeline.addCodec(row.id, req.body.codec) });
      },
    );

    app.get(
      '/api/videos/:id/availability',
      {
        schema: {
          tags: ['streaming'],
          summary: 'Seconds of each rendition playable from the start (grows while processing) — lets players allow only rungs that exist',
          params: VideoId,
          response: { 200: z.object({ status: z.string(), playable: z.boolean(), rungs: z.record(z.string(), z.number()) }), 404: ErrorBody },
        },
      },
      async (req) => {
        const v = await videos.getVisible(req.params.id, req.user);
        const rungs = v.status === 'ready' ? Object.fromEntries(v.renditions.map((r) => [r.name, v.durationSec ?? 0])) : await live.availability(v.id);
        return { status: v.status, playable: v.playable, rungs };
      },
    );
  };
}
