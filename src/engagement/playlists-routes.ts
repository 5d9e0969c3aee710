/** HTTP routes for playlists and Watch later. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, VideoBody, Visibility } from '../http/schemas.js';
import { requireUser } from '../http/auth.js';
import type { PlaylistsService } from './playlists-service.js';

const Summary = z.object({
  id: z.string(),
  kind: z.enum(['custom', 'watch_later']),
  title: z.string(),
  description: z.string(),
  visibility: Visibility,
  owner: z.object({ channelId: z.string(), handle: z.string(), name: z.string() }),
  itemCount: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const Playlist = Summary.extend({ items: z.array(z.object({ position: z.number(), video: VideoBody, addedAt: z.string() })) });
const Meta = z.object({ title: z.string().trim().min(1).max(150), description: z.string().max(5000).optional(), visibility: Visibility.optional() });
const PlaylistId = z.object({ id: z.string().uuid() });
const ItemParams = z.object({ id: z.string().uuid(), videoId: z.string().uuid() });
const Position = z.number().int().min(0).max(100_000);
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export function playlistsRoutes(playlists: PlaylistsService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/playlists',
      { schema: { tags: ['playlists'], summary: 'Create a playlist (private unless told otherwise)', body: Meta, response: { 201: Playlist, ...errors } } },
      async (req, reply) => reply.status(201).send(await playlists.create(requireUser(req), req.body)),
    );
    app.get(
      '/api/me/playlists',
      { schema: { tags: ['playlists'], summary: 'My playlists, Watch later first once it exists', response: { 200: z.object({ items: z.array(Summary) }), 401: ErrorBody } } },
      async (req) => ({ items: await playlists.listMine(requireUser(req)) }),
    );
    app.get(
      '/api/me/watch-later',
      { schema: { tags: ['playlists'], summary: 'My Watch later playlist (created on first use); add and remove with the playlist item routes', response: { 200: Playlist, 401: ErrorBody } } },
      async (req) => playlists.watchLater(requireUser(req)),
    );
    app.get(
      '/api/channels/:channelId/playlists',
      { schema: { tags: ['playlists'], summary: "A channel's public playlists", params: z.object({ channelId: z.string().uuid() }), response: { 200: z.object({ items: z.array(Summary) }), 400: ErrorBody } } },
      async (req) => ({ items: await playlists.listChannel(req.params.channelId) }),
    );
    app.get(
      '/api/playlists/:id',
      { schema: { tags: ['playlists'], summary: 'A playlist with its videos in order (private ones: owner only)', params: PlaylistId, response: { 200: Playlist, 400: ErrorBody, 404: ErrorBody } } },
      async (req) => playlists.get(req.user, req.params.id),
    );
    app.patch(
      '/api/playlists/:id',
      { schema: { tags: ['playlists'], summary: 'Rename, describe or change visibility (owner)', params: PlaylistId, body: Meta.partial(), response: { 200: Playlist, ...errors } } },
      async (req) => playlists.update(requireUser(req), req.params.id, req.body),
    );
    app.delete(
      '/api/playlists/:id',
      { schema: { tags: ['playlists'], summary: 'Delete a playlist (owner; not Watch later)', params: PlaylistId, response: { 204: z.null(), ...errors } } },
      async (req, reply) => {
        await playlists.delete(requireUser(req), req.params.id);
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/api/playlists/:id/items',
      {
        schema: {
          tags: ['playlists'],
          summary: 'Add a video at `position` (0-based; default the end). Adding a video already in the list moves it',
          params: PlaylistId,
          body: z.object({ videoId: z.string().uuid(), position: Position.optional() }),
          response: { 200: Playlist, ...errors },
        },
      },
      async (req) => playlists.add(requireUser(req), req.params.id, req.body.videoId, req.body.position),
    );
    app.put(
      '/api/playlists/:id/items/:videoId',
      { schema: { tags: ['playlists'], summary: 'Move a video to `position` (0-based)', params: ItemParams, body: z.object({ position: Position }), response: { 200: Playlist, ...errors } } },
      async (req) => playlists.move(requireUser(req), req.params.id, req.params.videoId, req.body.position),
    );
    app.delete(
      '/api/playlists/:id/items/:videoId',
      { schema: { tags: ['playlists'], summary: 'Remove a video from the playlist', params: ItemParams, response: { 200: Playlist, ...errors } } },
      async (req) => playlists.remove(requireUser(req), req.params.id, req.params.videoId),
    );
  };
}
