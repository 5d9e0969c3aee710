// The admin console (site admins, ADMIN_EMAILS): task queue, flagged videos, videos by state, accounts, channels,
// site settings. Tabs follow the WAI-ARIA tabs pattern (arrow keys, Home/End); the tab is kept in ?tab=.
import { useRef, useState, type KeyboardEvent } from 'react';
import { api } from '../lib/api';
import { useLocation } from '../lib/router';
import { useRequireSession } from '../lib/session';
import { useAsync } from '../lib/use-async';
import { QueuePanel } from '../admin/QueuePanel';
import { FlagsPanel } from '../admin/FlagsPanel';
import { VideosPanel } from '../admin/VideosPanel';
import { UsersPanel } from '../admin/UsersPanel';
import { ChannelsPanel } from '../admin/ChannelsPanel';
import { SettingsPanel } from '../admin/SettingsPanel';
import type { QueueSummary } from '../admin/admin-api';
import '../admin/admin.css';

const TABS = [
  { id: 'queue', label: 'Task queue', Panel: QueuePanel },
  { id: 'flags', label: 'Flagged videos', Panel: FlagsPanel },
  { id: 'videos', label: 'Videos', Panel: VideosPanel },
  { id: 'users', label: 'Users', Panel: UsersPanel },
  { id: 'channels', label: 'Channels', Panel: ChannelsPanel },
  { id: 'settings', label: 'Settings', Panel: SettingsPanel },
] as const;
type TabId = (typeof TABS)[number]['id'];

export function Admin() {
  const me = useRequireSession();
  const { query } = useLocation();
  const access = useAsync(async () => (me ? api<{ admin: boolean }>('/api/admin/access') : null), [me?.id]);
  const badges = useAsync(async () => {
    if (!access.data?.admin) return null;
    const [q, flags] = await Promise.all([api<QueueSummary>('/api/admin/queue'), api<{ items: unknown[] }>('/api/admin/flags')]);
    return { queue: (q.byState.dead ?? 0) + (q.byState.failed ?? 0), flags: flags.items.length };
  }, [access.data?.admin]);
  const asked = query.get('tab');
  const [tab, setTabState] = useState<TabId>(TABS.some((t) => t.id === asked) ? (asked as TabId) : 'queue');
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  document.title = 'Admin · Reel';

  const setTab = (id: TabId, focus = false) => {
    setTabState(id);
    history.replaceState(history.state, '', `/admin?tab=${id}`);
    if (focus) refs.current[id]?.focus();
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = TABS.findIndex((t) => t.id === tab);
    const to = e.key === 'ArrowRight' ? (i + 1) % TABS.length : e.key === 'ArrowLeft' ? (i - 1 + TABS.length) % TABS.length : e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : -1;
    if (to < 0) return;
    e.preventDefault();
    setTab(TABS[to].id, true);
  };

  if (!me || access.loading) return <main className="page"><p className="muted">Loading…</p></main>;
  if (access.error || !access.data?.admin) {
    return <main className="page narrow"><h1>Admin</h1><p className="error" role="alert">Only site admins can open the admin console.</p></main>;
  }
  const current = TABS.find((t) => t.id === tab)!;
  const badge = (id: TabId) => {
    const n = id === 'queue' ? badges.data?.queue : id === 'flags' ? badges.data?.flags : 0;
    return n ? <><span className="tab-count" aria-hidden="true">{n}</span><span className="visually-hidden">, {n} need attention</span></> : null;
  };
  return (
    <main className="page admin">
      <h1>Admin</h1>
      <div className="admin-tabs" role="tablist" aria-label="Admin sections" onKeyDown={onKey}>
        {TABS.map((t) => (
          <button key={t.id} ref={(el) => { refs.current[t.id] = el; }} role="tab" id={`tab-${t.id}`} aria-selected={tab === t.id} aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1} onClick={() => setTab(t.id)}>
            {t.label}{badge(t.id)}
          </button>
        ))}
      </div>
      <section role="tabpanel" id={`panel-${current.id}`} aria-labelledby={`tab-${current.id}`} tabIndex={0}>
        <current.Panel key={current.id} />
      </section>
    </main>
  );
}
