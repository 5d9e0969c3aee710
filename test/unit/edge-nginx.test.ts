/** The nginx edge configuration writer (the real nginx runs it in test/e2e/edge-nginx.test.ts). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nginxEdgeConfig } from '../../src/core/edge-nginx.js';

describe('nginx edge config', () => {
  it('lists every origin in one upstream group, checks tokens with a cached auth_request and caches without the token', () => {
    const conf = nginxEdgeConfig({ origins: ['http://10.0.0.5:8080', 'http://origin-b'], listen: '80', cacheDir: '/var/cache/reel', cacheSize: '50g' });
    expect(conf).toContain('server 10.0.0.5:8080 max_fails=3');
    expect(conf).toContain('server origin-b:80 max_fails=3');
    expect(conf).toContain('max_size=50g');
    expect(conf).toContain('auth_request /_reel_auth;');
    expect(conf).toContain('proxy_cache_key $reel_media_key;');
    expect(conf).toContain('proxy_cache_key $reel_token_key;');
    expect(conf).not.toContain('events {');
  });

  it('refuses no origin and https origins', () => {
    expect(() => nginxEdgeConfig({ origins: [], listen: '80', cacheDir: '/c' })).toThrow();
    expect(() => nginxEdgeConfig({ origins: ['https://x'], listen: '80', cacheDir: '/c' })).toThrow(/http:\/\//);
  });

  it('standalone: nginx -t accepts it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'reel-edge-'));
    try {
      mkdirSync(join(dir, 'cache'));
      writeFileSync(join(dir, 'nginx.conf'), nginxEdgeConfig({ origins: ['http://127.0.0.1:9'], listen: '127.0.0.1:1', cacheDir: join(dir, 'cache'), standalone: { prefix: dir } }));
      execFileSync('/usr/sbin/nginx', ['-t', '-q', '-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')], { stdio: 'pipe' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
