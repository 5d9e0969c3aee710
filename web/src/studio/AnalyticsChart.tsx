// Views per hour as an SVG bar chart (with a table for screen readers), plus countries and devices.
import { api } from '../lib/api';
import { useAsync } from '../lib/use-async';

interface Analytics { totalViews: number; from: string; to: string; hours: Array<{ hour: string; views: number }>; countries: Array<{ country: string; views: number }>; devices: Array<{ device: string; views: number }> }

export function AnalyticsChart({ videoId }: { videoId: string }) {
  const r = useAsync(() => api<Analytics>(`/api/videos/${videoId}/analytics?days=2`), [videoId]);
  if (r.loading) return <p className="muted">Loading analytics…</p>;
  if (r.error) return <p className="error">{r.error.message}</p>;
  const a = r.data!;
  // the last 48 hours, one bar each (hours without views are zero)
  const end = Math.floor(Date.now() / 3600_000);
  const byHour = new Map(a.hours.map((h) => [Math.floor(new Date(h.hour).getTime() / 3600_000), h.views]));
  const bars = Array.from({ length: 48 }, (_, i) => ({ hour: end - 47 + i, views: byHour.get(end - 47 + i) ?? 0 }));
  const max = Math.max(1, ...bars.map((b) => b.views));
  const W = 480, H = 120, bw = W / bars.length;
  return (
    <div className="analytics" data-total-views={a.totalViews}>
      <p><strong className="total-views">{a.totalViews}</strong> {a.totalViews === 1 ? 'view' : 'views'} in the last 30 days</p>
      <svg viewBox={`0 0 ${W} ${H + 16}`} className="chart" role="img" aria-label={`Views per hour over the last 48 hours, at most ${max} in one hour`}>
        {bars.map((b, i) => {
          const h = (b.views / max) * H;
          return (
            <rect key={b.hour} x={i * bw + 1} y={H - h} width={bw - 2} height={Math.max(h, b.views ? 2 : 0)} className="bar">
              <title>{new Date(b.hour * 3600_000).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' })}: {b.views} views</title>
            </rect>
          );
        })}
        <line x1={0} x2={W} y1={H} y2={H} className="axis" />
        <text x={0} y={H + 13} className="axis-label">48 h ago</text>
        <text x={W} y={H + 13} className="axis-label" textAnchor="end">now</text>
      </svg>
      <table className="visually-hidden">
        <caption>Views per hour</caption>
        <tbody>{a.hours.map((h) => <tr key={h.hour}><th scope="row">{h.hour}</th><td>{h.views}</td></tr>)}</tbody>
      </table>
      <div className="analytics-lists">
        <div><h4>Countries</h4><ul>{a.countries.length ? a.countries.map((c) => <li key={c.country}>{c.country || 'unknown'}: {c.views}</li>) : <li className="muted">none yet</li>}</ul></div>
        <div><h4>Devices</h4><ul>{a.devices.length ? a.devices.map((d) => <li key={d.device}>{d.device}: {d.views}</li>) : <li className="muted">none yet</li>}</ul></div>
      </div>
    </div>
  );
}
