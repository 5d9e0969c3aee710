// The task queue: tasks per state and priority, then failed and dead-lettered tasks with their error and a re-run button.
import { useState } from 'react';
import { api } from '../lib/api';
import { timeAgo } from '../lib/format';
import { Link } from '../lib/router';
import { useAsync } from '../lib/use-async';
import { usePaged, type AdminTask, type QueueSummary } from './admin-api';
import { act, Notice, type NoticeMsg } from './Notice';

const STATES = ['waiting', 'queued', 'running', 'done', 'failed', 'dead', 'cancelled'];
const FILTERS: Array<[string, string]> = [['failed,dead', 'Failed and dead-lettered'], ['dead', 'Dead-lettered'], ['failed', 'Failed'], ['running', 'Running'], ['queued,waiting', 'Queued and waiting']];

export function QueuePanel() {
  const summary = useAsync(() => api<QueueSummary>('/api/admin/queue'), []);
  const [filter, setFilter] = useState('failed,dead');
  const tasks = usePaged<AdminTask>(`/api/admin/tasks?state=${filter}&limit=25`);
  const [msg, setMsg] = useState<NoticeMsg>(null);
  const rerun = async (t: AdminTask) => {
    const ok = await act(setMsg, () => api(`/api/admin/tasks/${t.id}/rerun`, { method: 'POST' }), `Task “${t.key}” of “${t.video.title}” queued again`);
    if (ok) {
      tasks.setItems((items) => items.filter((x) => x.id !== t.id));
      summary.reload();
    }
  };
  const s = summary.data;
  const priorities = s ? [...new Set(s.byPriority.map((r) => r.priority))] : [];
  const cell = (p: number, state: string) => s?.byPriority.find((r) => r.priority === p && r.state === state)?.count ?? 0;
  return (
    <div className="admin-panel">
      <h2>Task queue</h2>
      {summary.error && <p className="error">{summary.error.message}</p>}
      {s && (
        <>
          <ul className="admin-counts" aria-label="Tasks by state">
            {STATES.map((st) => <li key={st} className={`count-${st}`}><strong>{s.byState[st] ?? 0}</strong> {st}</li>)}
          </ul>
          {priorities.length > 0 && (
            <div className="table-wrap">
              <table className="studio-table admin-table" aria-label="Unfinished, failed and dead-lettered tasks by priority">
                <caption className="visually-hidden">Tasks by priority (lower runs first) and state</caption>
                <thead><tr><th scope="col">Priority</th>{['waiting', 'queued', 'running', 'failed', 'dead'].map((st) => <th key={st} scope="col">{st}</th>)}</tr></thead>
                <tbody>
                  {priorities.map((p) => <tr key={p}><th scope="row">{p}</th>{['waiting', 'queued', 'running', 'failed', 'dead'].map((st) => <td key={st}>{cell(p, st)}</td>)}</tr>)}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
      <div className="admin-toolbar">
        <h3 id="task-list-title">Tasks</h3>
        <label>Show <select value={filter} onChange={(e) => setFilter(e.target.value)}>{FILTERS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}</select></label>
        <button className="secondary" onClick={() => { tasks.reload(); summary.reload(); }}>Refresh</button>
      </div>
      <Notice msg={msg} />
      {tasks.error && <p className="error">{tasks.error}</p>}
      {!tasks.loading && tasks.items.length === 0 && <p className="muted">No tasks here.</p>}
      {tasks.items.length > 0 && (
        <div className="table-wrap">
          <table className="studio-table admin-table" aria-labelledby="task-list-title" id="admin-tasks">
            <thead><tr><th scope="col">Video</th><th scope="col">Task</th><th scope="col">State</th><th scope="col">Attempts</th><th scope="col">Error</th><th scope="col">When</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {tasks.items.map((t) => (
                <tr key={t.id} className="admin-task">
                  <td><Link to={`/watch/${t.video.id}`}>{t.video.title}</Link><div className="muted">@{t.video.channelHandle} · {t.video.status}</div></td>
                  <td><code>{t.key}</code><div className="muted">{t.kind} · priority {t.priority}</div></td>
                  <td><span className={`pill state-${t.state}`}>{t.state}</span></td>
                  <td>{t.attempts}/{t.maxAttempts}</td>
                  <td className="admin-error">{t.error ?? '—'}</td>
                  <td>{timeAgo(t.finishedAt ?? t.createdAt)}</td>
                  <td className="row-actions">
                    {(t.state === 'failed' || t.state === 'dead') && <button onClick={() => void rerun(t)} aria-label={`Re-run ${t.key} of ${t.video.title}`}>Re-run</button>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {tasks.next && <button className="secondary" onClick={() => void tasks.loadMore()} disabled={tasks.loading}>Load more tasks</button>}
    </div>
  );
}
