import type { Video } from '../lib/api';
import { upNext } from '../lib/discovery';
import { useAsync } from '../lib/use-async';
import { VideoCard } from '../components/VideoCard';

export function UpNext({ videoId, onList }: { videoId: string; onList?(v: Video[]): void }) {
  const r = useAsync(async () => { const v = await upNext(videoId); onList?.(v); return v; }, [videoId]);
  return (
    <aside className="up-next" aria-labelledby="up-next-title">
      <h2 id="up-next-title">Up next</h2>
      {r.data ? (
        r.data.length ? <ul className="rows compact">{r.data.map((v) => <li key={v.id}><VideoCard video={v} layout="row" /></li>)}</ul> : <p className="muted">Nothing else to watch yet.</p>
      ) : <p className="muted">Loading…</p>}
    </aside>
  );
}
