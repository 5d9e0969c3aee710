// Live processing progress of one video: seconds encoded per rung against the duration, tasks done, and
// "Playable now" as soon as the first rung plays. Pushed by the studio's event stream; without it (mode "polling"),
// polls /availability and /tasks every 1.5 s.
import { useEffect, useState } from 'react';
import { api, type ProgressSnapshot, type Video } from '../lib/api';
import type { ProgressMode } from './progress-stream';

interface Task { kind: string; state: string }

function usePolledProgress(video: Video, enabled: boolean, onChange: () => void) {
  const [rungs, setRungs] = useState<Record<string, number>>({});
  const [tasks, setTasks] = useState<Task[]>([]);
  const [playable, setPlayable] = useState(video.playable);
  useEffect(() => {
    if (!enabled) return;
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
  }, [video.id, enabled]);
  return { rungs, playable, done: tasks.filter((t) => t.state === 'done').length, total: tasks.length };
}

export function ProcessingProgress({ video, snapshot, mode, onChange }: { video: Video; snapshot?: ProgressSnapshot; mode: ProgressMode; onChange(): void }) {
  // poll only when the stream is not coming (refused, dropped, too slow to start)
  const polled = usePolledProgress(video, mode === 'polling', onChange);
  const snap = mode !== 'polling' ? snapshot : undefined;
  const rungs = snap ? snap.rungs : polled.rungs;
  const playable = snap ? snap.playable : polled.playable;
  const done = snap ? snap.tasks.done : polled.done;
  const total = snap ? snap.tasks.total : polled.total;
  const progress = snap ? snap.progress : video.progress;
  const dur = snap?.durationSec ?? video.durationSec ?? 0;
  return (
    <div className="processing" aria-live="polite" data-source={snap ? 'events' : 'polling'}>
      <div>
        <span className="processing-pct">{Math.round(progress * 100)}%</span>{total ? <span className="muted"> · {done}/{total} tasks</span> : null}
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
