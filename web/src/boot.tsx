// The app itself (React and every page's router), loaded by main.tsx: on a player-first watch page only after the
// video's first frame, elsewhere at once (the HTML preloads this chunk; src/web/pages-routes.ts).
import { createRoot } from 'react-dom/client';
import { App, loadPage } from './app';

export async function start(): Promise<void> {
  // a watch page's chunk is loaded before the first render, so that the first render shows the page with its
  // player, which takes over the video started early (player/early.ts) in that same commit
  if (location.pathname.startsWith('/watch/')) await loadPage(location.pathname).catch(() => {});
  createRoot(document.getElementById('root')!).render(<App />);
}
