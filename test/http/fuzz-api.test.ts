/**
 * Bad-input campaign (property-based, fast-check): every operation in the OpenAPI document gets random path
 * parameters, query strings and bodies (well-typed-looking and garbage), signed in and not; tus requests get
 * random headers. The server must answer every one with a status below 500 and, for errors, the documented
 * error shape. Path traversal on every file-serving route never leaks a file; oversized bodies get 413.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { registerUser, startTestPlatform, type TestPlatform } from '../support/platform.js';

interface Operation {
  method: string;
  path: string;
  params: string[];
  query: string[];
  body: string[] | null;
}

const RUNS = Number(process.env.REEL_FUZZ_RUNS ?? 40);

/** strings that have broken servers before */
const nasty = fc.constantFrom(
  '',
  ' ',
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%00',
  '\u0000',
  "' or 1=1 --",
  '<script>alert(1)</script>',
  '{{7*7}}',
  '${jndi:ldap://x}',
  'NaN',
  '-1',
  '1e309',
  '9007199254740993',
  'null',
  'true',
  '[]',
  '{}',
  '😀'.repeat(100),
  'a'.repeat(10_000),
  '00000000-0000-0000-0000-000000000000',
);
const scalar = fc.oneof(fc.string(), nasty, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 5 }), fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 4 }));

function operations(doc: any): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const params = (op.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => p.name);
      const query = (op.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => p.name);
      const schema = op.requestBody?.content?.['application/json']?.schema;
      ops.push({ method: method.toUpperCase(), path, params, query, body: schema ? Object.keys(schema.properties ?? {}) : null });
    }
  }
  return ops;
}

