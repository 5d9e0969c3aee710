/**
 * `npm run topology [-- --ladder=240p] [--upload-store=blob|shared-dir]`: start the whole scale-out topology on this machine
 * (test/topology/topology.ts), print its URLs and wait; Ctrl-C (or SIGTERM) tears everything down.
 */
import { parseArgs } from 'node:util';
import { startTopology, TOPOLOGY_ADMIN } from './topology.js';

const { values } = parseArgs({ options: { ladder: { type: 'string' }, 'upload-store': { type: 'string' } } });
const uploadStore = values['upload-store'];
if (uploadStore && uploadStore !== 'blob' && uploadStore !== 'shared-dir') throw new Error('--upload-store: blob or shared-dir');

const t0 = Date.now();
const topo = await startTopology({ ladderMaxRung: values.ladder, uploadStore: uploadStore as 'blob' | 'shared-dir' | undefined, log: (l) => console.log(`  ${l}`) });
console.log(`
topology up in ${((Date.now() - t0) / 1000).toFixed(1)} s (temporary folder ${topo.root})
  web app and API (load balancer)  ${topo.lbUrl}
  edge (media, cached)             ${topo.edgeUrl}
  API processes                    ${topo.apis.map((a) => a.url).join('  ')}
  PostgreSQL                       ${topo.postgres.url}${topo.postgres.owned ? '' : ' (not owned: ' + topo.postgres.fallbackReason + ')'}
  Redis                            ${topo.redis.url}
  S3 endpoint (fault proxy)        ${topo.s3.endpoint} -> s3rver ${topo.s3.storeUrl}, bucket ${topo.s3.bucket}
  admin                            ${TOPOLOGY_ADMIN.email} / ${TOPOLOGY_ADMIN.password}
Ctrl-C stops everything.`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the topology`);
  await topo.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
setInterval(() => {}, 60_000);
