/**
 * A small HTTP proxy in front of an S3-compatible server that can be switched to fail: while `failing` is on, every
 * request is answered at once with an S3 error (500 InternalError and 503 SlowDown in turn) and never reaches the
 * store; otherwise requests and responses are streamed through unchanged. Reel's API processes and workers are
 * given the proxy as S3_ENDPOINT, so a test can make the store fail for a while and count what it refused.
 */
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface S3FaultProxy {
  url: string;
  /** answer every request with a 500/503 while true */
  failing: boolean;
  /** requests refused while failing, and passed through, since the start */
  readonly refused: number;
  readonly passed: number;
  close(): Promise<void>;
}

const ERRORS = [
  { status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' },
  { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' },
];

export async function startS3FaultProxy(target: string, port = 0): Promise<S3FaultProxy> {
  const to = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let refused = 0;
  let passed = 0;
  const state = { failing: false };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (state.failing) {
      const e = ERRORS[refused++ % ERRORS.length];
      // read (and drop) the body so the client's keep-alive connection stays usable
      req.resume();
      req.on('end', () => {
        res.writeHead(e.status, { 'content-type': 'application/xml', connection: 'close' });
        res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${e.code}</Code><Message>${e.message}</Message><RequestId>fault-${refused}</RequestId></Error>`);
      });
      return;
    }
    passed++;
    const upstream = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers, agent },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.destroy();
    });
    req.on('aborted', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    get failing() {
      return state.failing;
    },
    set failing(v: boolean) {
      state.failing = v;
    },
    get refused() {
      return refused;
    },
    get passed() {
      return passed;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      agent.destroy();
    },
  };
}
