// Live processing progress of one video: seconds encoded per rung (from /availability) against the duration,
// tasks done (from /tasks), and "Playable now" as soon as the first rung plays. Polls every 1.5 s.
import { useEffect, useState } from 'react';
import { api, type Video } from '../lib/api';

interface Task { kind: string; state: string }

export function ProcessingProgress({ video, onChange }: { video: Video; onChange(): void }) {
  const [rungs, setRungs] = useState<Record<string, number>>({});
  const [tasks, setTasks] = useState<Task[]>([]);
  const [playable, setPlayable] = useState(video.playable);
  useEffect(() => {
    let stop = false;
    let timer = 0;
    const tick = async () => {
      const [a, t] = await Promise.all([
        api<{ status: string; playable: boolean; rungs: Record<string, number> }>(`/api/videos/${video.id}/availability`).catch(() => null),
        api<{ items: Task[] }>(`/api/videos/${video.id}/tasks`).catch(() => null),
      ]);
      if (stop) return;
      if (a) { setRungs(a.rungs); setPlayable(a.playable); }
      if (t) setTasks(t.items);
      if (a && a.status !== 'processing') return onChange();
      timer = window.setTimeout(tick, 1500);
    };
    void tick();
    return () => { stop = true; clearTimeout(timer); };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [video.id]);
  const dur = video.durationSec ?? 0;
  const done = tasks.filter((t) => t.state === 'done').length;
  return (
    <div className="processing" aria-live="polite">
      <div>
        {Math.round(video.progress * 100)}%{tasks.length ? <span className="muted"> · {done}/{tasks.length} tasks</span> : null}
        {playable && <span className="pill pill-ok playable-now">Playable now</span>}
      </div>
      {Object.keys(rungs).length > 0 && (
        <ul className="rungs" aria-label="Renditions">
          {Object.entries(rungs).map(([name, secs]) => {
            const pct = dur ? Math.min(100, (secs / dur) * 100) : 0;
            return (
              <li key={name} className="rung">
                <span className="rung-name">{name}</span>
                <progress max={100} value={pct} aria-label={`${name} encoded`} />
                <span className="muted rung-pct">{Math.round(pct)}%</span>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
