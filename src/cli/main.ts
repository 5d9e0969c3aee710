/**
 * `reel` command line: `reel serve` (API + web + in-process worker; --no-worker for API only).
 */
import { loadConfig } from '../config.js';
import { createCore, createPlatform, createWorker } from '../wiring/platform.js';
import { edgeConfigCommand } from '../streaming/edge-config-command.js';
import { startTieringSchedule } from '../wiring/tiering.js';

const USAGE = `usage: reel <command>
  serve [--no-worker]   start the platform (API, web app, origin, and an in-process worker)
  worker                run pipeline tasks only (any number of these, on any machine sharing the database and blob store)
  edge-config [--origin URL]... [--listen 80] [--cache-dir /var/cache/reel] [--cache-size 10g] [--standalone PREFIX [--user U]]
              [--cache-log PATH|syslog:server=HOST:PORT] [--access-log PATH]
                        print an nginx edge-cache configuration (signed-token checks, origin shield) for these origins
  tier [--dry-run] [--report]
                        apply the storage tiering policy (TIERING_POLICY) once and print what moved (JSON);
                        --dry-run only lists the moves, --report prints the bytes by tier without moving anything
`;

async function tier(args: string[]) {
  const core = await createCore(loadConfig());
  try {
    const out = args.includes('--report') ? await core.tiering.report() : await core.tiering.run({ dryRun: args.includes('--dry-run') });
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } finally {
    await core.database.close();
  }
}

async function worker() {
  const core = await createCore(loadConfig());
  const w = createWorker(core);
  w.start();
  const stopTiering = startTieringSchedule(core.tiering, core.config.tiering.intervalMs, core.log);
  // the worker's poll timer does not hold the process open (so tests and `serve` can exit); here it must
  const keepAlive = setInterval(() => {}, 60_000);
  const shutdown = async (signal: string) => {
    core.log.info({ signal }, 'worker stopping; running tasks return to the queue when their lease expires');
    clearInterval(keepAlive);
    stopTiering();
    await w.stop();
    await core.database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

async function serve(args: string[]) {
  const config = loadConfig();
  const platform = await createPlatform(config, { runWorker: !args.includes('--no-worker') });
  const address = await platform.app.listen({ port: config.port, host: config.host });
  platform.log.info(`Reel is running at ${address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost')}`);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    platform.log.info({ signal }, 'shutting down');
    await platform.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

async function main() {
  const [command, ...args] = process.argv.slice(2);
  switch (command) {
    case 'serve':
      return serve(args);
    case 'worker':
      return worker();
    case 'tier':
      return tier(args);
    case 'edge-config':
      return process.stdout.write(edgeConfigCommand(args, loadConfig()));
    default:
      process.stderr.write(USAGE);
      process.exit(command ? 2 : 0);
  }
}

main().catch((err) => {
  process.stderr.write(`reel: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
