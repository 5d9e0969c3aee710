/** `reel edge-config`: parse the flags and print the nginx edge configuration (src/core/edge-nginx.ts). */
import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { nginxEdgeConfig } from '../core/edge-nginx.js';

export function edgeConfigCommand(args: string[], config: Pick<Config, 'port' | 'edgePurgeSecret'>): string {
  const { values } = parseArgs({
    args,
    options: {
      origin: { type: 'string', multiple: true },
      listen: { type: 'string', default: '80' },
      'cache-dir': { type: 'string', default: '/var/cache/reel' },
      'cache-size': { type: 'string', default: '10g' },
      standalone: { type: 'string' },
      user: { type: 'string' },
      'server-name': { type: 'string' },
      'purge-secret': { type: 'string' },
      // cache hit/miss lines for the origin's /metrics: a file (EDGE_ACCESS_LOG=<same path>) or syslog:server=host:port
      'cache-log': { type: 'string', multiple: true },
      'access-log': { type: 'string' },
    },
  });
  return nginxEdgeConfig({
    origins: values.origin?.length ? values.origin : [`http://127.0.0.1:${config.port}`],
    listen: values.listen!,
    cacheDir: values['cache-dir']!,
    cacheSize: values['cache-size'],
    standalone: values.standalone ? { prefix: values.standalone, user: values.user } : undefined,
    serverName: values['server-name'],
    purgeSecret: values['purge-secret'] ?? config.edgePurgeSecret ?? undefined,
    cacheLog: values['cache-log'],
    accessLog: values['access-log'],
  });
}
