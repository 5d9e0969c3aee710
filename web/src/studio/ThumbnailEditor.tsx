// Edit a video's thumbnail: upload a JPEG/PNG, or pick a frame of the published video (the storyboard shows a
// preview of the chosen time), or go back to the generated one.
import { useEffect, useState } from 'react';
import { api, sendFile, type Video } from '../lib/api';
import { fmtDuration } from '../lib/format';
import { loadStoryboard, tileAt, type Tile } from '../player/storyboard';
import { Icon } from '../components/Icon';

const MAX_BYTES = 2 * 1024 * 1024;

export function ThumbnailEditor({ video, onSaved }: { video: Video; onSaved(v: Video): void }) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  const [at, setAt] = useState(() => Math.round((video.durationSec ?? 0) * 0.3 * 10) / 10);
  const [tiles, setTiles] = useState<Tile[]>([]);
  const ready = video.status === 'ready';
  const custom = !!video.thumbnailUrl?.includes('/thumbs/');
  const idp = `thumb-${video.id}`;
  useEffect(() => {
    if (ready && video.storyboardUrl) loadStoryboard(video.storyboardUrl).then(setTiles, () => setTiles([]));
  }, [ready, video.storyboardUrl]);
  const tile = tiles.length ? tileAt(tiles, at) : undefined;

  const run = async (what: string, fn: () => Promise<Video>) => {
    setBusy(true);
    setError('');
    setMessage(`${what}…`);
    try {
      const v = await fn();
      onSaved(v);
      setMessage(v.thumbnailUrl ? 'Thumbnail saved' : 'Thumbnail saved: it shows once the video can be played');
    } catch (err) {
      setMessage('');
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="thumbnail-editor" aria-labelledby={`${idp}-h`}>
      <h3 id={`${idp}-h`}>Thumbnail</h3>
      <div className="thumbnail-current thumb">
        {video.thumbnailUrl ? <img src={video.thumbnailUrl} alt={`Current thumbnail of ${video.title}`} /> : <div className="thumb-empty"><Icon name="play" size={32} /></div>}
      </div>
      <label htmlFor={`${idp}-file`}>Upload an image (JPEG or PNG, up to 2 MB, at least 160×90)</label>
      <input
        id={`${idp}-file`}
        className="thumbnail-file"
        type="file"
        accept="image/jpeg,image/png"
        disabled={busy}
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (!file) return;
          if (file.size > MAX_BYTES) { setError('This image is larger than 2 MB'); return; }
          void run('Uploading', () => sendFile<Video>(`/api/videos/${video.id}/thumbnail`, file));
        }}
      />
      {ready && (video.durationSec ?? 0) > 0 && (
        <div className="frame-picker">
          <label htmlFor={`${idp}-at`}>Or use a frame at <output htmlFor={`${idp}-at`}>{fmtDuration(at)}</output></label>
          <div className="frame-row">
            {tile && <div className="storyboard-tile frame-preview" aria-hidden="true" style={{ width: tile.w, height: tile.h, backgroundImage: `url("${tile.url}")`, backgroundPosition: `-${tile.x}px -${tile.y}px` }} />}
            <input id={`${idp}-at`} type="range" min={0} max={Math.max(0, (video.durationSec ?? 0) - 0.1)} step={0.1} value={at} onChange={(e) => setAt(Number(e.target.value))} />
            <button type="button" className="secondary use-frame" disabled={busy} onClick={() => void run('Taking the frame', () => api<Video>(`/api/videos/${video.id}/thumbnail/frame`, { method: 'POST', body: { atSec: at } }))}>
              Use this frame
            </button>
          </div>
        </div>
      )}
      {custom && (
        <button type="button" className="link-button reset-thumbnail" disabled={busy} onClick={() => void run('Resetting', () => api<Video>(`/api/videos/${video.id}/thumbnail`, { method: 'DELETE' }))}>
          Use the automatic thumbnail
        </button>
      )}
      <p className="muted thumbnail-status" role="status">{message}</p>
      {error && <p className="error thumbnail-error" role="alert">{error}</p>}
    </section>
  );
}
