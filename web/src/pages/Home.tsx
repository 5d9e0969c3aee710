import { api, type Video } from '../lib/api';
import { homeFeed, trending } from '../lib/discovery';
import { useSession } from '../lib/session';
import { useAsync } from '../lib/use-async';
import { Link } from '../lib/router';
import { VideoGrid } from '../components/VideoCard';

function Section({ id, title, children }: { id: string; title: React.ReactNode; children: React.ReactNode }) {
  return (
    <section id={id} className="section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </section>
  );
}

export function Home() {
  const { me } = useSession();
  const feed = useAsync(() => homeFeed(), []);
  const trend = useAsync(() => trending(), []);
  const subs = useAsync(async () => (me ? (await api<{ items: Video[] }>('/api/me/feed?limit=8')).items : []), [me?.id]);
  document.title = 'Reel';
  return (
    <main className="page">
      <h1 className="visually-hidden">Home</h1>
      <Section id="recommended" title={feed.data?.source === 'latest' ? 'Latest videos' : 'Recommended'}>
        {feed.loading && !feed.data ? <p className="muted">Loading…</p> : feed.error ? <p className="error">{feed.error.message}</p> : (
          <VideoGrid videos={feed.data!.videos} label="Recommended videos" empty={<>No videos yet. {me ? <Link to="/upload">Upload the first one.</Link> : <Link to="/login">Sign in to upload the first one.</Link>}</>} />
        )}
      </Section>
      {me && subs.data && subs.data.length > 0 && (
        <Section id="subscriptions" title={<Link to="/subscriptions">From your subscriptions</Link>}>
          <VideoGrid videos={subs.data} label="From your subscriptions" />
        </Section>
      )}
      {trend.data && trend.data.length > 0 && (
        <Section id="trending" title={<Link to="/trending">Trending</Link>}>
          <VideoGrid videos={trend.data.slice(0, 8)} label="Trending videos" />
        </Section>
      )}
    </main>
  );
}

export function Subscriptions() {
  const { me, loading } = useSession();
  const feed = useAsync(async () => (me ? api<{ items: Video[] }>('/api/me/feed?limit=48') : null), [me?.id]);
  const chans = useAsync(async () => (me ? api<{ items: Array<{ id: string; handle: string; name: string }> }>('/api/me/subscriptions') : null), [me?.id]);
  document.title = 'Subscriptions · Reel';
  if (!loading && !me) return <main className="page"><h1>Subscriptions</h1><p><Link to="/login?next=/subscriptions">Sign in</Link> to see new videos from the channels you follow.</p></main>;
  return (
    <main className="page">
      <h1>Subscriptions</h1>
      {chans.data && chans.data.items.length > 0 && (
        <ul className="chips" aria-label="Your channels">
          {chans.data.items.map((c) => <li key={c.id}><Link to={`/channel/${c.handle}`} className="chip">{c.name}</Link></li>)}
        </ul>
      )}
      {feed.data ? <VideoGrid videos={feed.data.items} label="Subscriptions feed" empty="No videos from your subscriptions yet." /> : <p className="muted">Loading…</p>}
    </main>
  );
}

export function Trending() {
  const t = useAsync(() => trending(), []);
  document.title = 'Trending · Reel';
  return (
    <main className="page">
      <h1>Trending</h1>
      {t.data ? <VideoGrid videos={t.data} label="Trending videos" /> : t.error ? <p className="error">{t.error.message}</p> : <p className="muted">Loading…</p>}
    </main>
  );
}
