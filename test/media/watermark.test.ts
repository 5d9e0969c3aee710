/**
 * A watermark is a profile change: pipelines/watermarked.json burns pipelines/watermark.png into every rung,
 * bottom-right, with no code change. The corner gets brighter; the rest of the picture does not change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MEDIA_DIR, registerUser, startTestPlatform, waitForVideo, type TestPlatform } from '../support/platform.js';

const PROFILE = fileURLToPath(new URL('../../pipelines/watermarked.json', import.meta.url));

/** Mean luma of a region of frame 60 (2 s in, inside the second chunk). */
function luma(input: string, crop: string): number {
  const res = execFileSync('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'info', '-i', input, '-vf', `select=eq(n\\,60),crop=${crop},signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=-`, '-frames:v', '1', '-f', 'null', '-'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const m = /YAVG=([\d.]+)/.exec(res);
  if (!m) throw new Error(`no YAVG in ${res}`);
  return Number(m[1]);
}

describe('watermark from the profile', () => {
  let tp: TestPlatform;
  beforeAll(async () => {
    tp = await startTestPlatform({ worker: true, env: { PIPELINE_PROFILE: PROFILE, WORKER_CONCURRENCY: '2' } });
  });
  afterAll(async () => tp?.close());

  it('burns the logo into the bottom-right corner of every rung and leaves the rest of the frame alone', async () => {
    const app = tp.platform.app;
    const { token } = await registerUser(app);
    const bytes = readFileSync(MEDIA_DIR + 'the_last_man_on_earth.mp4');
    const up = await app.inject({
      method: 'POST',
      url: '/api/uploads',
      headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length), 'content-type': 'application/offset+octet-stream' },
      payload: bytes,
    });
    const id = String(up.headers['reel-video-id']);
    const v = await waitForVideo(app, id, token);
    expect(v.status).toBe('ready');
    const source = MEDIA_DIR + 'the_last_man_on_earth.mp4';
    for (const r of ['720p', '360p']) {
      const rendition = join(tp.config.blobDir, 'videos', id, r, 'index.m3u8');
      // corner: where the logo sits (W/40 inset, 10% of the height); centre-left: untouched picture
      const corner = 'iw/16:ih/16:iw-iw/40-iw/16:ih-ih/40-ih/16';
      const middle = 'iw/8:ih/8:iw/8:ih/2';
      expect(luma(rendition, corner) - luma(source, corner)).toBeGreaterThan(40);
      expect(Math.abs(luma(rendition, middle) - luma(source, middle))).toBeLessThan(8);
    }
  });
});
