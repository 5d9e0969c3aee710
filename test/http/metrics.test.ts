/** Prometheus metrics are exposed and move when a video is uploaded, processed and played. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { MEDIA_DIR, registerUser, startTestPlatform, waitForVideo, type TestPlatform } from '../support/platform.js';

function value(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{` : `${name} `) && (!labels || l.includes(labels)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('metrics', () => {
  let tp: TestPlatform;
  beforeAll(async () => {
    tp = await startTestPlatform({ worker: true });
  });
  afterAll(async () => tp?.close());

  it('counts uploads, bytes, task durations, time to playable, HTTP requests and player reports', async () => {
    const app = tp.platform.app;
    const scrape = async () => {
      const res = await app.inject({ url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/plain/);
      return res.body;
    };
    const before = await scrape();
    expect(value(before, 'reel_uploads_started_total')).toBe(0);
    expect(before).toContain('# TYPE reel_queue_depth gauge');
    expect(before).toContain('# TYPE reel_dead_letter_tasks gauge');

    const { token } = await registerUser(app);
    const bytes = readFileSync(MEDIA_DIR + 'video_short.mp4');
    const up = await app.inject({
      method: 'POST',
      url: '/api/uploads',
      headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length), 'content-type': 'application/offset+octet-stream' },
      payload: bytes,
    });
    const id = String(up.headers['reel-video-id']);
    const during = await scrape();
    expect(value(during, 'reel_uploads_started_total')).toBe(1);
    expect(value(during, 'reel_uploads_completed_total')).toBe(1);
    expect(value(during, 'reel_upload_bytes_total')).toBe(bytes.length);
    expect((await waitForVideo(app, id, token)).status).toBe('ready');

    const after = await scrape();
    expect(value(after, 'reel_task_duration_seconds_count', 'kind="encode-chunk",codec="h264",rungs="144p",outcome="done"')).toBe(1);
    expect(value(after, 'reel_task_duration_seconds_count', 'kind="inspect"')).toBe(1);
    expect(value(after, 'reel_time_to_playable_seconds_count')).toBe(1);
    expect(value(after, 'reel_http_request_duration_seconds_count', 'route="/api/videos/:id",method="GET",status="200"')).toBeGreaterThan(0);

    for (const event of ['start', 'rebuffer', 'rebuffer']) {
      expect((await app.inject({ method: 'POST', url: '/api/playback-events', payload: { videoId: id, event } })).statusCode).toBe(204);
    }
    expect((await app.inject({ method: 'POST', url: '/api/playback-events', payload: { videoId: id, event: 'explode' } })).statusCode).toBe(400);
    const played = await scrape();
    expect(value(played, 'reel_playback_events_total', 'event="rebuffer"')).toBe(2);
    expect(value(played, 'reel_playback_events_total', 'event="start"')).toBe(1);
  });
});
