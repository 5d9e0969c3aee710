/**
 * What a page's HTML should make the browser fetch at once, instead of after the app's script has run: the
 * route's lazy chunks and the player library (from the Vite manifest, web/dist/.vite/manifest.json) and the API
 * reads the page starts with. Pure: it only turns a manifest and a page into <link> tags.
 */
export interface ManifestChunk {
  file: string;
  imports?: string[];
  css?: string[];
}
export type ViteManifest = Record<string, ManifestChunk>;

/** Pages that preload, by route: their source module, the libraries they load lazily, and API reads. */
export const PAGE_PRELOADS: Record<string, { modules: string[]; api: (id: string) => string[] }> = {
  '/watch/:id': { modules: ['src/pages/Watch.tsx', 'hls.js'], api: (id) => [`/api/videos/${id}`, `/api/videos/${id}/playback`] },
  '/tv/watch/:id': { modules: ['src/tv/TvWatch.tsx', 'hls.js'], api: (id) => [`/api/videos/${id}`, `/api/videos/${id}/playback`] },
};

/** The manifest entry for a module: its source path, or for a package the chunk built from it. */
function entryOf(manifest: ViteManifest, module: string): string | undefined {
  if (manifest[module]) return module;
  return Object.keys(manifest).find((k) => k.includes(`/node_modules/${module}/`));
}

/** Files to modulepreload for these modules: each chunk and what it imports, once, without the app's entry. */
export function chunkFiles(manifest: ViteManifest, modules: string[]): string[] {
  const seen = new Set<string>();
  const files: string[] = [];
  const visit = (key: string) => {
    if (seen.has(key) || key === 'index.html') return;
    seen.add(key);
    const c = manifest[key];
    if (!c) return;
    files.push(c.file);
    for (const i of c.imports ?? []) visit(i);
  };
  for (const m of modules) {
    const key = entryOf(manifest, m);
    if (key) visit(key);
  }
  return files;
}

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The <link> tags for a page; `id` must already be validated (it lands in URLs). */
export function preloadTags(manifest: ViteManifest, route: string, id: string): string {
  const p = PAGE_PRELOADS[route];
  if (!p) return '';
  const modules = chunkFiles(manifest, p.modules).map((f) => `<link rel="modulepreload" href="/${attr(f)}">`);
  // crossorigin="anonymous" matches the app's fetch(…, { credentials: 'same-origin' }), so the fetch reuses it
  const reads = p.api(id).map((u) => `<link rel="preload" as="fetch" crossorigin="anonymous" href="${attr(u)}">`);
  return [...reads, ...modules].join('');
}
