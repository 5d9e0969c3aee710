/**
 * Temporal chunking: where to cut a source so chunks can be encoded independently and in parallel. Pure.
 *
 * Cut points are exact source frame timestamps (so no frame is lost or duplicated at a boundary), preferably
 * keyframes (GOP-aligned: the decoder starts a chunk without decoding frames it throws away). The first chunk
 * is short so the opening seconds become playable quickly.
 */

export interface Chunk {
  index: number;
  /** seconds from the start of the (start-time adjusted) source timeline; an exact frame timestamp */
  start: number;
  /** exclusive end; the next chunk's start, or the source duration for the last one */
  end: number;
}

export interface ChunkPlanInput {
  /** presentation timestamps (s) of every video frame, ascending */
  framePts: number[];
  /** timestamps (s) of keyframes, ascending (a subset of framePts) */
  keyframePts: number[];
  durationSec: number;
  chunkSec: number;
  firstChunkSec: number;
  /** segments are cut at multiples of this inside a chunk; chunk lengths are rounded to it when possible */
  segmentSec: number;
}

function nearestIndex(sorted: number[], t: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(sorted[lo - 1] - t) <= Math.abs(sorted[lo] - t)) return lo - 1;
  return lo;
}

/**
 * Plan chunks: targets at firstChunkSec, then every chunkSec. Each cut snaps to a keyframe within a quarter
 * chunk of the target, else to the nearest frame. A tail shorter than half a chunk joins the previous chunk.
 */
export function planChunks(input: ChunkPlanInput): Chunk[] {
  const { framePts, keyframePts, durationSec, chunkSec, firstChunkSec } = input;
  const end = durationSec;
  const cuts: number[] = [];
  if (framePts.length === 0 || durationSec <= 0) return [{ index: 0, start: 0, end: Math.max(0, durationSec) }];
  const first = framePts[0];
  let target = first + firstChunkSec;
  let last = first;
  while (target < end) {
    const tolerance = chunkSec / 4;
    let cut: number | null = null;
    if (keyframePts.length) {
      const k = keyframePts[nearestIndex(keyframePts, target)];
      if (Math.abs(k - target) <= tolerance && k > last) cut = k;
    }
    if (cut === null) {
      const f = framePts[nearestIndex(framePts, target)];
      if (f > last) cut = f;
    }
    // a short tail joins the previous chunk (the first cut only needs a second after it)
    if (cut === null || end - cut < (cuts.length === 0 ? 1 : chunkSec / 2)) break;
    cuts.push(cut);
    last = cut;
    target = cut + chunkSec;
  }
  const starts = [0, ...cuts];
  return starts.map((s, i) => ({ index: i, start: i === 0 ? 0 : s, end: i + 1 < starts.length ? starts[i + 1] : end }));
}
