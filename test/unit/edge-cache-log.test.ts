/**
 * The edges' cache log reader (src/ops/edge-cache-log.ts): its line parser (file lines and nginx syslog
 * messages), and the file follower on a real file: history before the start is not counted, partial lines wait
 * for their end, a rotated (new) or truncated file is read from its start.
 */
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LogTail, parseEdgeCacheLine } from '../../src/ops/edge-cache-log.js';

describe('edge cache log lines', () => {
  it.each([
    ['reel_cache HIT 200 1234 edge-1', { cache: 'HIT', status: 200, bytes: 1234, edge: 'edge-1' }],
    ['reel_cache MISS 206 8 edge-1.example', { cache: 'MISS', status: 206, bytes: 8, edge: 'edge-1.example' }],
    ['<190>Nov 23 20:00:00 edge-2 nginx: reel_cache EXPIRED 200 10 edge-2', { cache: 'EXPIRED', status: 200, bytes: 10, edge: 'edge-2' }],
    ['reel_cache BYPASS 404 0', { cache: 'BYPASS', status: 404, bytes: 0, edge: 'unknown' }],
  ])('%s', (line, entry) => expect(parseEdgeCacheLine(line)).toEqual(entry));

  it.each(['', 'reel_cache - 200 10 e', 'reel_cache hit 200 10 e', 'reel_cache HIT abc 10 e', '127.0.0.1 - - "GET / HTTP/1.1" 200 5'])('ignores %j', (line) => {
    expect(parseEdgeCacheLine(line)).toBeNull();
  });
});

describe('following the log file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reel-edge-log-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('counts from the start of reading, waits for whole lines, follows rotation and truncation', async () => {
    const path = join(dir, 'cache.log');
    writeFileSync(path, 'reel_cache HIT 200 1 old\n');
    const lines: string[] = [];
    const tail = new LogTail(path, (l) => lines.push(l));
    expect(await tail.poll()).toBe(0); // history is not counted
    appendFileSync(path, 'reel_cache MISS 200 2 a\nreel_cache HIT 2');
    await tail.poll();
    expect(lines).toEqual(['reel_cache MISS 200 2 a']);
    appendFileSync(path, '00 3 a\n');
    await tail.poll();
    expect(lines.at(-1)).toBe('reel_cache HIT 200 3 a');

    // rotated away: a new file is read from its start
    renameSync(path, `${path}.1`);
    await tail.poll();
    writeFileSync(path, 'reel_cache HIT 200 4 b\n');
    await tail.poll();
    expect(lines.at(-1)).toBe('reel_cache HIT 200 4 b');
    // rotated with the new file already there (another inode)
    renameSync(path, `${path}.2`);
    writeFileSync(path, 'reel_cache STALE 200 5 c\n');
    await tail.poll();
    expect(lines.at(-1)).toBe('reel_cache STALE 200 5 c');
    // truncated in place (copytruncate)
    truncateSync(path, 0);
    appendFileSync(path, 'reel_cache MISS 200 6 d\n');
    await tail.poll();
    expect(lines.at(-1)).toBe('reel_cache MISS 200 6 d');
    expect(lines).toHaveLength(5);
    // overlapping polls read each line once
    appendFileSync(path, 'reel_cache HIT 200 7 d\n');
    await Promise.all([tail.poll(), tail.poll(), tail.poll()]);
    expect(lines).toHaveLength(6);
  });
});
