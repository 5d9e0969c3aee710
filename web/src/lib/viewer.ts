const VIEWER_KEY = 'reel_viewer_id';

/** A stable anonymous viewer id for this browser (views de-dup, anonymous recommendations). */
export function viewerId(): string | undefined {
  try {
    let v = localStorage.getItem(VIEWER_KEY);
    if (!v) {
      v = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
      localStorage.setItem(VIEWER_KEY, v);
    }
    return v;
  } catch {
    return undefined; // storage disabled: the server falls back to IP + user agent
  }
}
