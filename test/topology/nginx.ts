/**
 * nginx as the topology and the benchmarks run it: a foreground process on a generated configuration, in a folder
 * of its own, and the load balancer configuration for several `reel serve --no-worker` processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';

export const NGINX = '/usr/sbin/nginx';

/** Write `conf` into `dir`, start nginx on it and wait until `url` answers (any status below 500). */
export async function startNginx(dir: string, conf: string, url: string): Promise<ChildProcess> {
  await writeFile(join(dir, 'nginx.conf'), conf);
  const child = spawn(NGINX, ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c) => (err += c));
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${err}`);
    if (await fetch(url).then((r) => r.status < 500, () => false)) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`nginx did not start: ${err}`);
}

/** Graceful stop (SIGQUIT), waiting for the exit; SIGKILL after 10 s. */
export async function stopNginx(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGQUIT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** nginx's `user` directive: when we run as root, its workers run as us too (they read files we wrote). */
export function nginxUser(): string | null {
  return process.getuid?.() === 0 ? userInfo().username : null;
}

/**
 * A load balancer in front of API processes (`host:port` each): least connections, keep-alive upstreams, request
 * bodies streamed to the upstream (tus PATCH bodies are not buffered on the balancer's disk), no body size limit
 * (the API enforces its own). A process that refuses connections is skipped for a few seconds and the request
 * goes to the next one; a request already sent to a process that dies is not re-sent for POST/PATCH (nginx never
 * repeats a non-idempotent request): the client sees a 502 and retries, as tus clients and the player do.
 */
export function loadBalancerConf(opts: { port: number; upstreams: string[]; user?: string | null; host?: string }): string {
  const user = opts.user === undefined ? nginxUser() : opts.user;
  return `${user ? `user ${user};\n` : ''}worker_processes auto;
pid nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path client_body;
  proxy_temp_path proxy_temp;
  upstream reel_api {
    least_conn;
${opts.upstreams.map((u) => `    server ${u} max_fails=1 fail_timeout=3s;`).join('\n')}
    keepalive 64;
  }
  server {
    listen ${opts.host ?? '127.0.0.1'}:${opts.port};
    client_max_body_size 0;
    location / {
      proxy_pass http://reel_api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_request_buffering off;
      proxy_buffering off;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 2;
      proxy_connect_timeout 2s;
    }
  }
}
`;
}
