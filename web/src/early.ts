// The watch page's player-first entry (see player/early.ts): its HTML runs this before the app's script.
// hls.js is a static import here, evaluated before this runs, so the video starts before the app is evaluated.
import Hls from 'hls.js';
import { startEarly } from './player/early';

startEarly(Hls);
