// "Unfinished uploads": uploads that stopped before the last byte (from any device), finished by picking the
// same file again; tus-js-client continues at the server's offset.
import { useEffect, useState } from 'react';
import * as tus from 'tus-js-client';
import { api, type Video } from '../lib/api';

interface Pending { video: Video; url: string; size: number; offset: number }

export function Interrupted({ uploading, onDone }: { uploading: Video[]; onDone(): void }) {
  const [items, setItems] = useState<Pending[]>([]);
  const [status, setStatus] = useState<Record<string, string>>({});
  const ids = uploading.map((v) => v.id).join(',');
  useEffect(() => {
    let stop = false;
    Promise.all(uploading.map(async (video) => {
      const up = await api<{ url: string; size: number | null; offset: number | null }>(`/api/videos/${video.id}/upload`).catch(() => null);
      return up && up.offset != null && up.size ? { video, url: up.url, size: up.size, offset: up.offset } : null;
    })).then((r) => { if (!stop) setItems(r.filter((x): x is Pending => !!x)); });
    return () => { stop = true; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ids]);

  const resume = (p: Pending, file: File) => {
    const say = (s: string) => setStatus((st) => ({ ...st, [p.video.id]: s }));
    if (file.size !== p.size) return say('This is not the same file (its size differs).');
    const upload = new tus.Upload(file, {
      uploadUrl: new URL(p.url, location.href).href,
      chunkSize: 8 * 1024 * 1024,
      retryDelays: [0, 1000, 3000, 5000],
      onProgress: (sent, total) => say(`${((sent / total) * 100).toFixed(1)}%`),
      onError: (err) => say(`Upload failed: ${err.message}`),
      onSuccess: () => { say('Done, processing…'); onDone(); },
    });
    upload.start();
  };

  if (!items.length) return null;
  return (
    <section id="interrupted" className="section card-panel" aria-labelledby="interrupted-title">
      <h2 id="interrupted-title">Unfinished uploads</h2>
      <p className="muted">These uploads stopped before the last byte. Pick the same file again to continue where it stopped, from this or any other device.</p>
      <ul id="interrupted-list">
        {items.map((p) => (
          <li key={p.video.id}>
            <strong>{p.video.title}</strong> — {Math.floor((p.offset / p.size) * 100)}% received{' '}
            <label className="button secondary">
              Continue with file <input type="file" accept="video/*" className="visually-hidden-input" onChange={(e) => { const f = e.target.files?.[0]; if (f) resume(p, f); }} />
            </label>{' '}
            <span aria-live="polite">{status[p.video.id] ?? ''}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
