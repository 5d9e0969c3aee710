import { api, type Video } from '../lib/api';
import { fmtDuration, timeAgo } from '../lib/format';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { useAsync } from '../lib/use-async';
import { VideoCard } from '../components/VideoCard';

interface Entry { video: Video; positionSec: number | null; watchedSec: number | null; watchedAt: string }

export function History() {
  const { me, loading } = useSession();
  const r = useAsync(async () => (me ? (await api<{ items: Entry[] }>('/api/me/history?limit=50')).items : []), [me?.id]);
  document.title = 'History · Reel';
  if (!loading && !me) return <main className="page"><h1>History</h1><p><Link to="/login?next=/history">Sign in</Link> to keep a watch history and resume where you stopped.</p></main>;
  return (
    <main className="page narrow">
      <div className="page-head">
        <h1>Watch history</h1>
        {r.data && r.data.length > 0 && <button className="secondary" onClick={async () => { if (confirm('Clear all watch history?')) { await api('/api/me/history', { method: 'DELETE' }); r.reload(); } }}>Clear all history</button>}
      </div>
      {r.data ? (r.data.length ? (
        <ul className="rows" id="history">
          {r.data.map((e) => (
            <li key={e.video.id} className="row-with-actions">
              <div className="history-item">
                <VideoCard video={e.video} layout="row" />
                {e.positionSec && e.video.durationSec ? (
                  <div className="resume-bar" aria-label={`Watched up to ${fmtDuration(e.positionSec)}`}><div style={{ width: `${Math.min(100, (e.positionSec / e.video.durationSec) * 100)}%` }} /></div>
                ) : null}
                <div className="muted">Watched {timeAgo(e.watchedAt)}</div>
              </div>
              <button className="secondary" aria-label={`Remove ${e.video.title} from history`} onClick={async () => { await api(`/api/me/history?videoId=${e.video.id}`, { method: 'DELETE' }); r.reload(); }}>Remove</button>
            </li>
          ))}
        </ul>
      ) : <p className="muted">Videos you watch will show up here.</p>) : <p className="muted">Loading…</p>}
    </main>
  );
}
