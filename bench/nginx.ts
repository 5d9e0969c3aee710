/** nginx as the benchmarks run it: the topology's helpers (test/topology/nginx.ts), shared by both. */
export { loadBalancerConf, nginxUser, startNginx, stopNginx } from '../test/topology/nginx.js';