describe('bad-input campaign', () => {
  let tp: TestPlatform;
  let token: string;
  let videoId: string;
  let ops: Operation[];
  beforeAll(async () => {
    tp = await startTestPlatform();
    const u = await registerUser(tp.platform.app);
    token = u.token;
    const v = await tp.platform.app.inject({ method: 'POST', url: '/api/videos', headers: { authorization: `Bearer ${token}` }, payload: { title: 'fuzz target' } });
    videoId = v.json().video.id;
    ops = operations((await tp.platform.app.inject({ url: '/api/openapi.json' })).json());
  });
  afterAll(async () => tp?.close());

  it('covers the API', () => {
    expect(ops.length).toBeGreaterThan(30);
  });

  it('answers random input to every operation without a 5xx, with the error shape on 4xx', async () => {
    const app = tp.platform.app;
    const param = fc.oneof(fc.constant(videoId), fc.uuid(), fc.string({ minLength: 1 }), nasty.filter((s) => s.length > 0));
    for (const op of ops) {
      // either the operation's own field names with random values, or any JSON at all
      const body = op.body ? fc.oneof(fc.record(Object.fromEntries(op.body.map((k) => [k, value])), { requiredKeys: [] }), fc.jsonValue()) : fc.constant(undefined);
      const query = fc.record(Object.fromEntries([...op.query, 'x'].map((k) => [k, fc.oneof(fc.string(), nasty)])), { requiredKeys: [] });
      await fc.assert(
        fc.asyncProperty(fc.array(param, { minLength: op.params.length, maxLength: op.params.length }), query, body, fc.boolean(), async (ps, q, b, signedIn) => {
          let url = op.path;
          op.params.forEach((name, i) => (url = url.replace(`{${name}}`, encodeURIComponent(ps[i]))));
          const qs = new URLSearchParams(q as Record<string, string>).toString();
          const res = await app.inject({
            method: op.method as any,
            url: qs ? `${url}?${qs}` : url,
            headers: signedIn ? { authorization: `Bearer ${token}` } : {},
            ...(b !== undefined ? { payload: JSON.stringify(b), headers: { 'content-type': 'application/json', ...(signedIn ? { authorization: `Bearer ${token}` } : {}) } } : {}),
          });
          if (res.statusCode >= 500) throw new Error(`${op.method} ${url}?${qs} ${JSON.stringify(b)} -> ${res.statusCode} ${res.body.slice(0, 300)}`);
          if (res.statusCode >= 400 && res.headers['content-type']?.toString().includes('json')) {
            const e = res.json();
            expect(typeof e.error?.code, `${op.method} ${op.path}: ${res.body}`).toBe('string');
            expect(typeof e.error?.message).toBe('string');
          }
        }),
        { numRuns: RUNS },
      );
    }
  }, 600_000);

  it('answers random tus headers on every tus method without a 5xx', async () => {
    const app = tp.platform.app;
    const header = fc.oneof(fc.string(), nasty, fc.integer().map(String), fc.constant('1.0.0'), fc.constant('0'));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST', 'PATCH', 'HEAD', 'DELETE', 'OPTIONS', 'GET'),
        fc.oneof(fc.constant('/api/uploads'), fc.string().map((s) => `/api/uploads/${encodeURIComponent(s)}`)),
        fc.record({ 'tus-resumable': header, 'upload-length': header, 'upload-offset': header, 'upload-metadata': header, 'upload-defer-length': header, 'upload-concat': fc.oneof(header, header.map((h) => `final;${h}`), fc.constant('partial'), fc.constant('final;/api/uploads/x /api/uploads/y')), 'upload-checksum': fc.oneof(header, header.map((h) => `sha256 ${h}`)), 'content-type': fc.constantFrom('application/offset+octet-stream', 'text/plain', 'application/json') }, { requiredKeys: [] }),
        fc.uint8Array({ maxLength: 64 }),
        fc.boolean(),
        async (method, url, headers, body, signedIn) => {
          // header values must be printable for the HTTP layer itself
          const clean = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v).replace(/[^\x20-\x7e]/g, '')]));
          const sent = app.inject({ method: method as any, url, headers: { ...clean, ...(signedIn ? { authorization: `Bearer ${token}` } : {}) }, ...(method === 'PATCH' || method === 'POST' ? { payload: Buffer.from(body) } : {}) });
          const res = await Promise.race([sent, new Promise<never>((_, j) => setTimeout(() => j(new Error(`no answer in 10 s: ${method} ${url} ${JSON.stringify(clean)}`)), 10_000))]);
          if (res.statusCode >= 500) throw new Error(`${method} ${url} ${JSON.stringify(clean)} -> ${res.statusCode} ${res.body.slice(0, 300)}`);
        },
      ),
      { numRuns: RUNS * 5 },
    );
  }, 300_000);

  it('never serves a file outside its folder, whatever the route and encoding', async () => {
    const app = tp.platform.app;
    const escapes = ['../../../../../../etc/passwd', '..%2f..%2f..%2f..%2fetc%2fpasswd', '%2e%2e/%2e%2e/%2e%2e/etc/passwd', '..%252f..%252fetc%252fpasswd', '....//....//etc/passwd', '..\\..\\..\\etc\\passwd', '%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd', 'x/../../../../package.json'];
    const prefixes = [`/media/${videoId}/`, `/media/${videoId}/t/abc/`, '/media/', '/vendor/', '/', '/watch/', '/assets/', `/media/${videoId}/360p/`];
    for (const p of prefixes) {
      for (const e of escapes) {
        const res = await app.inject({ url: p + e });
        expect(res.statusCode, `${p}${e}`).toBeLessThan(500);
        expect(res.body, `${p}${e}`).not.toMatch(/root:x:0:0|"name": "reel"/);
      }
    }
  });

  it('refuses bodies over the limit with 413', async () => {
    const res = await tp.platform.app.inject({ method: 'POST', url: '/api/videos', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify({ title: 'x', description: 'y'.repeat(2 * 1024 * 1024) }) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBeTypeOf('string');
  });
});

describe('slow clients', () => {
  let tp: TestPlatform;
  let port: number;
  beforeAll(async () => {
    tp = await startTestPlatform();
    const url = new URL(await tp.platform.app.listen({ port: 0, host: '127.0.0.1' }));
    port = Number(url.port);
  });
  afterAll(async () => tp?.close());

  it('hundreds of connections dribbling their headers do not starve other clients', async () => {
    const { connect } = await import('node:net');
    const slow = Array.from({ length: 300 }, () => {
      const s = connect(port, '127.0.0.1');
      s.on('error', () => {});
      s.write('GET /api/videos HTTP/1.1\r\nHost: x\r\n');
      return s;
    });
    const drip = setInterval(() => slow.forEach((s) => s.writable && s.write('X-Slow: 1\r\n')), 500);
    try {
      await new Promise((r) => setTimeout(r, 1000));
      // while all of them are still open and unanswered, normal requests are served
      const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`http://127.0.0.1:${port}/api/videos`).then((r) => r.status)));
      expect(answers.every((s) => s === 200)).toBe(true);
      expect(slow.filter((s) => !s.destroyed).length).toBe(300);
    } finally {
      clearInterval(drip);
      slow.forEach((s) => s.destroy());
    }
  });
});
