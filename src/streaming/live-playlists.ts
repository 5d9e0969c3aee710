/**
 * Progressive availability: while a video is processing, its playlists are rendered from the tasks'
 * outputs (what is already published), so a player can start on the opening seconds and keep going as
 * chunks land. Once packaged, the static files in the blob store take over.
 */
import type { VideosService } from '../catalog/videos-service.js';
import type { TaskQueue } from '../processing/task-queue.js';
import type { AudioOutput, ChunkOutput, MediaPlan } from '../processing/media-plan.js';
import { renderMediaPlaylist, renderProvisionalMaster, rungSegments } from './playlists.js';

export class LivePlaylists {
  constructor(
    private readonly videos: VideosService,
    private readonly queue: TaskQueue,
    private readonly audioKbps: number,
    private readonly cipher?: { isEncrypted(videoId: string): Promise<boolean> },
  ) {}

  /** The playlist text for `file` of a processing video, or null when it is not a live playlist. */
  async render(videoId: string, file: string): Promise<string | null> {
    const plan = await this.videos.getPlan<MediaPlan>(videoId);
    if (!plan) return null;
    if (file === 'master.m3u8') return renderProvisionalMaster(plan.rungs, !!plan.info.audio, this.audioKbps);
    const m = /^([a-z0-9]+)\/index\.m3u8$/.exec(file);
    if (!m) return null;
    const outputs = [...(await this.queue.outputs(videoId)).values()];
    const encrypted = (await this.cipher?.isEncrypted(videoId)) ?? false;
    if (m[1] === 'audio') {
      const a = outputs.find((o) => o.kind === 'encode-audio')?.output as AudioOutput | null;
      const segs = (a?.segments ?? []).map((s) => ({ ...s, uri: s.uri.replace(/^audio\//, '') }));
      return renderMediaPlaylist(segs, { ended: !!a?.complete, kind: 'EVENT', encryptedDir: encrypted ? 'audio' : undefined });
    }
    const rung = plan.rungs.find((r) => r.name === m[1]);
    if (!rung) return null;
    const chunks = outputs.filter((o) => o.kind === 'encode-chunk' && o.output).map((o) => o.output as ChunkOutput);
    const { segments, complete } = rungSegments(chunks, plan.chunks.length, rung.name);
    const prefix = `${rung.name}/`;
    return renderMediaPlaylist(
      segments.map((s) => ({ ...s, uri: s.uri.startsWith(prefix) ? s.uri.slice(prefix.length) : s.uri })),
      { ended: complete, kind: 'EVENT', encryptedDir: encrypted ? rung.name : undefined },
    );
  }

  /** Seconds of each rung available from the start (for players deciding which rungs to allow). */
  async availability(videoId: string): Promise<Record<string, number>> {
    const plan = await this.videos.getPlan<MediaPlan>(videoId);
    if (!plan) return {};
    const outputs = [...(await this.queue.outputs(videoId)).values()];
    const chunks = outputs.filter((o) => o.kind === 'encode-chunk' && o.output).map((o) => o.output as ChunkOutput);
    return Object.fromEntries(
      plan.rungs.map((r) => {
        const { segments } = rungSegments(chunks, plan.chunks.length, r.name);
        return [r.name, Number(segments.reduce((a, s) => a + s.durationSec, 0).toFixed(3))];
      }),
    );
  }
}
