/**
 * Synthetic catalogue and watch log for the discovery benchmarks (bench/recommend-eval.ts,
 * bench/discovery-latency.ts), seeded and reproducible:
 *  - topics, each with its own vocabulary; channels with one main topic; videos mostly on their channel's topic,
 *    titles/tags/descriptions drawn from the topic's words plus common words; publish dates over a year;
 *  - popularity: Zipf (s = 1) over a random permutation of the videos, globally, per topic and per channel;
 *  - viewers with one to three favourite topics, watching in sessions: a session starts on a popular video of a
 *    favourite topic (or of the whole site), then moves on to the same channel, the same topic, or anywhere;
 *    each viewer watches a video at most once; sessions spread over the last 30 days.
 * Loading writes the rows the product writes (users, channels, videos, view_events, counter shards, hourly
 * roll-ups) and then builds the search index with the product's own indexer (SearchIndexer.reconcile).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pino from 'pino';
import type { DatabaseHandle } from '../src/adapters/db/connect.js';
import { SearchIndexer } from '../src/discovery/search-indexer.js';
import { searchIndexFor } from '../src/discovery/discovery.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface SynthOptions {
  videos: number;
  viewers: number;
  /** watch events to generate (approximately; stops at this many) */
  events: number;
  topics: number;
  videosPerChannel: number;
  seed: number;
  now: number;
}

export interface Synth {
  videoIds: string[];
  channelOf: Int32Array;
  topicWords: string[][];
  /** per viewer: watched video indexes in time order, and the times */
  watches: Array<{ key: string; videos: number[]; times: number[] }>;
  titles: string[];
}

/** mulberry32: small, fast, seeded */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'shi', 'pra', 'den', 'gor', 'lin', 'mar', 'tos', 'vel', 'qui', 'bra', 'zen', 'fo', 'hal'];
const COMMON = ['how', 'to', 'best', 'guide', 'review', 'tutorial', 'vlog', 'day', 'first', 'new', 'top', 'ten', 'easy', 'quick', 'live', 'full', 'part', 'episode', 'tips', 'update'];

