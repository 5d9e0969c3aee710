/** Serves the web app (static HTML + ES modules from /web) and the browser libraries it loads. */
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);
export const WEB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../web');

export async function registerPages(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, { root: WEB_ROOT, prefix: '/', index: ['index.html'], wildcard: false, cacheControl: true, maxAge: 0 });
  await app.register(fastifyStatic, {
    root: [dirname(require.resolve('hls.js/dist/hls.min.js')), dirname(require.resolve('tus-js-client/dist/tus.min.js'))],
    prefix: '/vendor/',
    decorateReply: false,
    allowedPath: (path) => path === '/hls.min.js' || path === '/tus.min.js',
    maxAge: 3600_000,
  });
  const page = (file: string) => async (_req: unknown, reply: any) => reply.type('text/html; charset=utf-8').sendFile(file, WEB_ROOT);
  app.get('/watch/:id', { schema: { hide: true } }, page('watch.html'));
  app.get('/upload', { schema: { hide: true } }, page('upload.html'));
  app.get('/studio', { schema: { hide: true } }, page('studio.html'));
  app.get('/login', { schema: { hide: true } }, page('login.html'));
}

export const webPath = (file: string) => join(WEB_ROOT, file);
