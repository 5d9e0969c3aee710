// Accounts: search, suspended filter, suspend (with a reason) and unsuspend.
import { useId, useState, type FormEvent } from 'react';
import { api } from '../lib/api';
import { fmtBytes, timeAgo } from '../lib/format';
import { qs, usePaged, type AdminUser } from './admin-api';
import { act, Notice, type NoticeMsg } from './Notice';

function SuspendForm({ u, onDone, setMsg }: { u: AdminUser; onDone(): void; setMsg(m: NoticeMsg): void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const id = useId();
  if (!open) return <button className="secondary" onClick={() => setOpen(true)} aria-label={`Suspend @${u.channel.handle}`}>Suspend…</button>;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await act(setMsg, () => api(`/api/admin/users/${u.id}/suspend`, { method: 'POST', body: { reason } }), `@${u.channel.handle} is suspended`)) onDone();
  };
  return (
    <form className="admin-inline-form" onSubmit={submit}>
      <label htmlFor={id}>Reason</label>
      <input id={id} value={reason} onChange={(e) => setReason(e.target.value)} minLength={3} maxLength={500} required autoFocus />
      <button type="submit" className="danger">Suspend</button>
      <button type="button" className="secondary" onClick={() => setOpen(false)}>Cancel</button>
    </form>
  );
}

export function UsersPanel() {
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [filter, setFilter] = useState<'' | 'true' | 'false'>('');
  const users = usePaged<AdminUser>(`/api/admin/users${qs({ q: query, suspended: filter, limit: 25 })}`);
  const [msg, setMsg] = useState<NoticeMsg>(null);
  return (
    <div className="admin-panel">
      <h2>Accounts</h2>
      <form className="admin-toolbar" role="search" onSubmit={(e) => { e.preventDefault(); setQuery(q.trim()); }}>
        <label htmlFor="admin-user-search">Search email, handle or name</label>
        <input id="admin-user-search" type="search" value={q} onChange={(e) => setQ(e.target.value)} maxLength={100} />
        <label>Show <select value={filter} onChange={(e) => setFilter(e.target.value as '' | 'true' | 'false')}>
          <option value="">everyone</option><option value="true">suspended</option><option value="false">active</option>
        </select></label>
        <button type="submit" className="secondary">Search</button>
      </form>
      <Notice msg={msg} />
      {users.error && <p className="error">{users.error}</p>}
      {!users.loading && users.items.length === 0 && <p className="muted">No accounts match.</p>}
      {users.items.length > 0 && (
        <div className="table-wrap">
          <table className="studio-table admin-table" aria-label="Accounts" id="admin-users">
            <thead><tr><th scope="col">Account</th><th scope="col">Videos</th><th scope="col">Uploaded</th><th scope="col">Joined</th><th scope="col">Status</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {users.items.map((u) => (
                <tr key={u.id}>
                  <td>{u.channel.name} <span className="muted">@{u.channel.handle}</span><div className="muted">{u.email}</div></td>
                  <td>{u.videoCount}</td>
                  <td>{fmtBytes(u.uploadedBytes)}</td>
                  <td>{timeAgo(u.createdAt)}</td>
                  <td>{u.admin ? <span className="pill pill-ok">admin</span> : u.suspended ? <><span className="pill state-dead">suspended</span><div className="muted">{u.suspended.reason}</div></> : 'active'}</td>
                  <td className="row-actions">
                    {!u.admin && (u.suspended
                      ? <button className="secondary" aria-label={`Unsuspend @${u.channel.handle}`} onClick={() => void act(setMsg, () => api(`/api/admin/users/${u.id}/unsuspend`, { method: 'POST' }), `@${u.channel.handle} can sign in again`).then((ok) => { if (ok) void users.reload(); })}>Unsuspend</button>
                      : <SuspendForm u={u} onDone={() => users.reload()} setMsg={setMsg} />)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {users.next && <button className="secondary" onClick={() => void users.loadMore()} disabled={users.loading}>Load more accounts</button>}
    </div>
  );
}
