/** tus expiration: an abandoned upload advertises its expiry, then its bytes and its waiting video are removed. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { storedUploadFiles, UPLOAD_STORES } from '../support/upload-stores.js';

for (const store of UPLOAD_STORES) {
  describe(`upload expiration (uploads: ${store})`, () => {
    let tp: TestPlatform;
    beforeAll(async () => {
      tp = await startTestPlatform({ env: { UPLOAD_EXPIRY_HOURS: '0.0003', UPLOAD_STORE: store } }); // ~1 s
    });
    afterAll(async () => tp?.close());

    it('removes the bytes of an expired unfinished upload and the video waiting for it', async () => {
      const app = tp.platform.app;
      const u = await registerUser(app);
      const headers = { authorization: `Bearer ${u.token}`, 'tus-resumable': '1.0.0' };
      const create = await app.inject({ method: 'POST', url: '/api/uploads', headers: { ...headers, 'upload-length': '100', 'upload-metadata': `title ${Buffer.from('abandoned').toString('base64')}` } });
      expect(create.statusCode).toBe(201);
      const location = String(create.headers.location);
      const patch = await app.inject({ method: 'PATCH', url: location, headers: { ...headers, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, payload: Buffer.alloc(10) });
      expect(patch.statusCode).toBe(204);
      expect(new Date(String(patch.headers['upload-expires'])).getTime()).toBeGreaterThan(Date.now() - 5000);
      expect((await storedUploadFiles(tp)).length).toBeGreaterThan(0);

      await new Promise((r) => setTimeout(r, 1500));
      expect(await tp.platform.cleanupExpiredUploads()).toBe(1);
      expect(await storedUploadFiles(tp)).toEqual([]);
      expect((await app.inject({ url: '/api/me/videos', headers })).json().items).toEqual([]);
      const head = await app.inject({ method: 'HEAD', url: location, headers });
      expect([404, 410]).toContain(head.statusCode);
    });
  });
}
