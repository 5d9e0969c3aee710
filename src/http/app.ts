/**
 * The HTTP app factory: thin routes over the services. Tests call it without a socket (app.inject);
 * entry points call it and listen.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { AccountsService } from '../accounts/accounts-service.js';
import { accountsRoutes } from '../accounts/accounts-routes.js';
import type { VideosService } from '../catalog/videos-service.js';
import { videosRoutes } from '../catalog/videos-routes.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { MediaTools } from '../ports/media-runner.js';
import type { TaskQueue } from '../processing/task-queue.js';
import type { UploadsPort } from '../catalog/videos-routes.js';
import { registerMediaRoutes } from '../streaming/media-routes.js';
import type { LivePlaylists } from '../streaming/live-playlists.js';
import type { PipelineService } from '../processing/pipeline-service.js';
import { UPLOAD_PATH } from '../upload/tus-uploads.js';
import { registerPages } from '../web/pages-routes.js';
import { registerAuth } from './auth.js';
import { registerErrorHandler } from './errors.js';

export interface AppServices {
  accounts: AccountsService;
  videos: VideosService;
  queue: TaskQueue;
  blobs: BlobStore;
  tools: MediaTools;
  live: LivePlaylists;
  pipeline: PipelineService;
  tus: { handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): Promise<void> };
  uploads: UploadsPort;
  checkDatabase(): Promise<void>;
}

export interface AppOptions {
  logger: Logger;
  cookieSecure: boolean;
}

export async function buildApp(s: AppServices, opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: opts.logger as unknown as FastifyBaseLogger, bodyLimit: 1024 * 1024, trustProxy: true }).withTypeProvider<ZodTypeProvider>();
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
  registerAuth(app, s.accounts);

  await app.register(accountsRoutes(s.accounts, { cookieSecure: opts.cookieSecure }));
  await app.register(videosRoutes(s.videos, s.queue, s.uploads, s.live, s.pipeline));
  registerMediaRoutes(app, s.videos, s.blobs, s.live);

  // tus: hand the raw request to @tus/server, which reads the body itself
  app.addContentTypeParser('application/offset+octet-stream', (_req, _payload, done) => done(null));
  const tusHandler = async (req: any, reply: any) => {
    reply.hijack();
    await s.tus.handle(req.raw, reply.raw);
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
  await registerPages(app);
  return app;
}
