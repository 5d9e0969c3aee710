// The app's entry, kept small: on a watch page whose video started before the app (player/early.ts), the app
// (boot.tsx: React, the router, the pages) is evaluated and rendered once the video shows its first frame, so the
// two do not compete for the main thread; everywhere else at once.
import { earlyShown } from './player/early';
import './styles.css';

// (on a watch page, its chunk is fetched alongside the app's: the app renders it first)
const watch = location.pathname.startsWith('/watch/');
void earlyShown()
  .then(() => Promise.all([import('./boot'), watch ? import('./pages/Watch').catch(() => null) : null]))
  .then(([app]) => {
    performance.mark('reel:app started');
    app.start();
  });
