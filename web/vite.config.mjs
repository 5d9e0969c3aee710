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
  },
});
