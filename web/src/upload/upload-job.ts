// One file being uploaded with tus: creates the video, sends the bytes (resumable, pausable), measures speed
// and time left, then follows processing. Survives a page reload: tus-js-client keeps the upload URL under the
// file's fingerprint in localStorage, and we keep which video that upload belongs to (see unfinished()).
import * as tus from 'tus-js-client';
import { api, type Video, type Visibility } from '../lib/api';

export interface Meta { title: string; description: string; tags: string[]; visibility: Visibility }
export type Phase = 'creating' | 'uploading' | 'paused' | 'processing' | 'ready' | 'failed';
export interface JobState {
  phase: Phase;
  sent: number;
  total: number;
  bytesPerSec: number;
  secondsLeft: number | null;
  resumedFrom: number;
  error: string | null;
  video: Video | null;
}

const RECORDS = 'reel_uploads';
interface Record { videoId: string; title: string; name: string; size: number; lastModified: number; startedAt: number }

const key = (f: File) => `${f.name}:${f.size}:${f.lastModified}`;
function records(): { [k: string]: Record } {
  try { return JSON.parse(localStorage.getItem(RECORDS) ?? '{}'); } catch { return {}; }
}
function saveRecord(f: File, r: Record | null) {
  const all = records();
  if (r) all[key(f)] = r;
  else delete all[key(f)];
  localStorage.setItem(RECORDS, JSON.stringify(all));
}

/** Uploads this browser started and the server still waits for (to offer "pick the file again to continue"). */
export async function unfinished(): Promise<Array<Record & { received: number }>> {
  const list = Object.values(records()).sort((a, b) => b.startedAt - a.startedAt);
  const found = await Promise.all(list.map(async (r) => {
    const v = await api<Video>(`/api/videos/${r.videoId}`).catch(() => null);
    if (!v || v.status !== 'uploading') { forget(r.videoId); return null; }
    const up = await api<{ offset: number | null; size: number | null }>(`/api/videos/${r.videoId}/upload`).catch(() => null);
    return { ...r, title: v.title, received: up?.offset && up.size ? up.offset / up.size : 0 };
  }));
  return found.filter((x) => x !== null);
}
export function forget(videoId: string) {
  const all = records();
  for (const [k, r] of Object.entries(all)) if (r.videoId === videoId) delete all[k];
  localStorage.setItem(RECORDS, JSON.stringify(all));
}

export class UploadJob {
  readonly id = Math.random().toString(36).slice(2);
  state: JobState;
  private upload: tus.Upload | null = null;
  private listeners = new Set<() => void>();
  private samples: Array<[number, number]> = [];
  private stopped = false;

  constructor(readonly file: File, public meta: Meta) {
    this.state = { phase: 'creating', sent: 0, total: file.size, bytesPerSec: 0, secondsLeft: null, resumedFrom: 0, error: null, video: null };
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  private set(patch: Partial<JobState>) {
    this.state = { ...this.state, ...patch };
    this.listeners.forEach((l) => l());
  }

  async start(): Promise<void> {
    try {
      const existing = records()[key(this.file)];
      let videoId: string;
      if (existing && (await api<Video>(`/api/videos/${existing.videoId}`).then((v) => v.status === 'uploading', () => false))) {
        videoId = existing.videoId; // the same file again: continue that video's upload (and keep its details)
        const v = await api<Video>(`/api/videos/${videoId}`);
        this.meta = { title: v.title, description: v.description, tags: v.tags, visibility: v.visibility };
      } else {
        const created = await api<{ video: Video; upload: { endpoint: string; metadata: { [k: string]: string } } }>('/api/videos', { method: 'POST', body: this.meta });
        videoId = created.video.id;
        saveRecord(this.file, { videoId, title: this.meta.title, name: this.file.name, size: this.file.size, lastModified: this.file.lastModified, startedAt: Date.now() });
      }
      this.set({ video: await api<Video>(`/api/videos/${videoId}`), phase: 'uploading' });
      this.upload = new tus.Upload(this.file, {
        endpoint: new URL('/api/uploads', location.href).href,
        metadata: { videoId, filename: this.file.name, ...(this.file.type ? { filetype: this.file.type } : {}) },
        chunkSize: 8 * 1024 * 1024,
        retryDelays: [0, 1000, 3000, 5000, 10000],
        storeFingerprintForResuming: true,
        removeFingerprintOnSuccess: true,
        onProgress: (sent, total) => this.progress(sent, total),
        onError: (err) => this.set({ phase: 'failed', error: `Upload failed: ${err.message}` }),
        onSuccess: () => {
          saveRecord(this.file, null);
          this.set({ phase: 'processing', sent: this.file.size, secondsLeft: 0 });
          void this.follow(videoId);
        },
      });
      const previous = await this.upload.findPreviousUploads();
      if (previous.length) {
        this.upload.resumeFromPreviousUpload(previous[0]);
        this.set({ resumedFrom: -1 }); // known after the first HEAD
      }
      this.samples = [];
      this.upload.start();
    } catch (err) {
      this.set({ phase: 'failed', error: (err as Error).message });
    }
  }

  private progress(sent: number, total: number) {
    const now = performance.now();
    if (this.state.resumedFrom === -1) this.state.resumedFrom = sent;
    this.samples.push([now, sent]);
    while (this.samples.length > 2 && now - this.samples[0][0] > 5000) this.samples.shift();
    const [t0, b0] = this.samples[0];
    const bytesPerSec = now > t0 ? ((sent - b0) * 1000) / (now - t0) : 0;
    this.set({ sent, total, bytesPerSec, secondsLeft: bytesPerSec > 0 ? (total - sent) / bytesPerSec : null });
  }

  pause() {
    if (this.state.phase !== 'uploading' || !this.upload) return;
    void this.upload.abort();
    this.set({ phase: 'paused', bytesPerSec: 0, secondsLeft: null });
  }
  resume() {
    if (this.state.phase !== 'paused' || !this.upload) return;
    this.samples = [];
    this.set({ phase: 'uploading' });
    this.upload.start();
  }
  async cancel() {
    this.stopped = true;
    if (this.upload && (this.state.phase === 'uploading' || this.state.phase === 'paused')) await this.upload.abort(true).catch(() => {});
    if (this.state.video) await api(`/api/videos/${this.state.video.id}`, { method: 'DELETE' }).catch(() => {});
    saveRecord(this.file, null);
  }

  async saveMeta(meta: Meta): Promise<void> {
    this.meta = meta;
    if (!this.state.video) return;
    const v = await api<Video>(`/api/videos/${this.state.video.id}`, { method: 'PATCH', body: meta });
    this.set({ video: v });
  }

  private async follow(id: string) {
    while (!this.stopped) {
      const v = await api<Video>(`/api/videos/${id}`).catch(() => null);
      if (v) {
        this.set({ video: v, phase: v.status === 'ready' ? 'ready' : v.status === 'failed' ? 'failed' : 'processing', error: v.error?.message ?? null });
        if (v.status === 'ready' || v.status === 'failed') return;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
