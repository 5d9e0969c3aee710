import { useState } from 'react';
import { api, type Playlist, type PlaylistSummary, type Visibility } from '../lib/api';
import { Link, navigate } from '../lib/router';
import { useSession } from '../lib/session';
import { useAsync } from '../lib/use-async';
import { VideoCard } from '../components/VideoCard';

export function Playlists() {
  const { me, loading } = useSession();
  const r = useAsync(async () => (me ? (await api<{ items: PlaylistSummary[] }>('/api/me/playlists')).items : []), [me?.id]);
  const [title, setTitle] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('private');
  document.title = 'Playlists · Reel';
  if (!loading && !me) return <main className="page"><h1>Playlists</h1><p><Link to="/login?next=/playlists">Sign in</Link> to keep playlists and Watch later.</p></main>;
  return (
    <main className="page narrow">
      <h1>Playlists</h1>
      <form className="inline-form" onSubmit={async (e) => { e.preventDefault(); const p = await api<PlaylistSummary>('/api/playlists', { method: 'POST', body: { title, visibility } }); setTitle(''); navigate(`/playlist/${p.id}`); }}>
        <label htmlFor="pl-title">New playlist</label>
        <input id="pl-title" required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} placeholder="Name" />
        <label className="visually-hidden" htmlFor="pl-vis">Visibility</label>
        <select id="pl-vis" value={visibility} onChange={(e) => setVisibility(e.target.value as Visibility)}>
          <option value="private">Private</option><option value="unlisted">Unlisted</option><option value="public">Public</option>
        </select>
        <button>Create</button>
      </form>
      {r.data ? (
        <ul className="playlist-list" id="playlists">
          {r.data.map((p) => (
            <li key={p.id} className="card-panel">
              <Link to={`/playlist/${p.id}`}><strong>{p.kind === 'watch_later' ? 'Watch later' : p.title}</strong></Link>
              <span className="muted"> · {p.itemCount} video{p.itemCount === 1 ? '' : 's'} · {p.visibility}</span>
            </li>
          ))}
        </ul>
      ) : <p className="muted">Loading…</p>}
    </main>
  );
}

export function PlaylistPage({ id }: { id: string }) {
  const { me } = useSession();
  const r = useAsync(() => api<Playlist>(`/api/playlists/${id}`), [id]);
  if (r.loading) return <main className="page"><p className="muted">Loading…</p></main>;
  if (r.error) return <main className="page"><p className="error">{r.error.message}</p></main>;
  const p = r.data!;
  const mine = me?.channel.id === p.owner.channelId;
  document.title = `${p.title} · Reel`;
  return (
    <main className="page narrow">
      <div className="page-head">
        <div>
          <h1>{p.kind === 'watch_later' ? 'Watch later' : p.title}</h1>
          <p className="muted">{p.owner.name} · {p.itemCount} videos · {p.visibility}</p>
          {p.description && <p>{p.description}</p>}
        </div>
        {mine && p.kind !== 'watch_later' && (
          <button className="secondary danger" onClick={async () => { if (confirm('Delete this playlist?')) { await api(`/api/playlists/${id}`, { method: 'DELETE' }); navigate('/playlists'); } }}>Delete playlist</button>
        )}
      </div>
      {p.items.length === 0 ? <p className="muted">This playlist is empty.</p> : (
        <ol className="rows">
          {p.items.map((it) => (
            <li key={it.video.id} className="row-with-actions">
              <VideoCard video={it.video} layout="row" />
              {mine && <button className="secondary" aria-label={`Remove ${it.video.title}`} onClick={async () => { await api(`/api/playlists/${id}/items/${it.video.id}`, { method: 'DELETE' }); r.reload(); }}>Remove</button>}
            </li>
          ))}
        </ol>
      )}
    </main>
  );
}
