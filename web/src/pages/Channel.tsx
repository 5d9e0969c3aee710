// A channel: its public videos and playlists, and the subscribe button.
// The API has no channel-by-handle endpoint yet, so the channel is found among the latest public videos, the viewer's
// own channel or the viewer's subscriptions.
import { api, type Channel as Ch, type PlaylistSummary, type Video } from '../lib/api';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { useAsync } from '../lib/use-async';
import { VideoGrid } from '../components/VideoCard';
import { SubscribeButton } from '../components/SubscribeButton';

async function loadChannel(handle: string, mine: boolean): Promise<{ channel: Ch | null; videos: Video[]; playlists: PlaylistSummary[] }> {
  const h = handle.replace(/^@/, '').toLowerCase();
  let videos: Video[];
  if (mine) videos = (await api<{ items: Video[] }>('/api/me/videos')).items.filter((v) => v.status === 'ready' && v.visibility === 'public');
  else videos = (await api<{ items: Video[] }>('/api/videos?limit=100')).items.filter((v) => v.channel.handle.toLowerCase() === h);
  let channel: Ch | null = videos[0]?.channel ?? null;
  if (!channel && mine) channel = (await api<{ channel: Ch }>('/api/me')).channel;
  // a channel without recent public videos is still known if the viewer subscribes to it
  if (!channel) channel = (await api<{ items: Ch[] }>('/api/me/subscriptions').catch(() => ({ items: [] as Ch[] }))).items.find((c) => c.handle.toLowerCase() === h) ?? null;
  const playlists = channel ? (await api<{ items: PlaylistSummary[] }>(`/api/channels/${channel.id}/playlists`).catch(() => ({ items: [] }))).items : [];
  return { channel, videos, playlists };
}

export function Channel({ handle }: { handle: string }) {
  const { me, loading } = useSession();
  const mine = !!me && me.channel.handle.toLowerCase() === handle.replace(/^@/, '').toLowerCase();
  const r = useAsync(() => (loading ? new Promise<never>(() => {}) : loadChannel(handle, mine)), [handle, mine, loading]);
  if (r.loading) return <main className="page"><p className="muted">Loading…</p></main>;
  if (r.error) return <main className="page"><p className="error">{r.error.message}</p></main>;
  const { channel, videos, playlists } = r.data!;
  document.title = `${channel?.name ?? handle} · Reel`;
  if (!channel) return <main className="page"><h1>@{handle}</h1><p className="muted">This channel has no public videos.</p></main>;
  return (
    <main className="page">
      <div className="channel-banner" aria-hidden="true" />
      <div className="channel-head">
        <div className="avatar avatar-xl" aria-hidden="true">{channel.name.slice(0, 1).toUpperCase()}</div>
        <div>
          <h1>{channel.name}</h1>
          <div className="muted">@{channel.handle} · {videos.length} video{videos.length === 1 ? '' : 's'}</div>
        </div>
        <SubscribeButton channelId={channel.id} channelName={channel.name} />
        {mine && <Link to="/studio" className="button secondary">Manage videos</Link>}
      </div>
      <section className="section" aria-labelledby="ch-videos"><h2 id="ch-videos">Videos</h2><VideoGrid videos={videos} label="Channel videos" empty="No public videos yet." /></section>
      {playlists.length > 0 && (
        <section className="section" aria-labelledby="ch-playlists">
          <h2 id="ch-playlists">Playlists</h2>
          <ul className="playlist-list">{playlists.map((p) => <li key={p.id}><Link to={`/playlist/${p.id}`}>{p.title}</Link> <span className="muted">· {p.itemCount} videos</span></li>)}</ul>
        </section>
      )}
    </main>
  );
}
