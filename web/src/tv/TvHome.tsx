// TV home: big rows of videos, moved through with the arrow keys; Enter plays.
import { useCallback, useEffect, useRef } from 'react';
import { api, type Video } from '../lib/api';
import { homeFeed, trending } from '../lib/discovery';
import { fmtDuration } from '../lib/format';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { useAsync } from '../lib/use-async';
import { useSpatialNav } from './spatial-nav';
import { Icon } from '../components/Icon';

function Shelf({ title, videos }: { title: string; videos: Video[] }) {
  if (!videos.length) return null;
  return (
    <section className="tv-shelf" aria-label={title}>
      <h2>{title}</h2>
      <ul className="tv-row">
        {videos.map((v) => (
          <li key={v.id}>
            <Link to={`/tv/watch/${v.id}`} className="tv-card" aria-label={`${v.title}, ${v.channel.name}${v.durationSec ? `, ${fmtDuration(v.durationSec)}` : ''}`}>
              <div className="thumb">{v.thumbnailUrl ? <img src={v.thumbnailUrl} alt="" /> : <div className="thumb-empty"><Icon name="play" size={48} /></div>}</div>
              <span className="tv-card-title">{v.title}</span>
              <span className="muted">{v.channel.name}</span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function TvHome() {
  const { me } = useSession();
  const root = useRef<HTMLDivElement>(null);
  const r = useAsync(async () => {
    const [feed, trend, subs] = await Promise.all([
      homeFeed(),
      trending().catch(() => []),
      me ? api<{ items: Video[] }>('/api/me/feed?limit=20').then((x) => x.items, () => []) : Promise.resolve([]),
    ]);
    return { feed, trend, subs };
  }, [me?.id]);
  useSpatialNav(useCallback(() => root.current, []));
  useEffect(() => {
    if (r.data && !root.current?.contains(document.activeElement)) root.current?.querySelector<HTMLElement>('.tv-card')?.focus();
  }, [r.data]);
  document.title = 'Reel TV';
  return (
    <div className="tv-home" ref={root}>
      <header className="tv-header">
        <span className="logo"><span className="logo-mark" aria-hidden="true"><Icon name="play" size={22} /></span>Reel</span>
        <Link to="/" className="tv-exit">Exit TV mode</Link>
      </header>
      <h1 className="visually-hidden">Reel TV</h1>
      {!r.data ? <p className="muted">Loading…</p> : (
        <>
          <Shelf title={r.data.feed.source === 'latest' ? 'Latest' : 'Recommended'} videos={r.data.feed.videos} />
          <Shelf title="From your subscriptions" videos={r.data.subs} />
          <Shelf title="Trending" videos={r.data.trend} />
          {!r.data.feed.videos.length && <p className="muted">No videos yet.</p>}
        </>
      )}
      <p className="tv-hint muted">Arrows move · Enter plays · Back/Escape returns</p>
    </div>
  );
}
