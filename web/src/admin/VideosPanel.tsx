// Videos of every channel and visibility by state, newest first, with a search and "load more" (cursor pages).
import { useState } from 'react';
import { api } from '../lib/api';
import { fmtBytes, fmtDuration, timeAgo } from '../lib/format';
import { Link } from '../lib/router';
import { useAsync } from '../lib/use-async';
import { qs, usePaged, VIDEO_STATES, type AdminVideo, type QueueSummary, type VideoState } from './admin-api';

export function VideosPanel() {
  const [status, setStatus] = useState<VideoState | ''>('');
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const counts = useAsync(() => api<QueueSummary>('/api/admin/queue'), []);
  const videos = usePaged<AdminVideo>(`/api/admin/videos${qs({ status, q: query, limit: 25 })}`);
  return (
    <div className="admin-panel">
      <h2>Videos by state</h2>
      <div className="admin-toolbar" role="group" aria-label="Filter by state">
        {(['', ...VIDEO_STATES] as Array<VideoState | ''>).map((s) => (
          <button key={s || 'all'} className={status === s ? '' : 'secondary'} aria-pressed={status === s} onClick={() => setStatus(s)}>
            {s || 'all'}{s && counts.data ? ` (${counts.data.videos[s] ?? 0})` : ''}
          </button>
        ))}
      </div>
      <form className="admin-toolbar" role="search" onSubmit={(e) => { e.preventDefault(); setQuery(q.trim()); }}>
        <label htmlFor="admin-video-search">Search title, channel or id</label>
        <input id="admin-video-search" type="search" value={q} onChange={(e) => setQ(e.target.value)} maxLength={100} />
        <button type="submit" className="secondary">Search</button>
      </form>
      {videos.error && <p className="error">{videos.error}</p>}
      {!videos.loading && videos.items.length === 0 && <p className="muted">No videos.</p>}
      {videos.items.length > 0 && (
        <div className="table-wrap">
          <table className="studio-table admin-table" aria-label="Videos" id="admin-videos">
            <thead><tr><th scope="col">Video</th><th scope="col">State</th><th scope="col">Visibility</th><th scope="col">Length</th><th scope="col">Upload</th><th scope="col">Flags</th><th scope="col">Created</th></tr></thead>
            <tbody>
              {videos.items.map((v) => (
                <tr key={v.id} className={`status-${v.status}`}>
                  <td><Link to={`/watch/${v.id}`}>{v.title}</Link><div className="muted">@{v.channel.handle}</div></td>
                  <td><span className="status-word">{v.status}</span>{v.error && <div className="muted admin-error">{v.error.code}: {v.error.message}</div>}</td>
                  <td>{v.visibility}</td>
                  <td>{fmtDuration(v.durationSec)}</td>
                  <td>{v.uploadBytes === null ? '' : fmtBytes(v.uploadBytes)}</td>
                  <td>{v.openFlags || ''}</td>
                  <td>{timeAgo(v.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {videos.next && <button className="secondary" onClick={() => void videos.loadMore()} disabled={videos.loading}>Load more videos</button>}
    </div>
  );
}
