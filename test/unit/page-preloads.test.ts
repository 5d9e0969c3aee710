import { describe, expect, it } from 'vitest';
import { appPreloadTags, chunkFiles, playerFirstHtml, preloadTags, resumePoint, segmentAt, segmentKey, startMedia, startRung, type ViteManifest } from '../../src/web/page-preloads.js';

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

describe('player-first watch page', () => {
  const id = '0b7d4a6e-5f0c-4a8e-9a47-2a6c1e9f3b10';
  const built: ViteManifest = {
    ...manifest,
    'index.html': { file: 'assets/index-A.js', isEntry: true, imports: ['_early-G.js'], dynamicImports: ['_boot-H.js'] },
    'src/early.ts': { file: 'assets/early-I.js', isEntry: true, imports: ['_early-G.js'], dynamicImports: ['../node_modules/hls.js/dist/hls.mjs'] },
    '_early-G.js': { file: 'assets/early-G.js' },
    '_boot-H.js': { file: 'assets/boot-H.js', name: 'boot', imports: ['_early-G.js'] },
  };
  const master = [
    '#EXTM3U',
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Default",DEFAULT=YES,URI="audio/index.m3u8"',
    '#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=426x240,CODECS="avc1.64001e,mp4a.40.2",AUDIO="aud"',
    '240p/index.m3u8',
    '#EXT-X-STREAM-INF:BANDWIDTH=1700000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",AUDIO="aud"',
    '720p/index.m3u8',
    '#EXT-X-STREAM-INF:BANDWIDTH=700000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2",AUDIO="aud"',
    '360p/index.m3u8',
  ].join('\n');
  const media = (prefix: string) => ['#EXTM3U', '#EXT-X-TARGETDURATION:3', '#EXT-X-MAP:URI="init.mp4"', '#EXTINF:2.0,', `${prefix}0.m4s`, '#EXTINF:2.0,', `${prefix}1.m4s`, '#EXTINF:1.5,', `${prefix}2.m4s`, '#EXT-X-ENDLIST'].join('\n');

  it('starts at the tallest rung up to 360p, else the lowest', () => {
    expect(startRung([144, 240, 360, 480, 720])).toBe(2);
    expect(startRung([240, 480])).toBe(0);
    expect(startRung([480, 720])).toBe(0);
  });

  it('finds the segment at the start position', () => {
    const pl = { initUri: 'init.mp4', segments: [{ uri: 'a', durationSec: 2 }, { uri: 'b', durationSec: 2 }], ended: true, targetDurationSec: 2 };
    expect(segmentAt(pl, 0)).toBe('a');
    expect(segmentAt(pl, 2)).toBe('b');
    expect(segmentAt(pl, 99)).toBe('b');
    expect(resumePoint(30, 100)).toBe(30);
    expect(resumePoint(97, 100)).toBe(0);
    expect(resumePoint(null, 100)).toBe(0);
  });

  it('lists the files a player asks for first: master, the start rung and the audio, their init and start segments', async () => {
    const base = `/media/${id}/t/tok/`;
    const texts: Record<string, string> = { [`${base}master.m3u8`]: master, [`${base}360p/index.m3u8`]: media('v'), [`${base}audio/index.m3u8`]: media('a') };
    const { files, tracks } = await startMedia(`${base}master.m3u8`, 2.5, async (u) => texts[u] ?? null);
    expect(files).toEqual([`${base}master.m3u8`, `${base}360p/index.m3u8`, `${base}360p/init.mp4`, `${base}360p/v1.m4s`, `${base}audio/index.m3u8`, `${base}audio/init.mp4`, `${base}audio/a1.m4s`]);
    // the MSE starter's tracks: codecs from the variant, init and start segment of each
    expect(tracks).toEqual([
      { kind: 'video', codec: 'avc1.64001e', init: `${base}360p/init.mp4`, first: `${base}360p/v1.m4s` },
      { kind: 'audio', codec: 'mp4a.40.2', init: `${base}audio/init.mp4`, first: `${base}audio/a1.m4s` },
    ]);
    expect(await startMedia(`${base}master.m3u8`, 0, async () => null)).toEqual({ files: [], tracks: [] });
  });

  it('gives the MSE starter no tracks when the init segment is encrypted too, or the IV is not written out', async () => {
    const base = `/media/${id}/t/tok/`;
    const locked = (p: string) => media(p).replace('#EXT-X-MAP', '#EXT-X-KEY:METHOD=AES-128,URI="key",IV=0x000102030405060708090a0b0c0d0e0f\n#EXT-X-MAP');
    const texts: Record<string, string> = { [`${base}master.m3u8`]: master, [`${base}360p/index.m3u8`]: locked('v'), [`${base}audio/index.m3u8`]: locked('a') };
    const { files, tracks } = await startMedia(`${base}master.m3u8`, 0, async (u) => texts[u] ?? null);
    expect(files).toHaveLength(7);
    expect(tracks).toEqual([]);
    // a clear init segment, but the IV comes from the sequence number: hls.js's business
    const noIv = (p: string) => media(p).replace(`#EXTINF:2.0,\n${p}0.m4s`, `#EXT-X-KEY:METHOD=AES-128,URI="../key.bin"\n#EXTINF:2.0,\n${p}0.m4s`);
    texts[`${base}360p/index.m3u8`] = noIv('v');
    texts[`${base}audio/index.m3u8`] = noIv('a');
    expect((await startMedia(`${base}master.m3u8`, 0, async (u) => texts[u] ?? null)).tracks).toEqual([]);
  });

  it("gives the MSE starter AES-128 tracks as Reel writes them (clear init, a key and IV per segment), preloading the key", async () => {
    const base = `/media/${id}/t/tok/`;
    const iv = (n: number) => `0x${String(n).repeat(32)}`;
    const sealed = (p: string) =>
      media(p)
        .replace(`#EXTINF:2.0,\n${p}0.m4s`, `#EXT-X-KEY:METHOD=AES-128,URI="../key.bin",IV=${iv(1)}\n#EXTINF:2.0,\n${p}0.m4s`)
        .replace(`#EXTINF:2.0,\n${p}1.m4s`, `#EXT-X-KEY:METHOD=AES-128,URI="../key.bin",IV=${iv(2)}\n#EXTINF:2.0,\n${p}1.m4s`);
    const texts: Record<string, string> = { [`${base}master.m3u8`]: master, [`${base}360p/index.m3u8`]: sealed('v'), [`${base}audio/index.m3u8`]: sealed('a') };
    const { files, tracks } = await startMedia(`${base}master.m3u8`, 2.5, async (u) => texts[u] ?? null);
    const key = { uri: `${base}key.bin`, iv: '2'.repeat(32) };
    expect(tracks).toEqual([
      { kind: 'video', codec: 'avc1.64001e', init: `${base}360p/init.mp4`, first: `${base}360p/v1.m4s`, key },
      { kind: 'audio', codec: 'mp4a.40.2', init: `${base}audio/init.mp4`, first: `${base}audio/a1.m4s`, key },
    ]);
    expect(files.filter((f) => f === `${base}key.bin`)).toHaveLength(1);
    // SAMPLE-AES is not whole-segment encryption
    const sample = (p: string) => sealed(p).replaceAll('METHOD=AES-128', 'METHOD=SAMPLE-AES');
    texts[`${base}360p/index.m3u8`] = sample('v');
    texts[`${base}audio/index.m3u8`] = sample('a');
    expect((await startMedia(`${base}master.m3u8`, 2.5, async (u) => texts[u] ?? null)).tracks).toEqual([]);
    // METHOD=NONE after a key: clear again
    expect(segmentKey(`${sealed('v')}\n#EXT-X-KEY:METHOD=NONE\n#EXTINF:2.0,\nv9.m4s`, 'v9.m4s')).toBeNull();
    expect(segmentKey(sealed('v'), 'v0.m4s')).toEqual({ uri: '../key.bin', iv: '1'.repeat(32) });
    expect(segmentKey(sealed('v'), 'missing.m4s')).toBe('other');
  });

  it('carries the start playlists inline (escaped) instead of preloading them; the segments stay preloads', () => {
    const html = '<html><head><script type="module" crossorigin src="/assets/index-A.js"></script></head><body><div id="root"></div></body></html>';
    const m = `/media/${id}/master.m3u8`;
    const seg = `/media/${id}/360p/v1.m4s`;
    const out = playerFirstHtml(html, built, id, { videoId: id }, [m, seg], { [m]: '#EXTM3U\n</script><b>' });
    const json = /<script id="reel-playlists" type="application\/json">(.*?)<\/script>/.exec(out)?.[1];
    expect(JSON.parse(json!)).toEqual({ [m]: '#EXTM3U\n</script><b>' });
    expect(out).not.toContain(`href="${m}"`);
    expect(out).toContain(`<link rel="preload" as="fetch" crossorigin="anonymous" href="${seg}">`);
    expect(out.indexOf('id="reel-playlists"')).toBeLessThan(out.indexOf('src="/assets/early-I.js"'));
  });

  it('puts the descriptor, the early entry with hls.js, then the media preloads before the app, and no app chunks', () => {
    const html = '<html><head><script type="module" crossorigin src="/assets/index-A.js"></script></head><body><div id="root"></div></body></html>';
    const out = playerFirstHtml(html, built, id, { videoId: id, title: '</script><script>alert(1)</script>' }, [`/media/${id}/master.m3u8`]);
    expect(out).not.toContain('</script><script>alert(1)');
    expect(out).toContain('\\u003c/script>');
    const at = (s: string) => out.indexOf(s);
    expect(at('id="reel-playback"')).toBeGreaterThan(0);
    expect(at(`<link rel="preload" as="fetch" crossorigin="anonymous" href="/media/${id}/master.m3u8">`)).toBeGreaterThan(at('id="reel-playback"'));
    // the early entry is fetched before the app's script and the media, and runs as soon as it is here (async),
    // after the skeleton it puts the video in
    expect(at('<link rel="modulepreload" href="/assets/early-I.js">')).toBeLessThan(at('src="/assets/index-A.js"'));
    expect(at('<link rel="modulepreload" href="/assets/early-I.js">')).toBeLessThan(at(`href="/media/${id}/master.m3u8"`));
    expect(at('<script type="module" async id="reel-early" src="/assets/early-I.js"></script>')).toBeGreaterThan(at('id="early-player"'));
    expect(out.match(/early-I\.js/g)).toHaveLength(2);
    expect(out).toContain('<link rel="modulepreload" href="/assets/hls-F.js">');
    // the scripts ask for connections before the media files (six per HTTP/1.1 origin)
    expect(at('<link rel="modulepreload" href="/assets/hls-F.js">')).toBeLessThan(at(`href="/media/${id}/master.m3u8"`));
    expect(out).not.toContain('boot-H.js');
    expect(out).not.toContain('Watch-B.js');
    expect(out).toContain(`<link rel="preload" as="fetch" crossorigin="anonymous" fetchpriority="low" href="/api/videos/${id}">`);
    expect(out).not.toContain(`/api/videos/${id}/playback`);
    expect(out.match(/hls-F\.js/g)).toHaveLength(1);
    expect(out).toContain('<div id="root"><div class="shell shell-watch">');
    expect(out).toContain('id="early-player"');
    expect(out).not.toContain('id="reel-start"');
    // a title with replacement patterns comes through as written
    const dollars = playerFirstHtml(html, built, id, { videoId: id, title: "$& $' $$ $1" }, []);
    expect(JSON.parse(/<script id="reel-playback" type="application\/json">(.*?)<\/script>/.exec(dollars)![1]).title).toBe("$& $' $$ $1");
    expect(appPreloadTags(built)).toBe('<link rel="modulepreload" href="/assets/boot-H.js"><link rel="modulepreload" href="/assets/early-G.js">');
  });

  it('with start tracks: names them (#reel-start) and preloads hls.js after the media files, for the MSE starter', () => {
    const html = '<html><head><script type="module" crossorigin src="/assets/index-A.js"></script></head><body><div id="root"></div></body></html>';
    const seg = `/media/${id}/360p/v0.m4s`;
    const tracks = [{ kind: 'video' as const, codec: 'avc1.64001e', init: `/media/${id}/360p/init.mp4`, first: seg }];
    const out = playerFirstHtml(html, built, id, { videoId: id }, [`/media/${id}/360p/init.mp4`, seg], {}, tracks);
    const json = /<script id="reel-start" type="application\/json">(.*?)<\/script>/.exec(out)?.[1];
    expect(JSON.parse(json!)).toEqual(tracks);
    expect(out.indexOf('id="reel-start"')).toBeLessThan(out.indexOf('src="/assets/early-I.js"'));
    // fetched, not compiled, while the starter works: hls.js is evaluated after the first frame
    expect(out.indexOf(`href="${seg}"`)).toBeLessThan(out.indexOf('<link rel="preload" as="script" crossorigin="anonymous" href="/assets/hls-F.js">'));
    expect(out.match(/hls-F\.js/g)).toHaveLength(1);
  });
});
