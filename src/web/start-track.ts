/**
 * The watch page's start, as its HTML names it (`#reel-start`) for the MSE starter: written by
 * src/web/page-preloads.ts, read by web/src/player/starter.ts. Types only, nothing with code, so the web app can
 * use them too.
 */

/**
 * One track of a video's start: the SourceBuffer's codec, and the init segment and first segment to append
 * (absolute paths); `key` when the first segment is AES-128 encrypted (whole segment, CBC, PKCS#7): the key's URL
 * and the segment's IV in hex.
 */
export interface StartTrack {
  kind: 'video' | 'audio';
  codec: string;
  init: string;
  first: string;
  key?: { uri: string; iv: string };
}
