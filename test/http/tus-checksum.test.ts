/**
 * tus checksum extension, from the spec: OPTIONS advertises it with the algorithms; a PATCH whose bytes match
 * Upload-Checksum is stored; a corrupted chunk gets 460 and nothing of it is stored (the offset does not move);
 * an unsupported algorithm or malformed header gets 400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { registerUser, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { UPLOAD_STORES } from '../support/upload-stores.js';

const digest = (alg: string, b: Buffer) => `${alg} ${createHash(alg).update(b).digest('base64')}`;

for (const store of UPLOAD_STORES) {
  describe(`tus checksum extension (uploads: ${store})`, () => {
    let tp: TestPlatform;
    let token: string;
    beforeAll(async () => {
      tp = await startTestPlatform({ env: { UPLOAD_STORE: store } });
      token = (await registerUser(tp.platform.app)).token;
    });
    afterAll(async () => tp?.close());
    const tus = (method: string, url: string, headers: Record<string, string> = {}, payload?: Buffer) =>
      tp.platform.app.inject({ method: method as any, url, headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', ...(payload ? { 'content-type': 'application/offset+octet-stream' } : {}), ...headers }, ...(payload ? { payload } : {}) });

    it('OPTIONS advertises checksum with sha1 and sha256 next to the other extensions', async () => {
      const r = await tp.platform.app.inject({ method: 'OPTIONS', url: '/api/uploads' });
      expect(r.statusCode).toBe(204);
      expect(r.headers['tus-version']).toContain('1.0.0');
      const ext = String(r.headers['tus-extension']).split(',');
      expect(ext).toEqual(expect.arrayContaining(['creation', 'termination', 'expiration', 'checksum']));
      expect(String(r.headers['tus-checksum-algorithm']).split(',')).toEqual(['sha1', 'sha256']);
    });

    it('stores chunks whose checksum matches, refuses a corrupted one with 460 without storing it', async () => {
      const data = Buffer.from('0123456789abcdefghij');
      const created = await tus('POST', '/api/uploads', { 'upload-length': String(data.length), 'upload-metadata': `title ${Buffer.from('sums').toString('base64')}` });
      expect(created.statusCode).toBe(201);
      const url = String(created.headers.location);

      const first = data.subarray(0, 8);
      const ok = await tus('PATCH', url, { 'upload-offset': '0', 'upload-checksum': digest('sha256', first) }, first);
      expect(ok.statusCode).toBe(204);
      expect(ok.headers['upload-offset']).toBe('8');

      const second = data.subarray(8, 14);
      const corrupted = Buffer.from(second);
      corrupted[2] ^= 0xff;
      const bad = await tus('PATCH', url, { 'upload-offset': '8', 'upload-checksum': digest('sha256', second) }, corrupted);
      expect(bad.statusCode).toBe(460);
      expect(bad.json().error.code).toBe('checksum_mismatch');
      expect((await tus('HEAD', url)).headers['upload-offset']).toBe('8');

      expect((await tus('PATCH', url, { 'upload-offset': '8', 'upload-checksum': digest('sha1', second) }, second)).headers['upload-offset']).toBe('14');
      const rest = data.subarray(14);
      const last = await tus('PATCH', url, { 'upload-offset': '14', 'upload-checksum': digest('sha256', rest) }, rest);
      expect(last.statusCode).toBe(204);
      expect(last.headers['upload-offset']).toBe(String(data.length));
    });

    it('a browser on another origin may send Upload-Checksum and reads the 460 (CORS), and reads Upload-Expires', async () => {
      const origin = { origin: 'https://studio.example.test' };
      const preflight = await tp.platform.app.inject({ method: 'OPTIONS', url: '/api/uploads', headers: { ...origin, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'upload-checksum,upload-offset,tus-resumable' } });
      const allowed = String(preflight.headers['access-control-allow-headers']).toLowerCase().split(/,\s*/);
      expect(allowed).toEqual(expect.arrayContaining(['upload-checksum', 'upload-offset', 'tus-resumable']));
      const created = await tus('POST', '/api/uploads', { ...origin, 'upload-length': '4' });
      expect(String(created.headers['access-control-expose-headers']).toLowerCase().split(/,\s*/)).toEqual(expect.arrayContaining(['upload-expires', 'upload-offset', 'location']));
      const body = Buffer.from('abcd');
      const bad = await tus('PATCH', String(created.headers.location), { ...origin, 'upload-offset': '0', 'upload-checksum': digest('sha1', Buffer.from('abce')) }, body);
      expect(bad.statusCode).toBe(460);
      expect(bad.statusMessage).toBe('Checksum Mismatch');
      expect(bad.headers['access-control-allow-origin']).toBe('*');
      expect(bad.headers['tus-resumable']).toBe('1.0.0');
    });

    it('answers 400 to an unsupported algorithm or a malformed header, storing nothing', async () => {
      const created = await tus('POST', '/api/uploads', { 'upload-length': '4' });
      const url = String(created.headers.location);
      const body = Buffer.from('abcd');
      for (const header of [digest('md5', body), 'sha256', 'sha256 !!!notbase64', `sha256 ${Buffer.alloc(5).toString('base64')}`]) {
        const r = await tus('PATCH', url, { 'upload-offset': '0', 'upload-checksum': header }, body);
        expect(r.statusCode, header).toBe(400);
      }
      expect((await tus('HEAD', url)).headers['upload-offset']).toBe('0');
    });
  });
}
