/**
 * The HTTP app factory: thin routes over the services. Tests call it without a socket (app.inject);
 * entry points call it and listen.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { AccountsService } from '../accounts/accounts-service.js';
import { accountsRoutes } from '../accounts/accounts-routes.js';
import type { RateLimiter } from '../ports/rate-limiter.js';
import type { CaptionsService } from '../captions/captions-service.js';
import { captionsRoutes } from '../captions/captions-routes.js';
import type { ErasureService } from '../erasure/erasure-service.js';
import type { AuditLog } from '../erasure/audit-log.js';
import { erasureRoutes } from '../erasure/erasure-routes.js';
import { handleTus, type TusExtras, type TusWebServer } from '../upload/tus-http.js';
import type { ModerationService } from '../moderation/moderation-service.js';
import { moderationRoutes } from '../moderation/moderation-routes.js';
import type { VideosService } from '../catalog/videos-service.js';
import { videosRoutes } from '../catalog/videos-routes.js';
import type { ThumbnailsService } from '../catalog/thumbnails-service.js';
import { thumbnailsRoutes } from '../catalog/thumbnails-routes.js';
import type { ProgressEvents } from '../catalog/progress-events.js';
import { progressRoutes } from '../catalog/progress-routes.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { MediaTools } from '../ports/media-runner.js';
import type { TaskQueue } from '../processing/task-queue.js';
import type { UploadsPort } from '../catalog/videos-routes.js';
import { registerMediaRoutes, type MediaTiers } from '../streaming/media-routes.js';
import type { LivePlaylists } from '../streaming/live-playlists.js';
import type { PlaybackService } from '../streaming/playback-service.js';
import { playbackRoutes } from '../streaming/playback-routes.js';
import type { PipelineService } from '../processing/pipeline-service.js';
import { TRACE_HEADER, UPLOAD_PATH } from '../upload/tus-uploads.js';
import { uploadRoutes } from '../upload/upload-routes.js';
import type { UploadPolicy } from '../upload/upload-policy.js';
import type { UploadGrants } from '../upload/upload-grants.js';
import type { Dedup } from '../upload/dedup.js';
import type { Metrics } from '../ops/metrics.js';
import { opsRoutes } from '../ops/ops-routes.js';
import { registerPages } from '../web/pages-routes.js';
import { registerAuth } from './auth.js';
import { frameworkErrors, registerErrorHandler } from './errors.js';
import { engagementRoutes, type Engagement } from '../engagement/engagement.js';
import { discoveryRoutes } from '../discovery/discovery-routes.js';
import type { Discovery } from '../discovery/discovery.js';

export interface AppServices {
  accounts: AccountsService;
  videos: VideosService;
  queue: TaskQueue;
  blobs: BlobStore;
  tools: MediaTools;
  uploadApi: { policy: UploadPolicy; grants: UploadGrants; dedup: Dedup };
  metrics: Metrics;
  live: LivePlaylists;
  progress: ProgressEvents;
  playback: PlaybackService;
  pipeline: PipelineService;
  tus: TusWebServer;
  tusExtras: TusExtras;
  uploads: UploadsPort;
  checkDatabase(): Promise<void>;
  engagement: Engagement;
  discovery: Discovery;
  limiter: RateLimiter;
  captions: CaptionsService;
  thumbnails: ThumbnailsService;
  erasure: ErasureService;
  audit: AuditLog;
  moderation: ModerationService;
  /** storage tiering: files of cold renditions, manifests without dropped ones (src/tiering) */
  tiering?: MediaTiers;
}

export interface AppOptions {
  logger: Logger;
  cookieSecure: boolean;
  loginAttemptsPerMinute: number | (() => Promise<number>);
  /** serve HTTPS (PEM certificate chain and key) */
  https?: { cert: Buffer; key: Buffer } | null;
  /** edges re-fetch with this secret to purge (EDGE_PURGE_SECRET) */
  edgePurgeSecret?: string | null;
}

/** The caller's correlation id (X-Request-Id) when it is a sane token, else a new one; logged as traceId. */
function requestId(req: { headers: Record<string, string | string[] | undefined> }): string {
  const given = req.headers[TRACE_HEADER];
  return typeof given === 'string' && /^[A-Za-z0-9._:-]{8,128}$/.test(given) ? given : randomUUID();
}

export async function buildApp(s: AppServices, opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: opts.logger as unknown as FastifyBaseLogger, bodyLimit: 1024 * 1024, trustProxy: true, frameworkErrors, genReqId: requestId, requestIdHeader: false, logController: new LogController({ requestIdLogLabel: 'traceId' }), ...(opts.https ? { https: opts.https } : {}) }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Reel API', version: '0.1.0', description: 'Self-hosted video platform. Authenticate with the session cookie or `Authorization: Bearer <token>`.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, cookie: { type: 'apiKey', in: 'cookie', name: 'reel_session' } } },
    },
    transform: jsonSchemaTransform,
  });
  registerErrorHandler(app);
  app.addHook('onResponse', async (req, reply) => {
    s.metrics.httpDuration.observe({ route: req.routeOptions.url ?? 'unmatched', method: req.method, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  registerAuth(app, s.accounts);

  await app.register(accountsRoutes(s.accounts, { cookieSecure: opts.cookieSecure, limiter: s.limiter, loginAttemptsPerMinute: opts.loginAttemptsPerMinute }));
  await app.register(videosRoutes(s.videos, s.queue, s.uploads, s.live, s.pipeline));
  await app.register(opsRoutes(s.metrics));
  await app.register(uploadRoutes(s.uploadApi.grants, s.uploadApi.policy, s.uploadApi.dedup, s.videos));
  registerMediaRoutes(app, s.playback, s.blobs, s.live, opts.edgePurgeSecret ?? null, s.tiering ?? null);
  await app.register(playbackRoutes(s.playback));
  await app.register(engagementRoutes(s.engagement));
  await app.register(captionsRoutes(s.captions));
  await app.register(thumbnailsRoutes(s.thumbnails));
  await app.register(progressRoutes(s.videos, s.progress));
  await app.register(erasureRoutes(s.erasure, s.audit));
  await app.register(moderationRoutes(s.moderation));
  await app.register(discoveryRoutes(s.discovery));

  // tus: the raw request goes to @tus/server (through the checksum extension), which reads the body itself
  app.addContentTypeParser('application/offset+octet-stream', (_req, _payload, done) => done(null));
  const tusHandler = async (req: any, reply: any) => {
    reply.hijack();
    req.raw.headers[TRACE_HEADER] = req.id; // the upload's hooks read the correlation id from here
    await handleTus(s.tus, s.tusExtras, req.raw, reply.raw);
  };
  for (const url of [UPLOAD_PATH, `${UPLOAD_PATH}/*`]) {
    app.route({ method: ['POST', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS', 'GET'], url, schema: { hide: true }, handler: tusHandler });
  }

  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const checks: Record<string, string> = {};
    await s.checkDatabase().then(() => (checks.database = 'ok'), (e) => (checks.database = String(e.message)));
    await s.blobs.list('readyz-probe/').then(() => (checks.blobs = 'ok'), (e) => (checks.blobs = String(e.message)));
    checks.ffmpeg = `${s.tools.origin} ${s.tools.version}`;
    const ok = checks.database === 'ok' && checks.blobs === 'ok';
    return reply.status(ok ? 200 : 503).send({ ok, checks });
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await registerPages(app, s.playback);
  return app;
}
