/**
 * Live processing progress for the creator studio as server-sent events (text/event-stream): one stream per
 * signed-in owner (optionally one video), pushing a `progress` event for each of the owner's uploading or
 * processing videos whenever its snapshot changes (status, playable, progress, seconds encoded per rung,
 * tasks done), a last one when it becomes ready or fails, `removed` when it is deleted, and `added` when a new
 * upload appears. The server samples the database (workers may be other processes) every `intervalMs`; a
 * comment line keeps proxies from timing the stream out. Streams end when the client goes away or the server
 * closes (closeAll, from the app's preClose hook), so shutdown never waits on an open studio tab.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CurrentUser } from '../accounts/accounts-service.js';
import type { VideosService, VideoView } from './videos-service.js';

export interface ProgressSnapshot {
  id: string;
  title: string;
  status: string;
  playable: boolean;
  /** 0..1, the pipeline's overall progress */
  progress: number;
  durationSec: number | null;
  /** seconds of each rendition playable from the start */
  rungs: Record<string, number>;
  tasks: { done: number; total: number; failed: number };
  error: { code: string; message: string } | null;
}

export interface ProgressSources {
  videos: Pick<VideosService, 'listMine' | 'getVisible'>;
  /** tasks of a video (the queue) */
  tasks(videoId: string): Promise<Array<{ state: string }>>;
  /** seconds per rung available so far (live playlists) */
  availability(videoId: string): Promise<Record<string, number>>;
}

export interface ProgressEventsOptions {
  intervalMs?: number;
  heartbeatMs?: number;
  /** open streams per account (more get 429: each one samples the database) */
  maxPerUser?: number;
}

const ACTIVE = new Set(['uploading', 'processing']);

export class ProgressEvents {
  private readonly streams = new Set<{ userId: string; close(): void }>();
  private readonly intervalMs: number;
  private readonly heartbeatMs: number;
  readonly maxPerUser: number;

  constructor(
    private readonly src: ProgressSources,
    opts: ProgressEventsOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 1000;
    this.heartbeatMs = opts.heartbeatMs ?? 15_000;
    this.maxPerUser = opts.maxPerUser ?? 8;
  }

  /** streams open now */
  get open(): number {
    return this.streams.size;
  }

  openFor(userId: string): number {
    let n = 0;
    for (const s of this.streams) if (s.userId === userId) n++;
    return n;
  }

  async snapshot(v: VideoView): Promise<ProgressSnapshot> {
    const [tasks, rungs] = await Promise.all([
      this.src.tasks(v.id),
      v.status === 'processing' ? this.src.availability(v.id) : Promise.resolve(v.status === 'ready' ? Object.fromEntries(v.renditions.filter((r) => (r.codec ?? 'h264') === 'h264').map((r) => [r.name, v.durationSec ?? 0])) : {}),
    ]);
    return {
      id: v.id,
      title: v.title,
      status: v.status,
      playable: v.playable,
      progress: v.progress,
      durationSec: v.durationSec,
      rungs,
      tasks: { done: tasks.filter((t) => t.state === 'done').length, total: tasks.length, failed: tasks.filter((t) => t.state === 'failed' || t.state === 'dead').length },
      error: v.error,
    };
  }

  /** Snapshots of the owner's uploading/processing videos now (or of the one video asked for). */
  async current(owner: CurrentUser, videoId: string | null): Promise<ProgressSnapshot[]> {
    const mine = (await this.src.videos.listMine(owner)).filter((v) => (videoId ? v.id === videoId : ACTIVE.has(v.status)));
    return Promise.all(mine.map((v) => this.snapshot(v)));
  }

  /** Serve one stream on the raw response; the caller has authenticated `owner` (and checked `videoId` is theirs). */
  serve(owner: CurrentUser, _req: IncomingMessage, res: ServerResponse, videoId: string | null): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx (edge or reverse proxy) must pass events on at once
      'x-accel-buffering': 'no',
    });
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    let eventId = 0;
    const sent = new Map<string, string>();
    const write = (text: string) => {
      if (!closed) res.write(text);
    };
    const send = (event: string, data: unknown) => write(`id: ${++eventId}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const heartbeat = setInterval(() => write(`: keep-alive\n\n`), this.heartbeatMs);
    const stream = {
      userId: owner.id,
      close: () => {
        if (closed) return;
        closed = true;
        clearTimeout(timer);
        clearInterval(heartbeat);
        this.streams.delete(stream);
        if (!res.writableEnded) res.end();
      },
    };
    this.streams.add(stream);
    // the response's close is the client going away (a request's own 'close' only means its body was read)
    res.on('close', stream.close);
    res.on('error', stream.close);

    let first = true;
    const tick = async () => {
      try {
        const mine = (await this.src.videos.listMine(owner)).filter((v) => (videoId ? v.id === videoId : true));
        if (closed) return;
        const byId = new Map(mine.map((v) => [v.id, v]));
        // tracked videos that were deleted
        for (const id of [...sent.keys()]) {
          if (!byId.has(id)) {
            sent.delete(id);
            send('removed', { id });
          }
        }
        for (const v of mine) {
          const tracked = sent.has(v.id);
          // active videos, plus the last word on tracked ones (ready/failed), plus the one video asked for
          if (!ACTIVE.has(v.status) && !tracked && !(videoId && first)) continue;
          const snap = await this.snapshot(v);
          if (closed) return;
          const json = JSON.stringify(snap);
          if (sent.get(v.id) !== json) {
            if (!tracked && !first) send('added', { id: v.id, status: v.status });
            send('progress', snap);
          }
          if (ACTIVE.has(v.status)) sent.set(v.id, json);
          else sent.delete(v.id);
        }
        first = false;
      } catch {
        // a failed sample (database restarting) is skipped; the next one catches up
      }
      if (!closed) timer = setTimeout(() => void tick(), this.intervalMs);
    };
    write(`retry: 3000\n\n`);
    send('hello', { intervalMs: this.intervalMs, videoId });
    void tick();
  }

  /** End every stream (server shutdown). */
  closeAll(): void {
    for (const s of [...this.streams]) s.close();
  }
}
