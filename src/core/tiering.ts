/**
 * Storage tiering decisions. Pure: given each published video's view statistics and where its renditions
 * are now, say which renditions move to the cold store or are dropped (re-created on demand when watched).
 *
 * Policies
 * - `off`: nothing moves.
 * - `cold`: every rendition (video rungs, audio) and the kept source of an idle video moves to the cold store;
 *   it is served from there and promoted back to the hot store when watched.
 * - `drop-top`: the top `dropRungs` video rungs of each codec ladder of an idle video are deleted (never below
 *   `keepRungs` rungs; audio is never dropped) and re-encoded when the video is watched again (after
 *   `recreateAfterViews` counted views since the drop, 0 = the first watch); its kept source,
 *   if any, moves to the cold store (so the re-encode starts from the original, not from a lower rung).
 *
 * A video is idle when it is at least `idleDays` old, had fewer than `minViews` counted views in the last
 * `idleDays` days, and none of its files was fetched from the origin in that window.
 */

export type TieringPolicyKind = 'off' | 'cold' | 'drop-top';
export type Tier = 'hot' | 'cold' | 'dropped' | 'restoring';
export type RenditionKind = 'video' | 'audio' | 'source';

export interface TieringPolicy {
  kind: TieringPolicyKind;
  idleDays: number;
  minViews: number;
  /** drop-top: how many of the top rungs go */
  dropRungs: number;
  /** drop-top: never keep fewer rungs than this (at least 1) */
  keepRungs: number;
  /**
   * drop-top: re-create dropped rungs once the video has this many counted views since they were dropped;
   * 0 = on the first watch. Until then viewers get the lower rungs, and a one-off watch costs no encode.
   */
  recreateAfterViews?: number;
}

export interface RenditionState {
  /** folder name under the video ("720p", "720p-vp9", "audio") or "source" */
  name: string;
  kind: RenditionKind;
  /** video rungs: the codec ladder it belongs to (h264, vp9, av1) */
  codec?: string;
  /** video rungs: position in the ladder, 0 = lowest */
  rank?: number;
  tier: Tier;
  bytes: number;
}

export interface VideoUsage {
  videoId: string;
  /** when it became ready (ms) */
  publishedAt: number;
  /** counted views in the last `idleDays` days */
  recentViews: number;
  /** the last time a file of it was fetched from a non-hot tier or a re-created rung was served (ms), if ever */
  lastAccessAt: number | null;
  renditions: RenditionState[];
  /** false: the video cannot be re-encoded on demand (no processing plan), so drop-top only moves its source */
  canRecreate?: boolean;
}

export interface TierMove {
  videoId: string;
  rendition: string;
  kind: RenditionKind;
  from: Tier;
  to: 'cold' | 'dropped';
  bytes: number;
}

export const DAY_MS = 86_400_000;

export function isIdle(u: VideoUsage, p: TieringPolicy, now: number): boolean {
  const window = p.idleDays * DAY_MS;
  if (now - u.publishedAt < window) return false;
  if (u.recentViews >= Math.max(1, p.minViews)) return false;
  if (u.lastAccessAt !== null && now - u.lastAccessAt < window) return false;
  return true;
}

/** The video rungs the drop-top policy removes from one video: the top ones of each codec ladder. */
export function rungsToDrop(renditions: RenditionState[], p: Pick<TieringPolicy, 'dropRungs' | 'keepRungs'>): RenditionState[] {
  const byCodec = new Map<string, RenditionState[]>();
  for (const r of renditions) {
    if (r.kind !== 'video') continue;
    const list = byCodec.get(r.codec ?? 'h264') ?? [];
    list.push(r);
    byCodec.set(r.codec ?? 'h264', list);
  }
  const out: RenditionState[] = [];
  const keep = Math.max(1, Math.floor(p.keepRungs));
  for (const ladder of byCodec.values()) {
    ladder.sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
    const n = Math.max(0, Math.min(Math.floor(p.dropRungs), ladder.length - keep));
    out.push(...ladder.slice(ladder.length - n));
  }
  return out;
}

/**
 * What to move now. Videos with a rendition being re-created are left alone; nothing is ever promoted here
 * (promotion happens when a viewer asks for the files).
 */
