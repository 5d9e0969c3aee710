// Routes → pages. Pages are split into chunks so the home page does not load the player or the uploader.
import { lazy, Suspense, useEffect, useState, type ComponentType } from 'react';
import { Header, Sidebar } from './components/Header';
import { match, useLocation } from './lib/router';
import { SessionProvider } from './lib/session';
import { abandonEarly } from './player/early';

type RoutePage = ComponentType<any> & { load(): Promise<unknown> };

/** A page in its own chunk; once its chunk is loaded (load()), it renders at once instead of suspending. */
function page(load: () => Promise<Record<string, ComponentType<any>>>, name: string): RoutePage {
  let loaded: ComponentType<any> | null = null;
  const fetchIt = async () => (loaded = (await load())[name]);
  const Lazy = lazy(async () => ({ default: await fetchIt() }));
  function Page(props: any) {
    const [C] = useState(() => loaded);
    return C ? <C {...props} /> : <Lazy {...props} />;
  }
  return Object.assign(Page, { load: fetchIt });
}
const Home = page(() => import('./pages/Home'), 'Home');
const Subscriptions = page(() => import('./pages/Home'), 'Subscriptions');
const Trending = page(() => import('./pages/Home'), 'Trending');
const Search = page(() => import('./pages/Search'), 'Search');
const Channel = page(() => import('./pages/Channel'), 'Channel');
const Watch = page(() => import('./pages/Watch'), 'Watch');
const Upload = page(() => import('./pages/Upload'), 'Upload');
const Studio = page(() => import('./pages/Studio'), 'Studio');
const Playlists = page(() => import('./pages/Playlists'), 'Playlists');
const PlaylistPage = page(() => import('./pages/Playlists'), 'PlaylistPage');
const History = page(() => import('./pages/History'), 'History');
const Notifications = page(() => import('./pages/Notifications'), 'Notifications');
const Login = page(() => import('./pages/Login'), 'Login');
const Admin = page(() => import('./pages/Admin'), 'Admin');
const TvHome = page(() => import('./tv/TvHome'), 'TvHome');
const TvWatch = page(() => import('./tv/TvWatch'), 'TvWatch');

const ROUTES: Array<[string, RoutePage]> = [
  ['/', Home],
  ['/subscriptions', Subscriptions],
  ['/trending', Trending],
  ['/search', Search],
  ['/channel/:handle', Channel],
  ['/watch/:id', Watch],
  ['/upload', Upload],
  ['/studio', Studio],
  ['/playlists', Playlists],
  ['/playlist/:id', PlaylistPage],
  ['/history', History],
  ['/notifications', Notifications],
  ['/login', Login],
  ['/admin', Admin],
  ['/signup', Login],
];

function NotFound() {
  return <main className="page"><h1>Page not found</h1><p className="muted">There is nothing at this address.</p></main>;
}

function Shell() {
  const { path } = useLocation();
  const [menu, setMenu] = useState(false);
  const tv = match('/tv', path) ?? match('/tv/watch/:id', path);
  if (tv) {
    const Tv = tv.id ? TvWatch : TvHome;
    return (
      <div className="tv">
        <Suspense fallback={<p className="muted loading">Loading…</p>}><Tv key={path} {...tv} /></Suspense>
      </div>
    );
  }
  let Page: ComponentType<any> = NotFound;
  let params: Record<string, string> = {};
  for (const [pattern, C] of ROUTES) {
    const m = match(pattern, path);
    if (m) { Page = C; params = m; break; }
  }
  // a channel by its handle: /@handle
  const at = /^\/@([^/]+)\/?$/.exec(path);
  if (at) { Page = Channel; params = { handle: decodeURIComponent(at[1]) }; }
  return (
    <div className={`shell${path.startsWith('/watch/') ? ' shell-watch' : ''}`}>
      <a href="#main" className="skip-link">Skip to content</a>
      <Header onMenu={() => setMenu((m) => !m)} />
      <div className="body">
        <Sidebar open={menu} onNavigate={() => setMenu(false)} />
        <div id="main" className="content" tabIndex={-1}>
          <Suspense fallback={<p className="muted loading">Loading…</p>}>
            <Page key={path} {...params} />
          </Suspense>
        </div>
      </div>
    </div>
  );
}

/** Load the chunk of the page at `path` (before the first render: the first commit then shows the page itself). */
export async function loadPage(path: string): Promise<void> {
  await ROUTES.find(([pattern]) => match(pattern, path))?.[1].load();
}

export function App() {
  // a video the page started before the app (player/early.ts) that no player took by now is not shown: stop it
  useEffect(() => abandonEarly(), []);
  return (
    <SessionProvider>
      <Shell />
    </SessionProvider>
  );
}
