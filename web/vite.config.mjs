// Vite build of the web app (React, no plugin: esbuild compiles .tsx with the automatic JSX runtime).
// `npm run build:web` (and `npm start`, `npm test` through web/build.mjs) writes web/dist/, which `reel serve` serves.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    // dist/.vite/manifest.json: the server preloads a page's chunks with its HTML (src/web/pages-routes.ts)
    manifest: true,
    // hls.js and dash.js are lazy chunks; only the player loads them
    chunkSizeWarningLimit: 1100,
    // two entries: the app, and the watch page's player-first start (src/early.ts, which pages-routes.ts puts
    // before the app's script in a watch page's HTML); modules both use (the engine, hls.js) are shared chunks
    rollupOptions: { input: { index: fileURLToPath(new URL('index.html', import.meta.url)), early: fileURLToPath(new URL('src/early.ts', import.meta.url)) } },
  },
});
