/**
 * A redis-server the topology owns: its own port, no persistence (`--save ''`, no AOF), a child process the
 * topology can kill (Redis unavailable) and start again on the same port (empty, as after a failover to a cold
 * replica).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';

export interface TopologyRedis {
  url: string;
  readonly running: boolean;
  /** kill -9 the server: clients get connection errors until `start()` */
  kill(): Promise<void>;
  /** freeze the server (SIGSTOP): connections stay open but nothing answers, as in a network partition; `resume()` */
  pause(): void;
  resume(): void;
  start(): Promise<void>;
  close(): Promise<void>;
  closeSync(): void;
}

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ port, host: '127.0.0.1' }, () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

export async function startRedis(port: number): Promise<TopologyRedis> {
  let child: ChildProcess | null = null;
  let out = '';
  const start = async () => {
    out = '';
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout!.on('data', (d) => (out += d));
    c.stderr!.on('data', (d) => (out += d));
    child = c;
    for (let i = 0; i < 100; i++) {
      if (c.exitCode !== null) throw new Error(`redis-server exited:\n${out}`);
      if (await canConnect(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server did not start:\n${out}`);
  };
  const kill = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}/0`,
    get running() {
      return child !== null;
    },
    kill,
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    start,
    close: kill,
    closeSync() {
      child?.kill('SIGCONT');
      child?.kill('SIGKILL');
      child = null;
    },
  };
}
