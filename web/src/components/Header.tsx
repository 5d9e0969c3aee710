import { useEffect, useState } from 'react';
import { api } from '../lib/api';
import { Link, useLocation } from '../lib/router';
import { useSession } from '../lib/session';
import { SearchBox } from './SearchBox';
import { Icon, type IconName } from './Icon';

/** Unread notifications, refreshed every 30 s and whenever the page changes. */
function useUnread(signedIn: boolean, path: string): number {
  const [n, setN] = useState(0);
  useEffect(() => {
    if (!signedIn) return setN(0);
    let stop = false;
    const load = () => api<{ unread: number }>('/api/me/notifications/unread-count').then((r) => !stop && setN(r.unread), () => {});
    load();
    const t = setInterval(load, 30_000);
    window.addEventListener('reel:notifications', load);
    return () => { stop = true; clearInterval(t); window.removeEventListener('reel:notifications', load); };
  }, [signedIn, path]);
  return n;
}

/** Whether the signed-in account is a site admin (the admin console link is shown only then). */
function useIsAdmin(userId: string | undefined): boolean {
  const [admin, setAdmin] = useState(false);
  useEffect(() => {
    setAdmin(false);
    if (!userId) return;
    let stop = false;
    api<{ admin: boolean }>('/api/admin/access').then((r) => !stop && setAdmin(r.admin), () => {});
    return () => { stop = true; };
  }, [userId]);
  return admin;
}

export function Header({ onMenu }: { onMenu(): void }) {
  const { me, signOut } = useSession();
  const { path } = useLocation();
  const unread = useUnread(!!me, path);
  const admin = useIsAdmin(me?.id);
  return (
    <header className="top">
      <button className="icon-button menu-button" aria-label="Menu" onClick={onMenu}><Icon name="menu" /></button>
      <Link to="/" className="logo" aria-label="Reel home"><span className="logo-mark" aria-hidden="true"><Icon name="play" size={16} /></span>Reel</Link>
      <SearchBox />
      <nav className="top-actions" aria-label="Account">
        {me ? (
          <>
            {admin && <Link to="/admin" className="button secondary" id="admin-link" aria-current={path === '/admin' ? 'page' : undefined}>Admin</Link>}
            <Link to="/upload" className="button secondary" aria-label="Upload a video"><Icon name="upload" size={20} /> Upload</Link>
            <Link to="/notifications" className="icon-button bell" id="notifications-link" aria-label={`Notifications${unread ? `, ${unread} unread` : ''}`}>
              <Icon name="bell" />{unread > 0 && <span className="badge" id="unread-count">{unread > 99 ? '99+' : unread}</span>}
            </Link>
            <Link to={`/channel/${me.channel.handle}`} className="avatar" aria-label={`Your channel @${me.channel.handle}`} title={`@${me.channel.handle}`}>
              {me.channel.name.slice(0, 1).toUpperCase()}
            </Link>
            <button className="secondary" id="logout" onClick={() => void signOut()}>Sign out</button>
          </>
        ) : (
          <Link to="/login" className="button" id="sign-in">Sign in</Link>
        )}
      </nav>
    </header>
  );
}

export function Sidebar({ open, onNavigate }: { open: boolean; onNavigate(): void }) {
  const { path } = useLocation();
  const { me } = useSession();
  const item = (to: string, icon: IconName, label: string) => (
    <li>
      <Link to={to} aria-current={path === to ? 'page' : undefined} onClick={onNavigate}><Icon name={icon} /> {label}</Link>
    </li>
  );
  return (
    <nav className={`sidebar${open ? ' open' : ''}`} aria-label="Main">
      <ul>
        {item('/', 'home', 'Home')}
        {item('/subscriptions', 'subscriptions', 'Subscriptions')}
        {item('/trending', 'trending', 'Trending')}
      </ul>
      <ul>
        {item('/history', 'history', 'History')}
        {item('/playlists', 'playlist', 'Playlists')}
        {me && item('/studio', 'studio', 'Studio')}
        {me && item('/upload', 'upload', 'Upload')}
        {me && item('/notifications', 'bell', 'Notifications')}
      </ul>
      <ul>
        {item('/tv', 'tv', 'TV mode')}
      </ul>
    </nav>
  );
}
