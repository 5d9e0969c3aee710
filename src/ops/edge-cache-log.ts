/**
 * The edges' cache statistics for /metrics. nginx (`reel edge-config --cache-log …`) writes one line per media
 * request it served through its cache: `reel_cache <cache status> <http status> <bytes sent> <edge host>`, where
 * the cache status is nginx's $upstream_cache_status (HIT, MISS, EXPIRED, STALE, UPDATING, REVALIDATED, BYPASS).
 * Reel reads those lines (EDGE_ACCESS_LOG) either by tailing the file (an edge on the same machine or a shared
 * log folder) or by listening for nginx's syslog datagrams (`udp://host:port`; the edge logs to
 * `syslog:server=<origin>:<port>`), and counts them in reel_edge_cache_requests_total{status,edge} and
 * reel_edge_cache_bytes_total{status,edge}. The file is read up to its end before every scrape, so /metrics is
 * current; it starts at the file's end (history before the start is not counted), follows rotation (a new file
 * or a truncated one is read from its start). Give EDGE_ACCESS_LOG to one API process per log (each reader counts
 * every line it sees; Prometheus sums the processes).
 */
import { createSocket, type Socket } from 'node:dgram';
import { open, stat } from 'node:fs/promises';
import type { Logger } from 'pino';

export interface EdgeCacheEntry {
  /** $upstream_cache_status */
  cache: string;
  status: number;
  bytes: number;
  edge: string;
}

const CACHE_STATES = new Set(['HIT', 'MISS', 'EXPIRED', 'STALE', 'UPDATING', 'REVALIDATED', 'BYPASS']);

/** One log line (or a syslog message carrying one) → an entry; null for anything else. Pure. */
export function parseEdgeCacheLine(line: string): EdgeCacheEntry | null {
  const at = line.indexOf('reel_cache ');
  if (at < 0) return null;
  const [cache, status, bytes, edge] = line.slice(at + 'reel_cache '.length).trim().split(/\s+/);
  if (!cache || !CACHE_STATES.has(cache) || !/^\d{3}$/.test(status ?? '')) return null;
  return { cache, status: Number(status), bytes: /^\d+$/.test(bytes ?? '') ? Number(bytes) : 0, edge: edge && /^[\w.:-]{1,100}$/.test(edge) ? edge : 'unknown' };
}

/** Follows a log file: each poll reads what was appended since the last one. */
export class LogTail {
  private offset = 0;
  private ino: number | null = null;
  private pending = '';
  private started = false;
  private chain: Promise<number> = Promise.resolve(0);

  constructor(
    private readonly path: string,
    private readonly onLine: (line: string) => void,
    /** read at most this much per poll (a huge backlog is worked off over several polls) */
    private readonly maxBytesPerPoll = 16 << 20,
  ) {}

  /** Read new complete lines; returns how many. Polls never overlap. */
  poll(): Promise<number> {
    this.chain = this.chain.then(() => this.read(), () => this.read());
    return this.chain;
  }

  private async read(): Promise<number> {
    const st = await stat(this.path).catch(() => null);
    if (!st) {
      // not there (yet, or rotated away): whatever appears next is read from its start
      this.started = true;
      this.ino = null;
      this.offset = 0;
      this.pending = '';
      return 0;
    }
    if (!this.started) {
      // the first look: count from now on, not the file's history
      this.started = true;
      this.ino = st.ino;
      this.offset = st.size;
      return 0;
    }
    if (st.ino !== this.ino || st.size < this.offset) {
      this.ino = st.ino;
      this.offset = 0;
      this.pending = '';
    }
    if (st.size === this.offset) return 0;
    const length = Math.min(st.size - this.offset, this.maxBytesPerPoll);
    const fh = await open(this.path, 'r');
    let text: string;
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, this.offset);
      this.offset += bytesRead;
      text = this.pending + buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await fh.close();
    }
    const lines = text.split('\n');
    this.pending = lines.pop() ?? '';
    if (this.pending.length > 64 << 10) this.pending = ''; // not a log line of ours
    for (const l of lines) if (l) this.onLine(l);
    return lines.length;
  }
}

export interface EdgeCacheCounters {
  record(entry: EdgeCacheEntry): void;
}

export interface EdgeCacheLogReader {
  /** read everything logged so far (before a scrape) */
  poll(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Start reading the edges' cache log from `source`: a file path (tailed every `intervalMs` and before each
 * scrape) or `udp://host:port` (nginx's syslog datagrams).
 */
export async function startEdgeCacheLog(source: string, counters: EdgeCacheCounters, log: Pick<Logger, 'warn' | 'info'>, intervalMs = 2000): Promise<EdgeCacheLogReader> {
  const onLine = (line: string) => {
    const e = parseEdgeCacheLine(line);
    if (e) counters.record(e);
  };
  const udp = /^udp:\/\/(\[[^\]]+\]|[^:/]+):(\d{1,5})\/?$/.exec(source);
  if (udp) {
    const host = udp[1].replace(/^\[|\]$/g, '');
    const socket: Socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.on('message', (msg) => {
      for (const line of msg.toString('utf8').split('\n')) onLine(line);
    });
    socket.on('error', (err) => log.warn({ err }, 'edge cache log listener failed'));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(Number(udp[2]), host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    log.info({ source }, 'listening for the edges’ cache log (syslog)');
    return { poll: async () => {}, close: () => new Promise<void>((r) => socket.close(() => r())) };
  }
  const tail = new LogTail(source, onLine);
  let warned = false;
  const poll = async () => {
    try {
      await tail.poll();
      warned = false;
    } catch (err) {
      if (!warned) log.warn({ err, path: source }, 'reading the edges’ cache log failed');
      warned = true;
    }
  };
  await poll();
  const timer = setInterval(() => void poll(), intervalMs);
  timer.unref();
  log.info({ source }, 'following the edges’ cache log');
  return {
    poll,
    close: async () => {
      clearInterval(timer);
      await poll();
    },
  };
}
