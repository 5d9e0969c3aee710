import { useEffect, useState } from 'react';
import { api } from '../lib/api';
import { fmtCompact } from '../lib/format';
import { toLogin, useSession } from '../lib/session';

interface Sub { subscribed: boolean; subscribers: number }

export function SubscribeButton({ channelId, channelName }: { channelId: string; channelName: string }) {
  const { me } = useSession();
  const [s, setS] = useState<Sub | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<Sub>(`/api/channels/${channelId}/subscription`).then(setS, () => setS({ subscribed: false, subscribers: 0 }));
  }, [channelId, me?.id]);
  const own = me?.channel.id === channelId;
  return (
    <div className="subscribe">
      <span className="muted" id="subscriber-count">{s ? `${fmtCompact(s.subscribers)} subscriber${s.subscribers === 1 ? '' : 's'}` : ''}</span>
      {!own && (
        <button
          id="subscribe"
          className={s?.subscribed ? 'secondary' : 'primary-red'}
          aria-pressed={!!s?.subscribed}
          aria-label={`${s?.subscribed ? 'Unsubscribe from' : 'Subscribe to'} ${channelName}`}
          disabled={busy}
          onClick={async () => {
            if (!me) return toLogin();
            setBusy(true);
            try {
              setS(await api<Sub>(`/api/channels/${channelId}/subscription`, { method: s?.subscribed ? 'DELETE' : 'PUT' }));
            } finally {
              setBusy(false);
            }
          }}
        >
          {s?.subscribed ? 'Subscribed' : 'Subscribe'}
        </button>
      )}
    </div>
  );
}
