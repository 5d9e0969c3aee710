// A channel (at /@handle or /channel/handle): found by its handle, its public videos and playlists, the subscribe button.
import { api, ApiError, maybe, type ChannelInfo, type PlaylistSummary, type Video } from '../lib/api';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { useAsync } from '../lib/use-async';
import { fmtCompact } from '../lib/format';
import { VideoGrid } from '../components/VideoCard';
import { SubscribeButton } from '../components/SubscribeButton';

async function loadChannel(handle: string): Promise<{ channel: ChannelInfo | null; videos: Video[]; playlists: PlaylistSummary[] }> {
  const h = handle.replace(/^@/, '');
  // unknown (404) or impossible (400) handles: no such channel
  const channel = await maybe<ChannelInfo>(`/api/channels/by-handle/${encodeURIComponent(h)}`).catch((err) => {
    if (err instanceof ApiError && err.status === 400) return null;
    throw err;
  });
  if (!channel) return { channel: null, videos: [], playlists: [] };
  const [videos, playlists] = await Promise.all([
    api<{ items: Video[] }>(`/api/channels/${channel.id}/videos?limit=100`).then((r) => r.items),
    api<{ items: PlaylistSummary[] }>(`/api/channels/${channel.id}/playlists`).then((r) => r.items, () => [] as PlaylistSummary[]),
  ]);
  return { channel, videos, playlists };
}

export function Channel({ handle }: { handle: string }) {
  const { me } = useSession();
  const r = useAsync(() => loadChannel(handle), [handle]);
  if (r.loading) return <main className="page"><p className="muted">Loading…</p></main>;
  if (r.error) return <main className="page"><p className="error">{r.error.message}</p></main>;
  const { channel, videos, playlists } = r.data!;
  document.title = `${channel?.name ?? `@${handle.replace(/^@/, '')}`} · Reel`;
  if (!channel) {
    return (
      <main className="page" id="channel-missing">
        <h1>@{handle.replace(/^@/, '')}</h1>
        <p className="muted">There is no channel with this handle.</p>
      </main>
    );
  }
  const mine = !!me && me.channel.id === channel.id;
  return (
    <main className="page" data-channel-id={channel.id}>
      <div className="channel-banner" aria-hidden="true" />
      <div className="channel-head">
        <div className="avatar avatar-xl" aria-hidden="true">{channel.name.slice(0, 1).toUpperCase()}</div>
        <div>
          <h1 id="channel-title">{channel.name}</h1>
          <div className="muted" id="channel-meta">
            @{channel.handle} · {fmtCompact(channel.videoCount)} video{channel.videoCount === 1 ? '' : 's'}
          </div>
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
