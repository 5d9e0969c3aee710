/**
 * Serves the web app: the Vite build in web/dist (see web/build.mjs). Hashed assets under /assets/ are immutable;
 * every app path (client-side routes) answers with index.html. Also the vendored browser libraries under /vendor/.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

const require = createRequire(import.meta.url);
export const WEB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/** Client-side routes of the app (web/src/app.tsx); anything else stays a 404. */
export const APP_ROUTES = [
  '/',
  '/watch/:id',
  '/upload',
  '/studio',
  '/login',
  '/signup',
  '/channel/:handle',
  '/@:handle',
  '/search',
  '/history',
  '/playlists',
  '/playlist/:id',
  '/notifications',
  '/subscriptions',
  '/trending',
  '/tv',
  '/tv/watch/:id',
  '/admin',
];

export async function registerPages(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, {
    root: join(WEB_ROOT, 'assets'),
    prefix: '/assets/',
    wildcard: true,
    index: false,
    immutable: true,
    maxAge: 365 * 24 * 3600_000,
  });
  await app.register(fastifyStatic, {
    root: [dirname(require.resolve('hls.js/dist/hls.min.js')), dirname(require.resolve('tus-js-client/dist/tus.min.js')), dirname(require.resolve('dashjs/dist/dash.all.min.js'))],
    prefix: '/vendor/',
    decorateReply: false,
    allowedPath: (path) => path === '/hls.min.js' || path === '/tus.min.js' || path === '/dash.all.min.js',
    maxAge: 3600_000,
  });
  const index = async (_req: unknown, reply: FastifyReply) => {
    if (!existsSync(join(WEB_ROOT, 'index.html'))) {
      return reply.status(503).type('text/plain; charset=utf-8').send('The web app is not built yet: run `npm run build:web` (npm start does it).');
    }
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').sendFile('index.html', WEB_ROOT);
  };
  for (const path of APP_ROUTES) app.get(path, { schema: { hide: true } }, index);
}
