import { describe, expect, it } from 'vitest';
import { chunkFiles, preloadTags, type ViteManifest } from '../../src/web/page-preloads.js';

const manifest: ViteManifest = {
  'index.html': { file: 'assets/index-A.js' },
  'src/pages/Watch.tsx': { file: 'assets/Watch-B.js', imports: ['index.html', '_format-C.js', '_shared-D.js'] },
  'src/tv/TvWatch.tsx': { file: 'assets/TvWatch-E.js', imports: ['index.html', '_shared-D.js'] },
  '_format-C.js': { file: 'assets/format-C.js', imports: ['_shared-D.js'] },
  '_shared-D.js': { file: 'assets/shared-D.js' },
  '../node_modules/hls.js/dist/hls.mjs': { file: 'assets/hls-F.js' },
};

describe('page preloads', () => {
  it('lists a page chunk, everything it imports once, and a package chunk, never the app entry', () => {
    expect(chunkFiles(manifest, ['src/pages/Watch.tsx', 'hls.js'])).toEqual(['assets/Watch-B.js', 'assets/format-C.js', 'assets/shared-D.js', 'assets/hls-F.js']);
    expect(chunkFiles(manifest, ['src/missing.tsx'])).toEqual([]);
  });

  it('gives the watch page its API reads and chunks as <link> tags, and other pages nothing', () => {
    const id = '0b7d4a6e-5f0c-4a8e-9a47-2a6c1e9f3b10';
    const tags = preloadTags(manifest, '/watch/:id', id);
    expect(tags).toContain(`<link rel="preload" as="fetch" crossorigin="anonymous" href="/api/videos/${id}">`);
    expect(tags).toContain(`<link rel="preload" as="fetch" crossorigin="anonymous" href="/api/videos/${id}/playback">`);
    expect(tags).toContain('<link rel="modulepreload" href="/assets/Watch-B.js">');
    expect(tags).toContain('<link rel="modulepreload" href="/assets/hls-F.js">');
    expect(tags).not.toContain('index-A.js');
    expect(preloadTags(manifest, '/tv/watch/:id', id)).toContain('/assets/TvWatch-E.js');
    expect(preloadTags(manifest, '/search', id)).toBe('');
  });
});
