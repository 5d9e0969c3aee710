// Builds web/dist/ when it is missing or older than its sources. Used three ways:
//   node web/build.mjs [--force]   (npm run build:web, npm start's prestart)
//   vitest globalSetup              (browser tests need the built app)
// The build goes to a temporary folder that then replaces dist/, so a running server never sees half a build.
import { existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const WEB = fileURLToPath(new URL('.', import.meta.url));
const DIST = join(WEB, 'dist');
const STAMP = join(DIST, '.built');

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((m, f) => Math.max(m, newest(join(path, f))), st.mtimeMs);
}

export function isStale() {
  if (!existsSync(STAMP)) return true;
  const inputs = [join(WEB, 'src'), join(WEB, 'index.html'), join(WEB, 'vite.config.mjs'), join(WEB, '..', 'package-lock.json')];
  const built = statSync(STAMP).mtimeMs;
  return inputs.some((p) => existsSync(p) && newest(p) > built);
}

export async function buildWeb({ force = false } = {}) {
  if (!force && !isStale()) return false;
  const { build } = await import('vite');
  const tmp = join(WEB, `.dist-${process.pid}-${Date.now()}`);
  try {
    await build({ configFile: join(WEB, 'vite.config.mjs'), build: { outDir: tmp, emptyOutDir: true } });
    writeFileSync(join(tmp, '.built'), new Date().toISOString());
    const old = `${DIST}.old-${process.pid}`;
    if (existsSync(DIST)) renameSync(DIST, old);
    renameSync(tmp, DIST);
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return true;
}

/** vitest globalSetup */
export default async function setup() {
  await buildWeb();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const t = Date.now();
  const built = await buildWeb({ force: process.argv.includes('--force') });
  console.log(built ? `web app built into web/dist in ${((Date.now() - t) / 1000).toFixed(1)} s` : 'web app is up to date (web/dist)');
}
