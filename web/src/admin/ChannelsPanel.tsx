// Channels: search, owners, counts, and each channel's processing priority (lower runs first).
import { useId, useState, type FormEvent } from 'react';
import { api } from '../lib/api';
import { timeAgo } from '../lib/format';
import { Link } from '../lib/router';
import { qs, usePaged, type AdminChannel } from './admin-api';
import { act, Notice, type NoticeMsg } from './Notice';

function PriorityForm({ c, setMsg }: { c: AdminChannel; setMsg(m: NoticeMsg): void }) {
  const [value, setValue] = useState(String(c.priority));
  const id = useId();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await act(setMsg, () => api(`/api/admin/channels/${c.id}`, { method: 'PATCH', body: { priority: Number(value) } }), `@${c.handle}: priority ${value}`);
  };
  return (
    <form className="admin-inline-form" onSubmit={submit}>
      <label htmlFor={id} className="visually-hidden">Processing priority of @{c.handle}</label>
      <input id={id} type="number" min={-1000} max={1000} step={1} value={value} onChange={(e) => setValue(e.target.value)} required className="admin-number" />
      <button type="submit" className="secondary" aria-label={`Save the priority of @${c.handle}`}>Save</button>
    </form>
  );
}

export function ChannelsPanel() {
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const channels = usePaged<AdminChannel>(`/api/admin/channels${qs({ q: query, limit: 25 })}`);
  const [msg, setMsg] = useState<NoticeMsg>(null);
  return (
    <div className="admin-panel">
      <h2>Channels</h2>
      <form className="admin-toolbar" role="search" onSubmit={(e) => { e.preventDefault(); setQuery(q.trim()); }}>
        <label htmlFor="admin-channel-search">Search handle, name or owner</label>
        <input id="admin-channel-search" type="search" value={q} onChange={(e) => setQ(e.target.value)} maxLength={100} />
        <button type="submit" className="secondary">Search</button>
      </form>
      <Notice msg={msg} />
      {channels.error && <p className="error">{channels.error}</p>}
      {!channels.loading && channels.items.length === 0 && <p className="muted">No channels match.</p>}
      {channels.items.length > 0 && (
        <div className="table-wrap">
          <table className="studio-table admin-table" aria-label="Channels" id="admin-channels">
            <thead><tr><th scope="col">Channel</th><th scope="col">Owner</th><th scope="col">Videos</th><th scope="col">Subscribers</th><th scope="col">Created</th><th scope="col">Priority <span className="muted">(lower first)</span></th></tr></thead>
            <tbody>
              {channels.items.map((c) => (
                <tr key={c.id}>
                  <td><Link to={`/channel/${c.handle}`}>{c.name}</Link> <span className="muted">@{c.handle}</span></td>
                  <td>{c.owner.email}{c.owner.suspended && <span className="pill state-dead">suspended</span>}</td>
                  <td>{c.videoCount}</td>
                  <td>{c.subscriberCount}</td>
                  <td>{timeAgo(c.createdAt)}</td>
                  <td><PriorityForm c={c} setMsg={setMsg} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {channels.next && <button className="secondary" onClick={() => void channels.loadMore()} disabled={channels.loading}>Load more channels</button>}
    </div>
  );
}
