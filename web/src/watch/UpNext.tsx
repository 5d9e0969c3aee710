import type { Video } from '../lib/api';
import { upNext } from '../lib/discovery';
import { useAsync } from '../lib/use-async';
import { VideoCard } from '../components/VideoCard';

export function UpNext({ videoId, onList, autoplay, onAutoplay }: { videoId: string; onList?(v: Video[]): void; autoplay?: boolean; onAutoplay?(on: boolean): void }) {
  const r = useAsync(async () => { const v = await upNext(videoId); onList?.(v); return v; }, [videoId]);
  return (
    <aside className="up-next" aria-labelledby="up-next-title">
      <div className="up-next-head">
        <h2 id="up-next-title">Up next</h2>
        {onAutoplay && (
          <button
            type="button"
            id="autoplay-toggle"
            className="autoplay-toggle"
            role="switch"
            aria-checked={!!autoplay}
            title="When a video ends, play the first video up next"
            onClick={() => onAutoplay(!autoplay)}
          >
            Autoplay <span className="track" aria-hidden="true" />
          </button>
        )}
      </div>
      {r.data ? (
        r.data.length ? <ul className="rows compact" id="up-next-list">{r.data.map((v) => <li key={v.id}><VideoCard video={v} layout="row" /></li>)}</ul> : <p className="muted">Nothing else to watch yet.</p>
      ) : <p className="muted">Loading…</p>}
    </aside>
  );
}