export function planTiering(videos: VideoUsage[], p: TieringPolicy, now: number): TierMove[] {
  if (p.kind === 'off') return [];
  const moves: TierMove[] = [];
  for (const v of videos) {
    if (v.renditions.some((r) => r.tier === 'restoring')) continue;
    if (!isIdle(v, p, now)) continue;
    const move = (r: RenditionState, to: 'cold' | 'dropped') => moves.push({ videoId: v.videoId, rendition: r.name, kind: r.kind, from: r.tier, to, bytes: r.bytes });
    if (p.kind === 'cold') {
      for (const r of v.renditions) if (r.tier === 'hot') move(r, 'cold');
      continue;
    }
    const drop = new Set(v.canRecreate === false ? [] : rungsToDrop(v.renditions, p).map((r) => r.name));
    for (const r of v.renditions) {
      if (drop.has(r.name) && (r.tier === 'hot' || r.tier === 'cold')) move(r, 'dropped');
      else if (r.kind === 'source' && r.tier === 'hot') move(r, 'cold');
    }
  }
  return moves;
}

/** Whether a watch of a video with dropped rungs re-creates them, given the views counted since the drop. */
export function shouldRecreate(viewsSinceDrop: number, p: Pick<TieringPolicy, 'recreateAfterViews'>): boolean {
  return viewsSinceDrop >= Math.max(0, p.recreateAfterViews ?? 0);
}

export interface TierTotals {
  bytes: Record<Tier, number>;
  renditions: Record<Tier, number>;
}

/** Bytes and rendition counts by tier ("dropped" bytes are what the dropped renditions held before). */
export function totalsByTier(rows: Array<{ tier: Tier; bytes: number }>): TierTotals {
  const zero = (): Record<Tier, number> => ({ hot: 0, cold: 0, dropped: 0, restoring: 0 });
  const t = { bytes: zero(), renditions: zero() };
  for (const r of rows) {
    t.bytes[r.tier] += r.bytes;
    t.renditions[r.tier] += 1;
  }
  return t;
}

/** The rendition folder a media file belongs to ("720p/c00000_001.m4s" -> "720p"); null for top-level files. */
export function renditionOfFile(file: string): string | null {
  const i = file.indexOf('/');
  return i > 0 ? file.slice(0, i) : null;
}

/** Top-level manifests that list renditions: HLS masters and DASH MPDs. */
export const isTopManifest = (file: string) => !file.includes('/') && (/^master(-[a-z0-9]+)?\.m3u8$/.test(file) || /^manifest(-[a-z0-9]+)?\.mpd$/.test(file));

/**
 * A master playlist without the variants whose media playlist lives in one of `missing` folders
 * (e.g. "1080p/index.m3u8" when "1080p" is dropped). Everything else is kept as written.
 */
export function filterMasterPlaylist(text: string, missing: ReadonlySet<string>): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('#EXT-X-STREAM-INF:')) {
      let j = i + 1;
      while (j < lines.length && (lines[j].trim() === '' || lines[j].startsWith('#'))) j++;
      const uri = lines[j] ?? '';
      const dir = renditionOfFile(uri.trim());
      if (dir && missing.has(dir)) {
        i = j; // skip the tag and its URI
        continue;
      }
    }
    out.push(line);
  }
  return out.join('\n');
}

/**
 * A DASH MPD without the Representations whose id is in `missing`; the video AdaptationSet's maxWidth/maxHeight
 * follow what is left.
 */
export function filterMpd(text: string, missing: ReadonlySet<string>): string {
  const kept = text.replace(/[ \t]*<Representation id="([^"]+)"[^>]*>[\s\S]*?<\/Representation>\n?/g, (block, id: string) => (missing.has(id) ? '' : block));
  const sizes = [...kept.matchAll(/<Representation [^>]*width="(\d+)" height="(\d+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
  if (!sizes.length) return kept;
  const maxW = Math.max(...sizes.map((s) => s[0]));
  const maxH = Math.max(...sizes.map((s) => s[1]));
  return kept.replace(/(<AdaptationSet [^>]*contentType="video"[^>]*?)maxWidth="\d+" maxHeight="\d+"/, `$1maxWidth="${maxW}" maxHeight="${maxH}"`);
}
