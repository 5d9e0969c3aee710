/**
 * Captions through the API: the owner adds SRT or WebVTT per language; viewers get the tracks in the playback
 * descriptor and the WebVTT file from the origin (signed for unlisted videos); bad files, languages and callers
 * are refused with clear errors. SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbKinds, registerUser, startTestPlatform, type TestPlatform } from '../support/platform.js';

const SRT = '1\r\n00:00:01,000 --> 00:00:02,500\r\nThe last <i>man</i> on earth\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nis not alone\r\n';

for (const db of dbKinds()) {
  describe(`captions on ${db}`, () => {
    let tp: TestPlatform;
    let app: TestPlatform['platform']['app'];
    let owner: { token: string };
    beforeAll(async () => {
      tp = await startTestPlatform({ db });
      app = tp.platform.app;
      owner = await registerUser(app);
    });
    afterAll(async () => tp?.close());
    const auth = (t: string) => ({ authorization: `Bearer ${t}` });

    async function readyVideo(visibility: string): Promise<string> {
      const id = (await app.inject({ method: 'POST', url: '/api/videos', headers: auth(owner.token), payload: { title: 'c', visibility } })).json().video.id;
      await tp.platform.videos.setMediaInfo(id, { durationSec: 10, width: 640, height: 360 });
      await tp.platform.videos.markReady(id, null);
      return id;
    }

    it('adds SRT as WebVTT, lists it in the descriptor and serves it; replaces and removes it', async () => {
      const id = await readyVideo('public');
      const put = await app.inject({ method: 'PUT', url: `/api/videos/${id}/captions/en`, headers: auth(owner.token), payload: { label: 'English', content: SRT } });
      expect(put.statusCode).toBe(200);
      expect(put.json()).toMatchObject({ lang: 'en', label: 'English', cues: 2, file: 'captions/en.vtt' });
      await app.inject({ method: 'PUT', url: `/api/videos/${id}/captions/pt-BR`, headers: auth(owner.token), payload: { content: 'WEBVTT\n\n00:01.000 --> 00:02.000\nOlá' } });

      const list = (await app.inject({ url: `/api/videos/${id}/captions` })).json().items;
      expect(list.map((t: any) => [t.lang, t.label])).toEqual([['en', 'English'], ['pt-BR', 'pt-BR']]);
      const d = (await app.inject({ url: `/api/videos/${id}/playback` })).json();
      expect(d.captions).toEqual([
        { lang: 'en', label: 'English', url: `/media/${id}/captions/en.vtt` },
        { lang: 'pt-BR', label: 'pt-BR', url: `/media/${id}/captions/pt-BR.vtt` },
      ]);
      const file = await app.inject({ url: d.captions[0].url });
      expect(file.statusCode).toBe(200);
      expect(file.headers['content-type']).toMatch(/^text\/vtt/);
      expect(file.body).toBe('WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nThe last <i>man</i> on earth\n\n00:00:03.000 --> 00:00:04.000\nis not alone\n');

      // replace, then remove
      expect((await app.inject({ method: 'PUT', url: `/api/videos/${id}/captions/en`, headers: auth(owner.token), payload: { label: 'English (CC)', content: 'WEBVTT\n\n00:00.500 --> 00:01.000\nNew' } })).json().cues).toBe(1);
      expect((await app.inject({ url: `/media/${id}/captions/en.vtt` })).body).toContain('New');
      expect((await app.inject({ method: 'DELETE', url: `/api/videos/${id}/captions/en`, headers: auth(owner.token) })).statusCode).toBe(204);
      expect((await app.inject({ url: `/media/${id}/captions/en.vtt` })).statusCode).toBe(404);
      expect((await app.inject({ url: `/api/videos/${id}/captions` })).json().items.map((t: any) => t.lang)).toEqual(['pt-BR']);
      expect((await app.inject({ method: 'DELETE', url: `/api/videos/${id}/captions/en`, headers: auth(owner.token) })).statusCode).toBe(404);
    });

    it('serves an unlisted video’s captions only under its playback token', async () => {
      const id = await readyVideo('unlisted');
      await app.inject({ method: 'PUT', url: `/api/videos/${id}/captions/en`, headers: auth(owner.token), payload: { content: SRT } });
      const d = (await app.inject({ url: `/api/videos/${id}/playback` })).json();
      expect(d.captions[0].url).toBe(`/media/${id}/t/${d.token}/captions/en.vtt`);
      expect((await app.inject({ url: d.captions[0].url })).statusCode).toBe(200);
      expect((await app.inject({ url: `/media/${id}/captions/en.vtt` })).statusCode).toBe(404);
    });

    it('refuses bad files, bad languages, strangers and anonymous callers', async () => {
      const id = await readyVideo('public');
      const put = (payload: unknown, lang = 'en', headers = auth(owner.token)) => app.inject({ method: 'PUT', url: `/api/videos/${id}/captions/${lang}`, headers, payload: payload as any });
      const bad = await put({ content: 'hello, these are not captions' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatchObject({ code: 'invalid_captions', message: expect.stringContaining('timing line') });
      expect((await put({ content: '1\n00:00:05,000 --> 00:00:01,000\nx' })).json().error.message).toMatch(/before it starts/);
      expect((await put({ content: SRT }, 'english')).statusCode).toBe(400);
      expect((await put({ content: SRT }, '..%2f..%2fx')).statusCode).toBe(400);
      expect((await put({})).statusCode).toBe(400);
      const stranger = await registerUser(app);
      expect((await put({ content: SRT }, 'en', auth(stranger.token))).statusCode).toBe(403);
      expect((await put({ content: SRT }, 'en', {} as any)).statusCode).toBe(401);
      expect((await app.inject({ url: `/api/videos/${id}/captions` })).json().items).toEqual([]);
    });
  });
}
