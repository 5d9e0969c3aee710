// The watch page's player-first entry (see player/early.ts): its HTML runs this before the app's script. It is
// small: the MSE starter (player/starter.ts) shows the first frame, and hls.js is imported once it has (or at once
// when the page has no start tracks), so the video starts before hls.js and the app are evaluated.
import { startEarly } from './player/early';

startEarly(() => import('hls.js').then((m) => m.default));