/** A sampler over weights (cumulative sums + binary search). */
class Sampler {
  private readonly cum: Float64Array;
  constructor(
    private readonly items: Int32Array | number[],
    weight: (i: number) => number,
  ) {
    this.cum = new Float64Array(items.length);
    let s = 0;
    for (let i = 0; i < items.length; i++) this.cum[i] = s += weight(items[i]);
  }
  get size() {
    return this.items.length;
  }
  pick(r: number): number {
    const x = r * this.cum[this.cum.length - 1];
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cum[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return this.items[lo];
  }
}

export function generate(o: SynthOptions): Synth & { meta: Array<{ title: string; description: string; tags: string[]; durationSec: number; publishedAt: number; topic: number }> } {
  const r = rng(o.seed);
  const int = (n: number) => Math.floor(r() * n);
  const word = () => SYLLABLES[int(SYLLABLES.length)] + SYLLABLES[int(SYLLABLES.length)] + (r() < 0.5 ? SYLLABLES[int(SYLLABLES.length)] : '');
  const topicWords = Array.from({ length: o.topics }, () => Array.from({ length: 40 }, word));
  const channels = Math.max(1, Math.round(o.videos / o.videosPerChannel));
  const channelTopic = Int32Array.from({ length: channels }, () => int(o.topics));
  // Zipf popularity over a random permutation
  const perm = Int32Array.from({ length: o.videos }, (_, i) => i);
  for (let i = perm.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  const weight = new Float64Array(o.videos);
  for (let rank = 0; rank < o.videos; rank++) weight[perm[rank]] = 1 / (rank + 1);
  const channelOf = new Int32Array(o.videos);
  const topicOf = new Int32Array(o.videos);
  const meta = [];
  const zipfWord = (ws: string[]) => ws[Math.min(ws.length - 1, Math.floor(ws.length * r() ** 2))];
  for (let v = 0; v < o.videos; v++) {
    const c = int(channels);
    channelOf[v] = c;
    const topic = r() < 0.85 ? channelTopic[c] : int(o.topics);
    topicOf[v] = topic;
    const tw = topicWords[topic];
    const title = [COMMON[int(COMMON.length)], zipfWord(tw), zipfWord(tw), r() < 0.5 ? COMMON[int(COMMON.length)] : zipfWord(tw), String(1 + int(50))].join(' ');
    const description = Array.from({ length: 12 + int(12) }, () => (r() < 0.5 ? zipfWord(tw) : COMMON[int(COMMON.length)])).join(' ');
    const tags = [...new Set(Array.from({ length: 2 + int(3) }, () => zipfWord(tw)))];
    meta.push({ title, description, tags, durationSec: 30 + int(3600), publishedAt: o.now - 31 * DAY - int(330) * DAY - int(DAY), topic });
  }
  const all = Int32Array.from({ length: o.videos }, (_, i) => i);
  const global = new Sampler(all, (v) => weight[v]);
  const byTopic: Sampler[] = [];
  const byChannel: Sampler[] = [];
  {
    const tLists: number[][] = Array.from({ length: o.topics }, () => []);
    const cLists: number[][] = Array.from({ length: channels }, () => []);
    for (let v = 0; v < o.videos; v++) {
      tLists[topicOf[v]].push(v);
      cLists[channelOf[v]].push(v);
    }
    for (const l of tLists) byTopic.push(new Sampler(l.length ? l : [0], (v) => weight[v]));
    for (const l of cLists) byChannel.push(new Sampler(l.length ? l : [0], (v) => weight[v]));
  }
  const watches: Synth['watches'] = [];
  let events = 0;
  const perViewer = o.events / o.viewers;
  for (let u = 0; u < o.viewers && events < o.events; u++) {
    const favs = Array.from({ length: 1 + int(3) }, () => int(o.topics));
    const seen = new Set<number>();
    const videos: number[] = [];
    const times: number[] = [];
    const target = Math.max(2, Math.round(perViewer * (0.3 + 1.4 * r())));
    let t = o.now - 30 * DAY + int(10 * DAY);
    while (videos.length < target) {
      let v = r() < 0.75 ? byTopic[favs[int(favs.length)]].pick(r()) : global.pick(r());
      const len = 1 + Math.floor(-Math.log(1 - r()) * 4);
      for (let s = 0; s < len && videos.length < target; s++) {
        if (!seen.has(v)) {
          seen.add(v);
          videos.push(v);
          times.push(Math.min(o.now - 1000, t));
          t += 5 * 60_000 + int(20 * 60_000);
        }
        const x = r();
        v = x < 0.45 ? byChannel[channelOf[v]].pick(r()) : x < 0.85 ? byTopic[topicOf[v]].pick(r()) : global.pick(r());
      }
      t += int(2 * DAY);
      if (seen.size >= o.videos) break;
    }
    events += videos.length;
    watches.push({ key: `a:bench-${u}`, videos, times });
  }
  return { videoIds: Array.from({ length: o.videos }, () => seededUuid(r)), channelOf, topicWords, watches, titles: meta.map((m) => m.title), meta };
}

/** A version-4-shaped UUID from the seeded generator (so a cached database matches a regenerated catalogue). */
function seededUuid(r: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(r() * 16).toString(16));
  hex[12] = '4';
  hex[16] = '89ab'[Math.floor(r() * 4)];
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

async function insertRows(handle: DatabaseHandle, table: string, cols: string[], rows: unknown[][]): Promise<void> {
  const chunk = Math.floor((handle.dialect === 'postgres' ? 60000 : 30000) / cols.length);
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    await handle.db
      .insertInto(table as any)
      .values(part.map((row) => Object.fromEntries(cols.map((c, k) => [c, row[k]]))) as any)
      .execute();
  }
}

/** Writes the catalogue and the watch log (minus `holdout` per viewer: the last N watches) and indexes it. */
export async function load(handle: DatabaseHandle, s: ReturnType<typeof generate>, o: { holdout: number; log?: (m: string) => void }): Promise<void> {
  const log = o.log ?? (() => {});
  const channels = Math.max(...s.channelOf) + 1;
  const t0 = Date.now() - 400 * DAY;
  const userIds = Array.from({ length: channels }, () => randomUUID());
  const channelIds = Array.from({ length: channels }, () => randomUUID());
  await handle.db.transaction().execute(async (tx) => {
    const h = { ...handle, db: tx as unknown as DatabaseHandle['db'] };
    await insertRows(h, 'users', ['id', 'email', 'password_hash', 'created_at'], userIds.map((id, i) => [id, `creator${i}@bench.test`, 'x', t0]));
    await insertRows(h, 'channels', ['id', 'user_id', 'handle', 'name', 'created_at'], channelIds.map((id, i) => [id, userIds[i], `creator${i}`, `Creator ${i} ${s.topicWords[i % s.topicWords.length][0]}`, t0]));
    log(`  ${channels} channels`);
    await insertRows(
      h,
      'videos',
      ['id', 'channel_id', 'title', 'description', 'tags', 'visibility', 'status', 'duration_sec', 'width', 'height', 'renditions', 'progress', 'created_at', 'updated_at', 'published_at'],
      s.meta.map((m, v) => [s.videoIds[v], channelIds[s.channelOf[v]], m.title, m.description, JSON.stringify(m.tags), 'public', 'ready', m.durationSec, 1280, 720, '[]', 1, m.publishedAt, m.publishedAt, m.publishedAt]),
    );
    log(`  ${s.meta.length} videos`);
  });
  const counts = new Map<number, number>();
  const hourly = new Map<string, number>();
  const events: unknown[][] = [];
  for (const w of s.watches) {
    const keep = w.videos.length - o.holdout;
    for (let i = 0; i < keep; i++) {
      const v = w.videos[i];
      const hour = Math.floor(w.times[i] / HOUR) * HOUR;
      events.push([s.videoIds[v], w.key, hour, w.times[i], null, 'ZZ', 'desktop', 60]);
      counts.set(v, (counts.get(v) ?? 0) + 1);
      const hk = `${v}|${hour}`;
      hourly.set(hk, (hourly.get(hk) ?? 0) + 1);
    }
  }
  await handle.db.transaction().execute(async (tx) => {
    const h = { ...handle, db: tx as unknown as DatabaseHandle['db'] };
    await insertRows(h, 'view_events', ['video_id', 'viewer_key', 'hour', 'at', 'user_id', 'country', 'device', 'watch_sec'], events);
    log(`  ${events.length} view events`);
    await insertRows(h, 'video_view_counts', ['video_id', 'shard', 'views'], [...counts.entries()].map(([v, n]) => [s.videoIds[v], 0, n]));
    await insertRows(
      h,
      'video_view_hourly',
      ['video_id', 'hour', 'country', 'device', 'views'],
      [...hourly.entries()].map(([k, n]) => {
        const [v, hour] = k.split('|');
        return [s.videoIds[Number(v)], Number(hour), 'ZZ', 'desktop', n];
      }),
    );
  });
  // steady state: statistics and (PostgreSQL) the visibility map that autovacuum would have built
  await sql.raw(handle.dialect === 'postgres' ? 'vacuum analyze' : 'analyze').execute(handle.db);
  const started = Date.now();
  const r = await new SearchIndexer(handle.db, searchIndexFor(handle), pino({ level: 'silent' })).reconcile();
  log(`  search index: ${r.indexed} documents in ${((Date.now() - started) / 1000).toFixed(1)} s (SearchIndexer.reconcile)`);
  await sql.raw(handle.dialect === 'postgres' ? 'vacuum analyze' : 'analyze').execute(handle.db);
}
