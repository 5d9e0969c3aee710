/** nginx as the benchmarks run it: a foreground process on a generated configuration, in a folder of its own. */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Write `conf` into `dir`, start nginx on it and wait until `url` answers (any status below 500). */
export async function startNginx(dir: string, conf: string, url: string): Promise<ChildProcess> {
  await writeFile(join(dir, 'nginx.conf'), conf);
  const child = spawn('/usr/sbin/nginx', ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c) => (err += c));
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${err}`);
    if (await fetch(url).then((r) => r.status < 500, () => false)) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nginx did not start: ${err}`);
}

/** Graceful stop (SIGQUIT), waiting for the exit. */
export async function stopNginx(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGQUIT');
  await exited;
}
