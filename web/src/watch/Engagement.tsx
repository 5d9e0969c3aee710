// Views, like/dislike (#views, #like/#likes, #dislike/#dislikes), save to a playlist, share.
import { useEffect, useState } from 'react';
import { api, type PlaylistSummary, type Stats } from '../lib/api';
import { fmtViews } from '../lib/format';
import { toLogin, useSession } from '../lib/session';
import { Icon } from '../components/Icon';

export function useStats(videoId: string, enabled: boolean) {
  const [stats, setStats] = useState<Stats | null>(null);
  useEffect(() => {
    if (!enabled) return;
    const load = () => api<Stats>(`/api/videos/${videoId}/stats`).then(setStats, () => {});
    load();
    const t = setInterval(load, 30_000);
    return () => clearInterval(t);
  }, [videoId, enabled]);
  return [stats, setStats] as const;
}

export function Ratings({ videoId, stats, setStats }: { videoId: string; stats: Stats | null; setStats(s: Stats): void }) {
  const { me, loading } = useSession();
  const rate = async (kind: 'like' | 'dislike') => {
    if (loading) return;
    if (!me) return toLogin();
    const r = await api<Pick<Stats, 'likes' | 'dislikes' | 'myRating'>>(`/api/videos/${videoId}/rating`, { method: 'PUT', body: { rating: stats?.myRating === kind ? null : kind } });
    setStats({ ...(stats ?? { views: 0 }), ...r } as Stats);
  };
  return (
    <div className="pill-group" role="group" aria-label="Rate this video">
      <button className="secondary" id="like" aria-pressed={stats?.myRating === 'like'} aria-label="Like" onClick={() => rate('like')}>
        <Icon name="like" size={20} /> <span id="likes">{stats?.likes ?? 0}</span>
      </button>
      <button className="secondary" id="dislike" aria-pressed={stats?.myRating === 'dislike'} aria-label="Dislike" onClick={() => rate('dislike')}>
        <Icon name="dislike" size={20} /> <span id="dislikes">{stats?.dislikes ?? 0}</span>
      </button>
    </div>
  );
}

export function ViewCount({ stats }: { stats: Stats | null }) {
  return <span id="views" aria-live="polite">{stats ? fmtViews(stats.views) : ''}</span>;
}

export function SaveMenu({ videoId }: { videoId: string }) {
  const { me } = useSession();
  const [open, setOpen] = useState(false);
  const [lists, setLists] = useState<Array<PlaylistSummary & { has: boolean }>>([]);
  const [title, setTitle] = useState('');
  const [note, setNote] = useState('');
  const load = async () => {
    const [wl, mine] = await Promise.all([api<PlaylistSummary & { items: Array<{ video: { id: string } }> }>('/api/me/watch-later'), api<{ items: PlaylistSummary[] }>('/api/me/playlists')]);
    const full = await Promise.all(mine.items.filter((p) => p.kind !== 'watch_later').map((p) => api<PlaylistSummary & { items: Array<{ video: { id: string } }> }>(`/api/playlists/${p.id}`)));
    setLists([wl, ...full].map((p) => ({ ...p, has: p.items.some((i) => i.video.id === videoId) })));
  };
  const toggle = async (p: PlaylistSummary & { has: boolean }) => {
    setLists((ls) => ls.map((x) => (x.id === p.id ? { ...x, has: !p.has } : x))); // the box follows the click at once
    if (p.has) await api(`/api/playlists/${p.id}/items/${videoId}`, { method: 'DELETE' });
    else await api(`/api/playlists/${p.id}/items`, { method: 'POST', body: { videoId } });
    setNote(`${p.has ? 'Removed from' : 'Saved to'} ${p.title}`);
    await load();
  };
  return (
    <div className="menu-anchor">
      <button className="secondary" id="save" aria-expanded={open} aria-haspopup="dialog" onClick={async () => { if (!me) return toLogin(); if (!open) await load(); setOpen(!open); }}>
        <Icon name="save" size={20} /> Save
      </button>
      {open && (
        <div className="popover" role="dialog" aria-label="Save to playlist" onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
          <ul>
            {lists.map((p) => (
              <li key={p.id}><label><input type="checkbox" checked={p.has} onChange={() => toggle(p)} /> {p.kind === 'watch_later' ? 'Watch later' : p.title}</label></li>
            ))}
          </ul>
          <form onSubmit={async (e) => { e.preventDefault(); if (!title.trim()) return; const p = await api<PlaylistSummary>('/api/playlists', { method: 'POST', body: { title, visibility: 'private' } }); await api(`/api/playlists/${p.id}/items`, { method: 'POST', body: { videoId } }); setTitle(''); setNote(`Saved to ${p.title}`); await load(); }}>
            <label className="visually-hidden" htmlFor="new-playlist">New playlist name</label>
            <input id="new-playlist" placeholder="New playlist…" value={title} onChange={(e) => setTitle(e.target.value)} />
            <button>Create</button>
          </form>
          <p className="muted" aria-live="polite">{note}</p>
          <button className="secondary" onClick={() => setOpen(false)}>Close</button>
        </div>
      )}
    </div>
  );
}

export function ShareButton() {
  const [copied, setCopied] = useState(false);
  return (
    <button className="secondary" onClick={async () => { await navigator.clipboard?.writeText(location.href).catch(() => {}); setCopied(true); setTimeout(() => setCopied(false), 2000); }}>
      <Icon name="share" size={20} /> {copied ? 'Link copied' : 'Share'}
    </button>
  );
}
