import { search } from '../lib/discovery';
import { navigate, useLocation } from '../lib/router';
import { useAsync } from '../lib/use-async';
import { VideoCard } from '../components/VideoCard';

const FILTERS: Array<{ key: string; label: string; options: Array<[string, string]> }> = [
  { key: 'uploaded', label: 'Upload date', options: [['', 'Any time'], ['hour', 'Last hour'], ['today', 'Today'], ['week', 'This week'], ['month', 'This month'], ['year', 'This year']] },
  { key: 'duration', label: 'Duration', options: [['', 'Any length'], ['short', 'Under 4 minutes'], ['medium', '4–20 minutes'], ['long', 'Over 20 minutes']] },
  { key: 'sort', label: 'Sort by', options: [['', 'Relevance'], ['newest', 'Upload date'], ['views', 'View count']] },
];

export function Search() {
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const filters = Object.fromEntries(FILTERS.map((f) => [f.key, query.get(f.key) ?? '']).filter(([, v]) => v));
  const key = JSON.stringify(filters);
  const r = useAsync(() => (q ? search(q, filters) : Promise.resolve({ videos: [], source: 'index' as const })), [q, key]);
  document.title = `${q ? `${q} - ` : ''}Search · Reel`;
  const setFilter = (k: string, v: string) => {
    const next = new URLSearchParams(location.search);
    if (v) next.set(k, v);
    else next.delete(k);
    navigate(`/search?${next}`, { replace: true });
  };
  return (
    <main className="page narrow">
      <h1>{q ? <>Results for “{q}”</> : 'Search'}</h1>
      <div className="filters" role="group" aria-label="Filters">
        {FILTERS.map((f) => (
          <label key={f.key}>
            <span className="muted">{f.label}</span>{' '}
            <select value={query.get(f.key) ?? ''} onChange={(e) => setFilter(f.key, e.target.value)}>
              {f.options.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
            </select>
          </label>
        ))}
      </div>
      <div id="search-results" aria-live="polite">
        {r.loading ? <p className="muted">Searching…</p> : r.error ? <p className="error">{r.error.message}</p> : r.data!.videos.length === 0 ? (
          <p className="muted">No videos match “{q}”.</p>
        ) : (
          <ul className="rows" aria-label="Search results">
            {r.data!.videos.map((v) => <li key={v.id}><VideoCard video={v} layout="row" /></li>)}
          </ul>
        )}
      </div>
    </main>
  );
}
