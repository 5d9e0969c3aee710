/** HTTP routes for view reports, counts, creator analytics and the exact recount. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, VideoId } from '../http/schemas.js';
import { requireUser } from '../http/auth.js';
import type { ViewsService } from './views-service.js';
import type { RatingsService } from './ratings-service.js';
import type { HistoryService } from './history-service.js';

/** cookie the web player may keep its anonymous viewer id in (the body field wins) */
export const VIEWER_COOKIE = 'reel_viewer';
const ViewerIdRe = /^[A-Za-z0-9_-]{8,64}$/;

const ViewReportBody = z.object({
  viewerId: z.string().regex(ViewerIdRe, 'viewerId must be 8-64 letters, digits, _ or -').optional(),
  event: z.enum(['start', 'heartbeat', 'end']).default('heartbeat'),
  watchSeconds: z.number().min(0).max(86_400),
  positionSec: z.number().min(0).max(7 * 86_400).optional(),
});

const StatsBody = z.object({
  views: z.number(),
  likes: z.number(),
  dislikes: z.number(),
  myRating: z.enum(['like', 'dislike']).nullable(),
  resumePositionSec: z.number().nullable(),
});

const AnalyticsBody = z.object({
  totalViews: z.number(),
  from: z.string(),
  to: z.string(),
  hours: z.array(z.object({ hour: z.string(), views: z.number() })),
  countries: z.array(z.object({ country: z.string(), views: z.number() })),
  devices: z.array(z.object({ device: z.string(), views: z.number() })),
});

export function viewsRoutes(views: ViewsService, ratings: RatingsService, history: HistoryService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/videos/:id/views',
      {
        schema: {
          tags: ['engagement'],
          summary:
            'Player playback report (start, heartbeats, end) with the seconds watched so far. A view counts once per viewer (account, else viewerId/cookie + IP, else IP + user agent) per video per clock hour, after 10 s or 30% of a short video. Answered once durably written. Signed-in viewers: positionSec is the resume position.',
          params: VideoId,
          body: ViewReportBody,
          response: { 200: z.object({ counted: z.boolean(), minWatchSeconds: z.number() }), 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (req) => {
        const anonId = req.body.viewerId ?? (ViewerIdRe.test(req.cookies?.[VIEWER_COOKIE] ?? '') ? req.cookies[VIEWER_COOKIE] : null);
        return views.report(
          req.params.id,
          { user: req.user, anonId, ip: req.ip, userAgent: req.headers['user-agent'], countryHeader: req.headers['cf-ipcountry'] ?? req.headers['x-country'] },
          { event: req.body.event, watchSeconds: req.body.watchSeconds, positionSec: req.body.positionSec },
        );
      },
    );

    app.get(
      '/api/videos/:id/stats',
      {
        schema: {
          tags: ['engagement'],
          summary: 'View count (lags acknowledged views by at most one batch), likes, dislikes; for the signed-in viewer their rating and resume position',
          params: VideoId,
          response: { 200: StatsBody, 400: ErrorBody, 404: ErrorBody },
        },
      },
      async (req) => {
        const id = req.params.id;
        await views.visible(id, req.user);
        const [count, r] = await Promise.all([views.count(id), ratings.counts(id)]);
        const user = req.user;
        return {
          views: count,
          ...r,
          myRating: user ? await ratings.mine(user.id, id) : null,
          resumePositionSec: user ? await history.resumePosition(user.id, id) : null,
        };
      },
    );

    app.get(
      '/api/videos/:id/analytics',
      {
        schema: {
          tags: ['engagement'],
          summary: 'Creator analytics (owner only): views per hour over the last `days` days (default 30; hours without views are left out), and by country and device class over that period',
          params: VideoId,
          querystring: z.object({ days: z.coerce.number().int().min(1).max(90).default(30) }),
          response: { 200: AnalyticsBody, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (req) => views.analytics(requireUser(req), req.params.id, req.query.days),
    );

    app.post(
      '/api/videos/:id/views/recount',
      {
        schema: {
          tags: ['engagement'],
          summary: 'Exact recount from the view log (owner only): rewrites the counters and hourly roll-ups; returns the count before and after',
          params: VideoId,
          response: { 200: z.object({ before: z.number(), after: z.number() }), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (req) => views.recount(requireUser(req), req.params.id),
    );
  };
}
