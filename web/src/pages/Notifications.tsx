import { useEffect } from 'react';
import { api, type Notification } from '../lib/api';
import { timeAgo } from '../lib/format';
import { Link } from '../lib/router';
import { useRequireSession } from '../lib/session';
import { useAsync } from '../lib/use-async';
import { Thumb } from '../components/VideoCard';

export function Notifications() {
  const me = useRequireSession();
  const r = useAsync(async () => (me ? api<{ items: Notification[]; unread: number }>('/api/me/notifications?limit=50') : null), [me?.id]);
  document.title = 'Notifications · Reel';
  // opening the page marks them read (the list keeps showing which were new)
  useEffect(() => {
    if (r.data?.unread) api('/api/me/notifications/read', { method: 'POST', body: {} }).then(() => window.dispatchEvent(new Event('reel:notifications')), () => {});
  }, [r.data]);
  if (!r.data) return <main className="page"><p className="muted">Loading…</p></main>;
  return (
    <main className="page narrow">
      <h1>Notifications</h1>
      {r.data.items.length === 0 ? <p className="muted">Nothing yet. Subscribe to channels to hear about their new videos.</p> : (
        <ul className="notifications" id="notification-list">
          {r.data.items.map((n) => (
            <li key={n.id} className={`notification${n.read ? '' : ' unread'}`}>
              {n.video ? (
                <Link to={`/watch/${n.video.id}`} className="notification-link">
                  <Thumb video={n.video} />
                  <span>
                    <strong>{n.video.channel.name}</strong> uploaded: {n.video.title}
                    <span className="muted"> · {timeAgo(n.createdAt)}</span>
                    {!n.read && <span className="visually-hidden"> (new)</span>}
                  </span>
                </Link>
              ) : <span className="muted">A video that is no longer available · {timeAgo(n.createdAt)}</span>}
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
