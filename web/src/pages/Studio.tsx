// Creator studio: my videos with live processing progress, edit details and visibility, delete, analytics,
// and the unfinished uploads list.
import { useCallback, useEffect, useState } from 'react';
import { api, type ProgressSnapshot, type Video, type Visibility } from '../lib/api';
import { fmtCompact, fmtDuration, timeAgo } from '../lib/format';
import { Link } from '../lib/router';
import { useRequireSession } from '../lib/session';
import { AnalyticsChart } from '../studio/AnalyticsChart';
import { Interrupted } from '../studio/Interrupted';
import { ProcessingProgress } from '../studio/ProcessingProgress';
import { ThumbnailEditor } from '../studio/ThumbnailEditor';
import { useProgressStream, type ProgressMode } from '../studio/progress-stream';
import { Icon } from '../components/Icon';

function EditPanel({ video, onSaved, onClose }: { video: Video; onSaved(v: Video): void; onClose(): void }) {
  const [title, setTitle] = useState(video.title);
  const [description, setDescription] = useState(video.description);
  const [tags, setTags] = useState(video.tags.join(', '));
  const [error, setError] = useState('');
  const idp = `edit-${video.id}`;
  return (
    <form
      className="edit-panel"
      aria-label={`Edit ${video.title}`}
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          onSaved(await api<Video>(`/api/videos/${video.id}`, { method: 'PATCH', body: { title, description, tags: tags.split(',').map((t) => t.trim()).filter(Boolean) } }));
          onClose();
        } catch (err) {
          setError((err as Error).message);
        }
      }}
    >
      <label htmlFor={`${idp}-title`}>Title</label>
      <input id={`${idp}-title`} value={title} required maxLength={200} onChange={(e) => setTitle(e.target.value)} autoFocus />
      <label htmlFor={`${idp}-desc`}>Description</label>
      <textarea id={`${idp}-desc`} value={description} rows={4} maxLength={5000} onChange={(e) => setDescription(e.target.value)} />
      <label htmlFor={`${idp}-tags`}>Tags (comma separated)</label>
      <input id={`${idp}-tags`} value={tags} onChange={(e) => setTags(e.target.value)} />
      {error && <p className="error" role="alert">{error}</p>}
      <div className="form-actions"><button type="button" className="secondary" onClick={onClose}>Cancel</button><button>Save</button></div>
    </form>
  );
}

function Row({ video, snapshot, mode, onChange, onReload }: { video: Video; snapshot?: ProgressSnapshot; mode: ProgressMode; onChange(v: Video | null): void; onReload(): void }) {
  const [panel, setPanel] = useState<'edit' | 'analytics' | null>(null);
  return (
    <>
      <tr data-video-id={video.id}>
        <td className="studio-video">
          <div className="thumb small">{video.thumbnailUrl ? <img src={video.thumbnailUrl} alt="" /> : <div className="thumb-empty"><Icon name="play" size={28} /></div>}</div>
          <div>
            <Link to={`/watch/${video.id}`}>{video.title}</Link>
            <div className="muted">{fmtDuration(video.durationSec)} · {timeAgo(video.createdAt)}</div>
          </div>
        </td>
        <td className={`status status-${video.status}`}>
          <span className="status-word">{video.status}</span>{video.error ? `: ${video.error.message}` : ''}
          {video.status === 'processing' && <ProcessingProgress video={video} snapshot={snapshot} mode={mode} onChange={onReload} />}
          {video.status === 'ready' && <div className="muted">{video.renditions.map((r) => r.name).join(', ')}</div>}
        </td>
        <td>
          <label className="visually-hidden" htmlFor={`vis-${video.id}`}>Visibility of {video.title}</label>
          <select id={`vis-${video.id}`} className="visibility" value={video.visibility} onChange={async (e) => onChange(await api<Video>(`/api/videos/${video.id}`, { method: 'PATCH', body: { visibility: e.target.value as Visibility } }))}>
            <option value="public">Public</option>
            <option value="unlisted">Unlisted</option>
            <option value="private">Private</option>
          </select>
        </td>
        <td>{fmtCompact(video.viewCount ?? 0)}</td>
        <td className="row-actions">
          <button className="secondary" aria-expanded={panel === 'edit'} onClick={() => setPanel(panel === 'edit' ? null : 'edit')}>Edit</button>
          <button className="secondary analytics-button" aria-expanded={panel === 'analytics'} onClick={() => setPanel(panel === 'analytics' ? null : 'analytics')}>Analytics</button>
          <button
            className="secondary danger"
            aria-label={`Delete ${video.title}`}
            onClick={async () => {
              if (!confirm(`Delete “${video.title}” and all its files?`)) return;
              await api(`/api/videos/${video.id}`, { method: 'DELETE' });
              onChange(null);
            }}
          >
            Delete
          </button>
        </td>
      </tr>
      {panel && (
        <tr className="panel-row">
          <td colSpan={5}>
            {panel === 'edit' ? (
              <div className="edit-grid">
                <EditPanel video={video} onSaved={(v) => onChange(v)} onClose={() => setPanel(null)} />
                <ThumbnailEditor video={video} onSaved={(v) => onChange(v)} />
              </div>
            ) : <AnalyticsChart videoId={video.id} />}
          </td>
        </tr>
      )}
    </>
  );
}

