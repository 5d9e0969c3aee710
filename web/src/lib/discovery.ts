// Discovery (search, autocomplete, home feed, trending, up next) with graceful fallbacks: when an endpoint is
// missing (404) or fails, the page still shows something sensible built from the public listing.
import { api, maybe, type Video } from './api';
import { viewerId } from './viewer';

const viewer = () => { const v = viewerId(); return v ? `&viewerId=${v}` : ''; };

/** Accept the usual list shapes: { items }, { results }, { videos } or an array; items may wrap { video }. */
export function videosOf(body: any): Video[] {
  const list = Array.isArray(body) ? body : body?.items ?? body?.results ?? body?.videos ?? [];
  return list.map((x: any) => (x && x.video && !x.title ? x.video : x)).filter((v: any) => v && v.id && v.title);
}

async function latest(limit = 100): Promise<Video[]> {
  return (await api<{ items: Video[] }>(`/api/videos?limit=${limit}`)).items;
}

async function tryList(paths: string[]): Promise<Video[] | null> {
  for (const p of paths) {
    try {
      const body = await maybe(p);
      if (body) return videosOf(body);
    } catch {
      /* a failing stage falls back below */
    }
  }
  return null;
}

export async function homeFeed(): Promise<{ videos: Video[]; source: 'recommended' | 'latest' }> {
  const rec = await tryList([`/api/feed/home?limit=24${viewer()}`]);
  if (rec && rec.length) return { videos: rec, source: 'recommended' };
  return { videos: await latest(24), source: 'latest' };
}

export async function trending(): Promise<Video[]> {
  const t = await tryList(['/api/trending?limit=12']);
  if (t) return t;
  return (await latest(100)).sort((a, b) => b.viewCount - a.viewCount).slice(0, 12);
}

export async function upNext(videoId: string): Promise<Video[]> {
  const r = await tryList([`/api/videos/${videoId}/up-next?limit=12${viewer()}`]);
  if (r && r.length) return r.filter((v) => v.id !== videoId);
  return (await latest(24)).filter((v) => v.id !== videoId).slice(0, 12);
}

const norm = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

/** Fallback search: every word must appear in title, description, tags or channel. */
function localSearch(videos: Video[], q: string): Video[] {
  const words = norm(q).split(/\s+/).filter(Boolean);
  return videos.filter((v) => {
    const text = norm([v.title, v.description, v.tags.join(' '), v.channel.name, v.channel.handle].join(' '));
    return words.every((w) => text.includes(w));
  });
}

export async function search(q: string, filters: Record<string, string> = {}): Promise<{ videos: Video[]; source: 'index' | 'local' }> {
  const qs = new URLSearchParams({ q, ...filters }).toString();
  const r = await tryList([`/api/search?${qs}`]);
  if (r) return { videos: r, source: 'index' };
  return { videos: localSearch(await latest(100), q), source: 'local' };
}

const SUGGEST = ['/api/search/suggestions', '/api/search/autocomplete'];
let suggestFrom: string[] = SUGGEST; // narrowed to the endpoint that exists once one answered, [] when none does

export async function autocomplete(q: string, signal?: AbortSignal): Promise<string[]> {
  if (q.trim().length < 2) return [];
  for (const base of suggestFrom) {
    try {
      const body = await maybe<any>(`${base}?q=${encodeURIComponent(q)}`);
      if (signal?.aborted) return [];
      if (!body) {
        if (base === suggestFrom.at(-1)) suggestFrom = [];
        continue;
      }
      suggestFrom = [base];
      const list = Array.isArray(body) ? body : body.suggestions ?? body.items ?? [];
      return list.map((s: any) => (typeof s === 'string' ? s : s.text ?? s.query ?? s.title ?? s.value)).filter(Boolean).slice(0, 8);
    } catch {
      break;
    }
  }
  const titles = localSearch(await latest(100), q).map((v) => v.title);
  return [...new Set(titles)].slice(0, 8);
}
