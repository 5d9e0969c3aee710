// Site settings: upload size limit, quotas and rates, comments per minute, the ladder of new uploads. Sizes are
// edited in MiB; 0 means "no limit" where the hint says so. Saving sends only what changed; new requests obey it.
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../lib/api';
import { timeAgo } from '../lib/format';
import { useAsync } from '../lib/use-async';
import { RUNGS, type Settings, type SettingsView } from './admin-api';
import { act, Notice, type NoticeMsg } from './Notice';

const MIB = 2 ** 20;
type Key = keyof Settings;
interface Field { key: Key; label: string; unit: 'MiB' | 'count'; min: number; max: number; hint: string }
const FIELDS: Field[] = [
  { key: 'maxUploadBytes', label: 'Maximum upload size (MiB)', unit: 'MiB', min: 1, max: 256 * 1024, hint: 'The largest file one upload may be; larger uploads are refused (413).' },
  { key: 'uploadQuotaDailyBytes', label: 'Daily upload quota per account (MiB)', unit: 'MiB', min: 0, max: 1e9, hint: 'Bytes per account per 24 hours; 0 = no limit.' },
  { key: 'uploadQuotaTotalBytes', label: 'Storage quota per account (MiB)', unit: 'MiB', min: 0, max: 1e9, hint: 'Bytes one account may have uploaded in total; 0 = no limit.' },
  { key: 'uploadsPerHour', label: 'Uploads per channel per hour', unit: 'count', min: 0, max: 1000000000, hint: '0 = no limit.' },
  { key: 'commentsPerMinute', label: 'Comments per account per minute', unit: 'count', min: 1, max: 10000, hint: 'More are refused (429) until the minute passes.' },
  { key: 'loginAttemptsPerMinute', label: 'Sign-in attempts per minute', unit: 'count', min: 1, max: 10000, hint: 'Per client address and per email; more are refused (429).' },
];

const show = (f: Field, v: number) => (f.unit === 'MiB' ? String(Math.round((v / MIB) * 1000) / 1000) : String(v));
const parse = (f: Field, s: string) => (f.unit === 'MiB' ? Math.round(Number(s) * MIB) : Number(s));

export function SettingsPanel() {
  const view = useAsync(() => api<SettingsView>('/api/admin/settings'), []);
  const [form, setForm] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<NoticeMsg>(null);
  const [data, setData] = useState<SettingsView | null>(null);
  useEffect(() => { if (view.data) setData(view.data); }, [view.data]);
  useEffect(() => {
    if (!data) return;
    setForm({ ...Object.fromEntries(FIELDS.map((f) => [f.key, show(f, data.settings[f.key] as number)])), ladderMaxRung: data.settings.ladderMaxRung });
  }, [data]);
  if (view.error) return <p className="error">{view.error.message}</p>;
  if (!data) return <p className="muted">Loading…</p>;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const patch: Partial<Record<Key, number | string | null>> = {};
    for (const f of FIELDS) {
      const v = parse(f, form[f.key]);
      if (v !== data.settings[f.key]) patch[f.key] = v;
    }
    if (form.ladderMaxRung !== data.settings.ladderMaxRung) patch.ladderMaxRung = form.ladderMaxRung;
    if (!Object.keys(patch).length) return setMsg({ text: 'Nothing changed' });
    await act(setMsg, async () => setData(await api<SettingsView>('/api/admin/settings', { method: 'PATCH', body: patch })), 'Settings saved; new requests use them now');
  };
  const reset = async () => {
    const patch = Object.fromEntries(data.overridden.map((k) => [k, null]));
    await act(setMsg, async () => setData(await api<SettingsView>('/api/admin/settings', { method: 'PATCH', body: patch })), 'Every setting is back to its default');
  };
  const defaultOf = (f: Field) => `default ${show(f, data.defaults[f.key] as number)}`;
  return (
    <div className="admin-panel">
      <h2>Site settings</h2>
      <p className="muted">{data.updatedAt ? `Last changed ${timeAgo(data.updatedAt)}${data.updatedBy ? ` by @${data.updatedBy}` : ''}.` : 'All settings have their defaults (from the server configuration).'}</p>
      <form className="stack admin-settings" onSubmit={save} id="admin-settings">
        {FIELDS.map((f) => (
          <div key={f.key} className="admin-field">
            <label htmlFor={`setting-${f.key}`}>{f.label}</label>
            <input id={`setting-${f.key}`} type="number" inputMode="decimal" min={f.min} max={f.max} step={f.unit === 'MiB' ? 'any' : 1} required
              value={form[f.key] ?? ''} onChange={(e) => setForm({ ...form, [f.key]: e.target.value })} aria-describedby={`setting-${f.key}-hint`} />
            <span id={`setting-${f.key}-hint`} className="muted">{f.hint} ({defaultOf(f)}{data.overridden.includes(f.key) ? ', changed' : ''})</span>
          </div>
        ))}
        <div className="admin-field">
          <label htmlFor="setting-ladderMaxRung">Highest rendition of new uploads</label>
          <select id="setting-ladderMaxRung" value={form.ladderMaxRung ?? ''} onChange={(e) => setForm({ ...form, ladderMaxRung: e.target.value })} aria-describedby="setting-ladderMaxRung-hint">
            {RUNGS.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
          <span id="setting-ladderMaxRung-hint" className="muted">The ladder never goes above the source; this caps it further for videos uploaded from now on (default {data.defaults.ladderMaxRung}).</span>
        </div>
        <div className="form-actions">
          <button type="button" className="secondary" onClick={() => void reset()} disabled={!data.overridden.length}>Reset to defaults</button>
          <button type="submit" id="save-settings">Save settings</button>
        </div>
      </form>
      <Notice msg={msg} />
    </div>
  );
}
