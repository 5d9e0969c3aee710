/**
 * Playlists for segment-parallel output. Pure.
 * While a video is processing, media playlists are EVENT playlists listing the contiguous run of finished
 * chunks from the start; they end (ENDLIST) when the last chunk is in. The master lists every planned rung
 * with bandwidth estimated from the ladder until packaging measures the real one.
 */
import { HLS_INIT } from '../core/ffmpeg-args.js';
import { avcCodecString, type Rung } from '../core/ladder.js';
import { writeMasterPlaylist } from '../core/hls.js';
import { KEY_FILE, keyTag, segmentIv } from '../core/hls-encryption.js';
import type { ChunkOutput, ChunkSegment } from '../processing/media-plan.js';

export function rungSegments(chunkOutputs: ChunkOutput[], chunkCount: number, rung: string): { segments: ChunkSegment[]; complete: boolean; chunksReady: number } {
  const byChunk = new Map<number, ChunkSegment[]>();
  for (const o of chunkOutputs) if (o?.rungs?.[rung]) byChunk.set(o.chunk, o.rungs[rung]);
  const segments: ChunkSegment[] = [];
  let i = 0;
  for (; i < chunkCount && byChunk.has(i); i++) segments.push(...byChunk.get(i)!);
  return { segments, complete: i === chunkCount, chunksReady: i };
}

/**
 * `encryptedDir`: the rendition's folder when the video is AES-128 encrypted: every segment gets its
 * EXT-X-KEY (key one level up, shared by the video's renditions; IV from the segment's path).
 */
export function renderMediaPlaylist(segments: ChunkSegment[], opts: { ended: boolean; kind: 'VOD' | 'EVENT'; encryptedDir?: string }): string {
  const target = Math.max(1, Math.ceil(Math.max(0, ...segments.map((s) => s.durationSec)) - 0.001));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', `#EXT-X-TARGETDURATION:${target}`, '#EXT-X-MEDIA-SEQUENCE:0', `#EXT-X-PLAYLIST-TYPE:${opts.kind}`, '#EXT-X-INDEPENDENT-SEGMENTS', `#EXT-X-MAP:URI="${HLS_INIT}"`];
  for (const s of segments) {
    if (opts.encryptedDir) lines.push(keyTag(`../${KEY_FILE}`, segmentIv(`${opts.encryptedDir}/${s.uri}`)));
    lines.push(`#EXTINF:${s.durationSec.toFixed(6)},`, s.uri);
  }
  if (opts.ended) lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}

export function renderProvisionalMaster(rungs: Rung[], hasAudio: boolean, audioKbps: number): string {
  return writeMasterPlaylist(
    rungs.map((r) => ({ uri: `${r.name}/index.m3u8`, width: r.width, height: r.height, fps: r.fps, videoCodec: avcCodecString(r), peakBps: r.maxKbps * 1000, averageBps: Math.round(r.maxKbps * 700) })),
    hasAudio ? { uri: 'audio/index.m3u8', codec: 'mp4a.40.2', peakBps: audioKbps * 1000, averageBps: audioKbps * 1000 } : null,
  );
}
