/**
 * HTTP routes of discovery: search, autocomplete, home feed, "up next", trending. Anonymous viewers are welcome
 * everywhere; they are told apart (for "already watched") by the same key the view counter uses: the player's
 * anonymous id (`viewerId` query or `reel_viewer` cookie) with the IP, else IP + user agent.
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { ErrorBody, VideoBody, VideoId } from '../http/schemas.js';
import { viewerKey } from '../core/view-rules.js';
import { MAX_QUERY_CHARS } from '../core/search-query.js';
import { VIEWER_COOKIE } from '../engagement/views-routes.js';
import type { Discovery } from './discovery.js';
import type { RecViewer } from './recommendations-service.js';

const ViewerIdRe = /^[A-Za-z0-9_-]{8,64}$/;
const viewerId = z.string().regex(ViewerIdRe, 'viewerId must be 8-64 letters, digits, _ or -').optional().describe("the player's anonymous viewer id (else the reel_viewer cookie)");
const limit = (d: number) => z.coerce.number().int().min(1).max(50).default(d);

const SearchQuery = z.object({
  q: z.string().trim().min(1).max(MAX_QUERY_CHARS).describe('web-search syntax: words (all must match), "a phrase", -excluded, a OR b'),
  channel: z.string().uuid().optional().describe('only this channel (id)'),
  duration: z.enum(['short', 'medium', 'long']).optional().describe('short < 4 min, medium 4-20 min, long > 20 min'),
  uploaded: z.enum(['hour', 'today', 'week', 'month', 'year']).optional().describe('published within the last …'),
  sort: z.enum(['relevance', 'newest', 'views']).default('relevance'),
  limit: limit(20),
  offset: z.coerce.number().int().min(0).max(500).default(0),
});

const Parts = z.object({ text: z.number(), popularity: z.number(), freshness: z.number() });
const SearchBody = z.object({
  items: z.array(z.object({ video: VideoBody, score: z.number(), parts: Parts.describe('weighted parts of the score') })),
  correctedQuery: z.string().nullable().describe('set when the query matched nothing as typed and was spell-corrected'),
});

const SuggestQuery = z.object({ q: z.string().min(2).max(100).describe('what the user typed so far (2 characters at least)'), limit: z.coerce.number().int().min(1).max(20).default(8) });
const SuggestBody = z.object({ suggestions: z.array(z.object({ text: z.string(), kind: z.enum(['query', 'title']), videoId: z.string().nullable() })) });

const Reason = z.object({
  source: z.enum(['cowatch', 'similar', 'sameChannel', 'subscribed', 'trending', 'popularity', 'freshness']),
  value: z.number().describe('the feature, 0..1'),
  weight: z.number(),
  contribution: z.number().describe('value × weight; the score is their sum'),
});
const RecBody = z.object({
  items: z.array(z.object({ video: VideoBody, score: z.number(), reasons: z.array(Reason) })),
  degraded: z.array(z.string()).describe('candidate sources that failed or missed the latency budget'),
  fallback: z.boolean().describe('true when the list is only popular videos: no candidate source produced anything for this viewer'),
});
const RecQuery = z.object({ limit: limit(12), viewerId });

function viewer(req: FastifyRequest, anonId: string | undefined): RecViewer {
  const cookie = req.cookies?.[VIEWER_COOKIE];
  const anon = anonId ?? (cookie && ViewerIdRe.test(cookie) ? cookie : null);
  return { userId: req.user?.id ?? null, viewerKey: viewerKey({ userId: req.user?.id, anonId: anon, ip: req.ip, userAgent: req.headers['user-agent'] }) };
}

export function discoveryRoutes(d: Discovery): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/search',
      { schema: { tags: ['discovery'], summary: 'Search public videos by title, description, tags, channel and captions; ranked by relevance, views and freshness', querystring: SearchQuery, response: { 200: SearchBody, 400: ErrorBody } } },
      async (req) => d.search.search({ ...req.query, channelId: req.query.channel }),
    );
    app.get(
      '/api/search/suggestions',
      { schema: { tags: ['discovery'], summary: 'Autocomplete: popular queries and video titles starting with what was typed', querystring: SuggestQuery, response: { 200: SuggestBody, 400: ErrorBody } } },
      async (req) => ({ suggestions: await d.search.autocomplete(req.query.q, req.query.limit) }),
    );
    app.get(
      '/api/feed/home',
      { schema: { tags: ['discovery'], summary: 'Home feed: recommendations for this viewer (signed in or not), with the reasons of each score', querystring: RecQuery, response: { 200: RecBody, 400: ErrorBody } } },
      async (req) => d.recommendations.home(viewer(req, req.query.viewerId), req.query.limit),
    );
    app.get(
      '/api/videos/:id/up-next',
      { schema: { tags: ['discovery'], summary: '"Up next" for a video: what to watch after it, with the reasons of each score', params: VideoId, querystring: RecQuery, response: { 200: RecBody, 400: ErrorBody, 404: ErrorBody } } },
      async (req) => d.recommendations.upNext(req.params.id, req.user, viewer(req, req.query.viewerId), req.query.limit),
    );
    app.get(
      '/api/trending',
      {
        schema: {
          tags: ['discovery'],
          summary: 'Trending: views velocity over the last hours (recent hours weigh more)',
          querystring: z.object({ limit: limit(20) }),
          response: { 200: z.object({ items: z.array(z.object({ video: VideoBody, score: z.number().describe('decayed views of the last 48 hours') })) }), 400: ErrorBody },
        },
      },
      async (req) => ({ items: await d.trendingVideos(req.query.limit) }),
    );
  };
}