export function Studio() {
  const me = useRequireSession();
  const [videos, setVideos] = useState<Video[] | null>(null);
  const reload = useCallback(() => { api<{ items: Video[] }>('/api/me/videos').then((r) => setVideos(r.items), () => {}); }, []);
  useEffect(() => { if (me) reload(); }, [me, reload]);
  // processing progress pushed by the server (server-sent events); polling when the stream is not up
  const stream = useProgressStream(!!me, reload);
  const polling = stream.mode === 'polling';
  // a video the stream reports further along (uploaded → processing → ready/failed) than the list: reload the list
  useEffect(() => {
    if (!videos) return;
    const rank = (status: string) => (status === 'uploading' ? 0 : status === 'processing' ? 1 : 2);
    if (videos.some((v) => stream.snapshots[v.id] && rank(stream.snapshots[v.id].status) > rank(v.status))) reload();
  }, [stream.snapshots, videos, reload]);
  // without the stream, uploads in progress elsewhere (another tab, another device) show up by polling the list
  useEffect(() => {
    if (!polling || !videos?.some((v) => v.status === 'uploading')) return;
    const t = setInterval(reload, 5000);
    return () => clearInterval(t);
  }, [videos, reload, polling]);
  document.title = 'Studio · Reel';
  if (!me || !videos) return <main className="page"><p className="muted">Loading…</p></main>;
  const listed = videos.filter((v) => v.status !== 'uploading');
  return (
    <main className="page">
      <div className="page-head">
        <h1>Channel content</h1>
        <Link to="/upload" className="button"><Icon name="upload" size={20} /> Upload</Link>
      </div>
      <Interrupted uploading={videos.filter((v) => v.status === 'uploading')} onDone={reload} />
      <div className="table-wrap" id="studio-videos" data-progress={stream.mode}>
        <table className="studio-table">
          <thead><tr><th scope="col">Video</th><th scope="col">Status</th><th scope="col">Visibility</th><th scope="col">Views</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
          <tbody id="rows">
            {listed.map((v) => <Row key={v.id} video={v} snapshot={stream.snapshots[v.id]} mode={stream.mode} onReload={reload} onChange={(n) => setVideos((vs) => (n ? vs!.map((x) => (x.id === v.id ? n : x)) : vs!.filter((x) => x.id !== v.id)))} />)}
          </tbody>
        </table>
        {listed.length === 0 && <p className="muted">No videos yet. <Link to="/upload">Upload one.</Link></p>}
      </div>
    </main>
  );
}
