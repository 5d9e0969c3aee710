/** Admin API of storage tiering: bytes by tier, per-video tiers, and running the policy now. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, VideoId } from '../http/schemas.js';
import { requireUser } from '../http/auth.js';
import { forbidden } from '../core/errors.js';
import type { CurrentUser } from '../accounts/accounts-service.js';
import type { TieringService } from './tiering-service.js';

const Tiers = z.enum(['hot', 'cold', 'dropped', 'restoring']);
const TierTotal = z.object({ bytes: z.number(), renditions: z.number() });
const Policy = z.object({ kind: z.enum(['off', 'cold', 'drop-top']), idleDays: z.number(), minViews: z.number(), dropRungs: z.number(), keepRungs: z.number(), recreateAfterViews: z.number().optional() });
const Move = z.object({ videoId: z.string(), rendition: z.string(), kind: z.string(), from: z.string(), to: z.string(), bytes: z.number(), ok: z.boolean(), error: z.string().optional() });
const RunSummary = z.object({ at: z.number(), policy: z.string(), inventoried: z.number(), bytesToCold: z.number(), bytesDropped: z.number(), ms: z.number() });
const Report = z.object({
  policy: Policy,
  coldStore: z.string(),
  tiers: z.object({ hot: TierTotal, cold: TierTotal, dropped: TierTotal, restoring: TierTotal }),
  byKind: z.array(z.object({ tier: z.string(), kind: z.string(), bytes: z.number(), renditions: z.number() })),
  videos: z.object({ ready: z.number(), inventoried: z.number() }),
  recreations: z.object({ total: z.number(), fromSource: z.number(), fromRendition: z.number() }),
  lastRun: RunSummary.extend({ moves: z.number(), failed: z.number() }).nullable(),
});
const VideoTier = z.object({
  rendition: z.string(),
  kind: z.string(),
  codec: z.string().nullable(),
  tier: Tiers,
  bytes: z.number(),
  files: z.number(),
  changedAt: z.string(),
  lastAccessAt: z.string().nullable(),
  recreations: z.number(),
  recreatedFrom: z.string().nullable(),
});

export function tieringRoutes(tiering: TieringService, adminEmails: string[]): FastifyPluginAsyncZod {
  const admins = new Set(adminEmails.map((e) => e.toLowerCase()));
  const requireAdmin = (user: CurrentUser) => {
    if (!admins.has(user.email.toLowerCase())) throw forbidden('Only site admins can do this');
  };
  return async (app) => {
    app.get(
      '/api/admin/storage',
      { schema: { tags: ['admin'], summary: 'Bytes of renditions and kept sources by storage tier (hot, cold, dropped = freed, re-created on demand), and the tiering policy (admins)', response: { 200: Report, 401: ErrorBody, 403: ErrorBody } } },
      async (req) => {
        requireAdmin(requireUser(req));
        return tiering.report();
      },
    );
    app.get(
      '/api/admin/storage/videos/:id',
      { schema: { tags: ['admin'], summary: "Where each rendition of a video is stored (admins)", params: VideoId, response: { 200: z.object({ items: z.array(VideoTier) }), 401: ErrorBody, 403: ErrorBody } } },
      async (req) => {
        requireAdmin(requireUser(req));
        const rows = await tiering.store.forVideo(req.params.id);
        return {
          items: rows.map((r) => ({
            rendition: r.rendition,
            kind: r.kind,
            codec: r.codec,
            tier: r.tier,
            bytes: Number(r.bytes),
            files: Number(r.files),
            changedAt: new Date(Number(r.changed_at)).toISOString(),
            lastAccessAt: r.last_access_at === null ? null : new Date(Number(r.last_access_at)).toISOString(),
            recreations: Number(r.recreations),
            recreatedFrom: r.recreated_from,
          })),
        };
      },
    );
    app.post(
      '/api/admin/storage/tiering',
      {
        schema: {
          tags: ['admin'],
          summary: 'Apply the tiering policy now (it also runs every TIERING_INTERVAL_MINUTES in workers); dryRun lists the moves only (admins)',
          body: z.object({ dryRun: z.boolean().default(false) }).default({ dryRun: false }),
          response: { 200: RunSummary.extend({ moves: z.array(Move) }), 401: ErrorBody, 403: ErrorBody },
        },
      },
      async (req) => {
        requireAdmin(requireUser(req));
        return tiering.run({ dryRun: req.body.dryRun });
      },
    );
  };
}
