// Flagged videos (take down with a reason, or dismiss the flags), owners' appeals and taken-down videos (restore).
import { useId, useState, type FormEvent } from 'react';
import { api } from '../lib/api';
import { timeAgo } from '../lib/format';
import { Link } from '../lib/router';
import { useAsync } from '../lib/use-async';
import { usePaged, type AdminVideo, type Appeal, type Flagged } from './admin-api';
import { act, Notice, type NoticeMsg } from './Notice';

function TakedownForm({ f, onDone, setMsg }: { f: Flagged; onDone(): void; setMsg(m: NoticeMsg): void }) {
  const [reason, setReason] = useState('');
  const id = useId();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await act(setMsg, () => api(`/api/admin/videos/${f.video.id}/takedown`, { method: 'POST', body: { reason } }), `“${f.video.title}” was taken down`)) onDone();
  };
  return (
    <form className="admin-inline-form" onSubmit={submit}>
      <label htmlFor={id}>Reason shown to the owner</label>
      <input id={id} value={reason} onChange={(e) => setReason(e.target.value)} minLength={3} maxLength={500} required placeholder="e.g. Spam: misleading title" />
      <button type="submit" className="danger" aria-label={`Take down ${f.video.title}`}>Take down</button>
      <button type="button" className="secondary" aria-label={`Dismiss the flags of ${f.video.title}`}
        onClick={() => void act(setMsg, () => api(`/api/admin/videos/${f.video.id}/dismiss-flags`, { method: 'POST' }), `Flags of “${f.video.title}” dismissed`).then((ok) => ok && onDone())}>
        Dismiss flags
      </button>
    </form>
  );
}

export function FlagsPanel() {
  const flagged = useAsync(() => api<{ items: Flagged[] }>('/api/admin/flags'), []);
  const appeals = useAsync(() => api<{ items: Appeal[] }>('/api/admin/appeals'), []);
  const removed = usePaged<AdminVideo>('/api/admin/videos?status=removed&limit=25');
  const [msg, setMsg] = useState<NoticeMsg>(null);
  const refresh = () => { flagged.reload(); appeals.reload(); removed.reload(); };
  const restore = (v: { id: string; title: string }) =>
    void act(setMsg, () => api(`/api/admin/videos/${v.id}/restore`, { method: 'POST', body: {} }), `“${v.title}” was restored`).then((ok) => ok && refresh());
  return (
    <div className="admin-panel">
      <h2>Flagged videos</h2>
      <Notice msg={msg} />
      {flagged.error && <p className="error">{flagged.error.message}</p>}
      {flagged.data && flagged.data.items.length === 0 && <p className="muted">No open flags.</p>}
      <ul className="admin-cards" id="admin-flags">
        {flagged.data?.items.map((f) => (
          <li key={f.video.id} className="card-panel admin-flag">
            <h3><Link to={`/watch/${f.video.id}`}>{f.video.title}</Link></h3>
            <p className="muted">@{f.video.channelHandle} · {f.video.status} · {f.flags} {f.flags === 1 ? 'flag' : 'flags'} · last {timeAgo(f.lastFlaggedAt)}</p>
            <p>{Object.entries(f.reasons).map(([r, n]) => <span key={r} className="pill">{r} × {n}</span>)}</p>
            {f.notes.length > 0 && <ul className="admin-notes">{f.notes.map((n, i) => <li key={i}>“{n}”</li>)}</ul>}
            {f.video.status === 'ready' ? <TakedownForm f={f} onDone={refresh} setMsg={setMsg} /> : (
              <button className="secondary" onClick={() => void act(setMsg, () => api(`/api/admin/videos/${f.video.id}/dismiss-flags`, { method: 'POST' }), 'Flags dismissed').then((ok) => ok && refresh())}>Dismiss flags</button>
            )}
          </li>
        ))}
      </ul>

      <h2>Appeals</h2>
      {appeals.data && appeals.data.items.length === 0 && <p className="muted">No appeals waiting.</p>}
      <ul className="admin-cards">
        {appeals.data?.items.map((a) => (
          <li key={a.video.id} className="card-panel">
            <h3>{a.video.title}</h3>
            <p className="muted">@{a.video.channelHandle} · taken down: {a.reason}</p>
            <blockquote>{a.appeal}</blockquote>
            <button onClick={() => restore(a.video)} aria-label={`Restore ${a.video.title}`}>Restore</button>
          </li>
        ))}
      </ul>

      <h2>Taken down</h2>
      {!removed.loading && removed.items.length === 0 && <p className="muted">No video is taken down.</p>}
      {removed.items.length > 0 && (
        <div className="table-wrap">
          <table className="studio-table admin-table" aria-label="Taken-down videos" id="admin-removed">
            <thead><tr><th scope="col">Video</th><th scope="col">Reason</th><th scope="col">Since</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {removed.items.map((v) => (
                <tr key={v.id}>
                  <td>{v.title}<div className="muted">@{v.channel.handle}</div></td>
                  <td>{v.error?.message ?? ''}</td>
                  <td>{timeAgo(v.updatedAt)}</td>
                  <td className="row-actions"><button onClick={() => restore(v)} aria-label={`Restore ${v.title}`}>Restore</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {removed.next && <button className="secondary" onClick={() => void removed.loadMore()}>Load more</button>}
    </div>
  );
}
