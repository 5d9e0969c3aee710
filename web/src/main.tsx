// The app's entry, kept small: on a watch page whose video started before the app (player/early.ts), the app
// (boot.tsx: React, the router, the pages) is evaluated and rendered once the video shows its first frame, so the
// two do not compete for the main thread; everywhere else at once.
import { earlyShown } from './player/early';
import './styles.css';

void earlyShown()
  .then(() => import('./boot'))
  .then((app) => app.start());
