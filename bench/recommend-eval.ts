/**
 * Offline evaluation of the recommender (issue 6): hit rate@10 against a most-popular baseline.
 *
 *   npx tsx bench/recommend-eval.ts [--videos=20000] [--viewers=10000] [--events=300000] [--sample=2000] [--seed=1] [--weights='{"cowatch":1,…}']
 *
 * A synthetic catalogue and watch log (bench/discovery-synthetic.ts: Zipf popularity, channels, topic tags and
 * words, sessions) is written to an SQLite file through the product's migrations, holding out each viewer's LAST
 * watch. For a sample of viewers with at least two remaining watches, the real recommender
 * (RecommendationsService.recommend: the SQL candidate queries, co-watch from the precomputed table
 * (CowatchTable.rebuild over the loaded log), the pure ranking core, home-feed mode, the
 * viewer identified by its view-log key like an anonymous player) returns 10 videos; a hit is the held-out video
 * among them. Baseline: the 10 most viewed videos the viewer has not watched yet (the same popular list the
 * recommender falls back to). Target: hit rate ≥ 2× the baseline.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/adapters/db/connect.js';
import { VideosService } from '../src/catalog/videos-service.js';
import { FsBlobStore } from '../src/adapters/blob/fs-blob-store.js';
import { CandidateQueries } from '../src/discovery/candidates.js';
import { CowatchTable } from '../src/discovery/cowatch.js';
import { SimilarTable } from '../src/discovery/similar.js';
import { TrendingService } from '../src/discovery/trending-service.js';
import { RecommendationsService } from '../src/discovery/recommendations-service.js';
import { searchIndexFor } from '../src/discovery/discovery.js';
import { RECOMMEND_WEIGHTS } from '../src/core/discovery-ranking.js';
import { generate, load, rng } from './discovery-synthetic.js';

function parseCli(argv: string[]) {
  const o = { videos: 20_000, viewers: 10_000, events: 300_000, sample: 2000, seed: 1, weights: {} as Record<string, number> };
  for (const a of argv) {
    if (a.startsWith('--weights=')) {
      o.weights = JSON.parse(a.slice('--weights='.length)) as Record<string, number>;
      continue;
    }
    const m = /^--(videos|viewers|events|sample|seed)=(\d+)$/.exec(a);
    if (!m) throw new Error(`unknown option ${a}`);
    o[m[1] as 'videos'] = Number(m[2]);
  }
  return o;
}

async function main() {
  const o = parseCli(process.argv.slice(2));
  const now = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'reel-rec-eval-'));
  console.log(`recommend-eval: ${o.videos} videos, ${o.viewers} viewers, ~${o.events} watch events, sample ${o.sample}, seed ${o.seed}`);
  console.log(`weights: ${JSON.stringify({ ...RECOMMEND_WEIGHTS, ...o.weights })}`);
  const handle = await openDatabase(`sqlite:${join(dir, 'eval.db')}`);
  try {
    let t = Date.now();
    const synth = generate({ videos: o.videos, viewers: o.viewers, events: o.events, topics: 60, videosPerChannel: 40, seed: o.seed, now });
    console.log(`generated in ${((Date.now() - t) / 1000).toFixed(1)} s; loading (last watch of every viewer held out)…`);
    t = Date.now();
    await load(handle, synth, { holdout: 1, log: console.log });
    console.log(`loaded in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    // the co-watch table as the product keeps it (built here in one go from the loaded log)
    t = Date.now();
    const cowatch = new CowatchTable(handle.db, {}, handle.reader);
    const built = await cowatch.rebuild({ lagMs: 0 });
    console.log(`co-watch table built from ${built.events} events in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    // and the "similar" lists (computed from the search index for every video, as the background job does)
    t = Date.now();
    const similar = new SimilarTable(handle.db, searchIndexFor(handle), {}, handle.reader);
    const sim = await similar.rebuild({ lagMs: 0 });
    console.log(`similar lists: ${sim.computed} computed in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const queries = new CandidateQueries(handle.reader);
    const trending = new TrendingService(queries, { now: () => now, ttlMs: 3_600_000 });
    const videos = new VideosService(handle.db, new FsBlobStore(join(dir, 'blobs')));
    // a generous budget: this measures quality, not latency (bench/discovery-latency.ts does that)
    const recs = new RecommendationsService(queries, similar, trending, videos, { now: () => now, budgetMs: 60_000, weights: { ...RECOMMEND_WEIGHTS, ...o.weights } });
    const popular = await trending.popular();

    const eligible = synth.watches.filter((w) => w.videos.length >= 3);
    const r = rng(o.seed + 99);
    const sample = eligible.length <= o.sample ? eligible : Array.from({ length: o.sample }, () => eligible[Math.floor(r() * eligible.length)]);
    let hits = 0;
    let baseHits = 0;
    let degraded = 0;
    const reasonHits = new Map<string, number>();
    t = Date.now();
    for (const w of sample) {
      const heldOut = synth.videoIds[w.videos[w.videos.length - 1]];
      const watched = new Set(w.videos.slice(0, -1).map((v) => synth.videoIds[v]));
      const rec = await recs.recommend({ userId: null, viewerKey: w.key }, { limit: 10 });
      if (rec.degraded.length) degraded++;
      const hit = rec.ranked.find((x) => x.videoId === heldOut);
      if (hit) {
        hits++;
        const top = hit.reasons[0]?.source ?? 'none';
        reasonHits.set(top, (reasonHits.get(top) ?? 0) + 1);
      }
      const base = popular.filter((p) => !watched.has(p.videoId)).slice(0, 10);
      if (base.some((p) => p.videoId === heldOut)) baseHits++;
    }
    const ms = (Date.now() - t) / sample.length;
    const hr = hits / sample.length;
    const bhr = baseHits / sample.length;
    console.log('');
    console.log(`viewers evaluated:           ${sample.length} (of ${eligible.length} with ≥ 3 watches), ${ms.toFixed(1)} ms per recommendation, ${degraded} degraded`);
    console.log(`hit rate@10 recommender:     ${(hr * 100).toFixed(2)} %  (${hits} hits)`);
    console.log(`hit rate@10 most popular:    ${(bhr * 100).toFixed(2)} %  (${baseHits} hits)`);
    console.log(`ratio:                       ${bhr > 0 ? (hr / bhr).toFixed(2) : '∞'}×   (target ≥ 2×: ${bhr === 0 ? (hr > 0 ? 'met' : 'NOT met') : hr / bhr >= 2 ? 'met' : 'NOT met'})`);
    console.log(`hits by strongest reason:    ${[...reasonHits.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  } finally {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
