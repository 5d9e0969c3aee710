/**
 * TLS when a certificate is configured: the same app over HTTPS (a self-signed certificate made by openssl for
 * the test), with Secure session cookies; a half-configured certificate is refused at start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

function httpsRequest(url: string, ca: Buffer, method = 'GET', body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('HTTPS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reel-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  let tp: TestPlatform;
  let base: string;
  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    tp = await startTestPlatform({ env: { TLS_CERT_FILE: cert, TLS_KEY_FILE: key } });
    base = await tp.platform.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await tp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the API over TLS with the configured certificate, and session cookies are Secure', async () => {
    expect(base).toMatch(/^https:/);
    const ca = readFileSync(cert);
    expect((await httpsRequest(`${base}/healthz`, ca)).status).toBe(200);
    const reg = await httpsRequest(`${base}/api/auth/register`, ca, 'POST', JSON.stringify({ email: 'tls@example.test', password: 'correct horse battery', handle: 'tlsuser' }));
    expect(reg.status).toBe(201);
    expect(String(reg.headers['set-cookie'])).toMatch(/;\s*Secure/i);
    // a client that does not trust the certificate is refused by TLS itself
    await expect(httpsRequest(`${base}/healthz`, Buffer.from(''))).rejects.toThrow();
  });

  it('refuses a certificate without its key (and the reverse) at start', () => {
    expect(() => loadConfig({ TLS_CERT_FILE: cert })).toThrow(/TLS_CERT_FILE, TLS_KEY_FILE: set both or neither/);
    expect(() => loadConfig({ TLS_KEY_FILE: key })).toThrow(/set both or neither/);
  });
});
