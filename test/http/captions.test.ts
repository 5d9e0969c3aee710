/**
 * Captions through the API: the owner adds SRT or WebVTT per language; viewers get the tracks in the playback
 * descriptor and the WebVTT file from the origin (signed for unlisted videos); bad files, languages and callers
 * are refused with clear errors. SQLite and PostgreSQL.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { dbKinds, registerUser, usePlatform, bearer } from '../support/platform.js';

const SRT = '1\r\n00:00:01,000 --> 00:00:02,500\r\nThe last <i>man</i> on earth\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nis not alone\r\n';

for (const db of dbKinds()) {
  describe(`captions on ${db}`, () => {
    const p = usePlatform({ db });
    let owner: { token: string };
    beforeAll(async () => {
      owner = await registerUser(p.app);
    });

    async function readyVideo(visibility: string): Promise<string> {
      const id = (await p.app.inject({ method: 'POST', url: '/api/videos', headers: bearer(owner.token), payload: { title: 'c', visibility } })).json().video.id;
      await p.tp.platform.videos.setMediaInfo(id, { durationSec: 10, width: 640, height: 360 });
      await p.tp.platform.videos.markReady(id, null);
      return id;
    }

    it('adds SRT as WebVTT, lists it in the descriptor and serves it; replaces and removes it', async () => {
      const id = await readyVideo('public');
      const put = await p.app.inject({ method: 'PUT', url: `/api/videos/${id}/captions/en`, headers: bearer(owner.token), payload: { label: 'English', content: SRT } });
      expect(put.statusCode).toBe(200);
      expect(put.json()).toMatchObject({ lang: 'en', label: 'English', cues: 2, file: 'captions/en.vtt' });
      await p.app.inject({ method: 'PUT', url: `/api/videos/${id}/captions/pt-BR`, headers: bearer(owner.token), payload: { content: 'WEBVTT\n\n00:01.000 --> 00:02.000\nOlá' } });

      const list = (await p.app.inject({ url: `/api/videos/${id}/captions` })).json().items;
      expect(list.map((t: any) => [t.lang, t.label])).toEqual([['en', 'English'], ['pt-BR', 'pt-BR']]);
      const d = (await p.app.inject({ url: `/api/videos/${id}/playback` })).json();
      expect(d.captions).toEqual([
        { lang: 'en', label: 'English', url: `/media/${id}/captions/en.vtt` },
        { lang: 'pt-BR', label: 'pt-BR', url: `/media/${id}/captions/pt-BR.vtt` },
      ]);
      const file = await p.app.inject({ url: d.captions[0].url });
      expect(file.statusCode).toBe(200);
      expect(file.headers['content-type']).toMatch(/^text\/vtt/);
      expect(file.body).toBe('WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nThe last <i>man</i> on earth\n\n00:00:03.000 --> 00:00:04.000\nis not alone\n');

      // replace, then remove
      expect((await p.app.inject({ method: 'PUT', url: `/api/videos/${id}/captions/en`, headers: bearer(owner.token), payload: { label: 'English (CC)', content: 'WEBVTT\n\n00:00.500 --> 00:01.000\nNew' } })).json().cues).toBe(1);
      expect((await p.app.inject({ url: `/media/${id}/captions/en.vtt` })).body).toContain('New');
      expect((await p.app.inject({ method: 'DELETE', url: `/api/videos/${id}/captions/en`, headers: bearer(owner.token) })).statusCode).toBe(204);
      expect((await p.app.inject({ url: `/media/${id}/captions/en.vtt` })).statusCode).toBe(404);
      expect((await p.app.inject({ url: `/api/videos/${id}/captions` })).json().items.map((t: any) => t.lang)).toEqual(['pt-BR']);
      expect((await p.app.inject({ method: 'DELETE', url: `/api/videos/${id}/captions/en`, headers: bearer(owner.token) })).statusCode).toBe(404);
    });

    it('serves an unlisted video’s captions only under its playback token', async () => {
      const id = await readyVideo('unlisted');
      await p.app.inject({ method: 'PUT', url: `/api/videos/${id}/captions/en`, headers: bearer(owner.token), payload: { content: SRT } });
      const d = (await p.app.inject({ url: `/api/videos/${id}/playback` })).json();
      expect(d.captions[0].url).toBe(`/media/${id}/t/${d.token}/captions/en.vtt`);
      expect((await p.app.inject({ url: d.captions[0].url })).statusCode).toBe(200);
      expect((await p.app.inject({ url: `/media/${id}/captions/en.vtt` })).statusCode).toBe(404);
    });

    it('refuses bad files, bad languages, strangers and anonymous callers', async () => {
      const id = await readyVideo('public');
      const put = (payload: unknown, lang = 'en', headers = bearer(owner.token)) => p.app.inject({ method: 'PUT', url: `/api/videos/${id}/captions/${lang}`, headers, payload: payload as any });
      const bad = await put({ content: 'hello, these are not captions' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatchObject({ code: 'invalid_captions', message: expect.stringContaining('timing line') });
      expect((await put({ content: '1\n00:00:05,000 --> 00:00:01,000\nx' })).json().error.message).toMatch(/before it starts/);
      expect((await put({ content: SRT }, 'english')).statusCode).toBe(400);
      expect((await put({ content: SRT }, '..%2f..%2fx')).statusCode).toBe(400);
      expect((await put({})).statusCode).toBe(400);
      const stranger = await registerUser(p.app);
      expect((await put({ content: SRT }, 'en', bearer(stranger.token))).statusCode).toBe(403);
      expect((await put({ content: SRT }, 'en', {} as any)).statusCode).toBe(401);
      expect((await p.app.inject({ url: `/api/videos/${id}/captions` })).json().items).toEqual([]);
    });
  });
}
