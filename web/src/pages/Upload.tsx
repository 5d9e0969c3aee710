// Upload: drop or pick several files; each gets a progress bar (speed, time left), pause/resume, and a
// metadata form that can be filled and saved while the bytes are still going up. Reload-safe (tus resume).
import { useEffect, useReducer, useRef, useState } from 'react';
import type { Visibility } from '../lib/api';
import { fmtBytes, fmtDuration } from '../lib/format';
import { Link } from '../lib/router';
import { useRequireSession } from '../lib/session';
import { forget, unfinished, UploadJob, type Meta } from '../upload/upload-job';
import { Icon } from '../components/Icon';

const titleOf = (f: File) => f.name.replace(/\.[^.]+$/, '').replace(/[_-]+/g, ' ').trim() || f.name;

function useJob(job: UploadJob) {
  const [, force] = useReducer((n: number) => n + 1, 0);
  useEffect(() => job.subscribe(force), [job]);
  return job.state;
}

function MetaForm({ job }: { job: UploadJob }) {
  const [m, setM] = useState<Meta>(job.meta);
  const [saved, setSaved] = useState('');
  const [tags, setTags] = useState(job.meta.tags.join(', '));
  const idp = `meta-${job.id}`;
  return (
    <form
      className="meta-form"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          await job.saveMeta({ ...m, tags: tags.split(',').map((t) => t.trim()).filter(Boolean) });
          setSaved('Details saved');
        } catch (err) {
          setSaved((err as Error).message);
        }
      }}
    >
      <label htmlFor={`${idp}-title`}>Title</label>
      <input id={`${idp}-title`} className="meta-title" required maxLength={200} value={m.title} onChange={(e) => setM({ ...m, title: e.target.value })} />
      <label htmlFor={`${idp}-desc`}>Description</label>
      <textarea id={`${idp}-desc`} className="meta-description" rows={3} maxLength={5000} value={m.description} onChange={(e) => setM({ ...m, description: e.target.value })} />
      <label htmlFor={`${idp}-tags`}>Tags (comma separated)</label>
      <input id={`${idp}-tags`} className="meta-tags" value={tags} onChange={(e) => setTags(e.target.value)} />
      <label htmlFor={`${idp}-vis`}>Visibility</label>
      <select id={`${idp}-vis`} className="meta-visibility" value={m.visibility} onChange={(e) => setM({ ...m, visibility: e.target.value as Visibility })}>
        <option value="public">Public</option>
        <option value="unlisted">Unlisted (anyone with the link)</option>
        <option value="private">Private (only you)</option>
      </select>
      <div className="form-actions">
        <span className="muted" role="status">{saved}</span>
        <button className="save-meta">Save details</button>
      </div>
    </form>
  );
}

function JobCard({ job, onRemove }: { job: UploadJob; onRemove(): void }) {
  const s = useJob(job);
  const pct = s.total ? (s.sent / s.total) * 100 : 0;
  const uploading = s.phase === 'uploading' || s.phase === 'paused' || s.phase === 'creating';
  const v = s.video;
  return (
    <li className="upload-item card-panel" aria-label={`Upload of ${job.file.name}`}>
      <div className="upload-head">
        <strong>{job.file.name}</strong> <span className="muted">{fmtBytes(job.file.size)}</span>
      </div>
      <progress className="upload-bar" max={100} value={uploading ? pct : s.phase === 'processing' ? (v?.progress ?? 0) * 100 : 100} aria-label={uploading ? 'Upload progress' : 'Processing progress'} />
      <div className="upload-status" aria-live="polite">
        {s.phase === 'creating' && 'Starting…'}
        {s.phase === 'uploading' && <>{pct.toFixed(1)}% · {fmtBytes(s.sent)} of {fmtBytes(s.total)} · <span className="speed">{fmtBytes(Math.round(s.bytesPerSec))}/s</span> · <span className="eta">{s.secondsLeft == null ? '…' : `${fmtDuration(s.secondsLeft)} left`}</span></>}
        {s.phase === 'paused' && <>Paused at {pct.toFixed(1)}%</>}
        {s.phase === 'processing' && <>Uploaded. Processing {Math.round((v?.progress ?? 0) * 100)}%{v?.playable ? <> · <strong className="playable-now">Playable now</strong>: <Link to={`/watch/${v.id}`}>watch it</Link></> : '…'}</>}
        {s.phase === 'ready' && v && <>Ready! <Link to={`/watch/${v.id}`} className="watch-link">Watch it</Link></>}
        {s.phase === 'failed' && <span className="error">{s.error}</span>}
        {s.resumedFrom > 0 && uploading && <span className="muted"> (continued from {fmtBytes(s.resumedFrom)})</span>}
      </div>
      <div className="form-actions">
        {s.phase === 'uploading' && <button type="button" className="secondary pause" onClick={() => job.pause()}>Pause</button>}
        {s.phase === 'paused' && <button type="button" className="resume" onClick={() => job.resume()}>Resume</button>}
        {(uploading || s.phase === 'failed') && <button type="button" className="secondary" onClick={async () => { await job.cancel(); onRemove(); }}>Cancel</button>}
        {v && <Link to="/studio" className="button secondary">Open studio</Link>}
      </div>
      <MetaForm key={v?.id ?? 'new'} job={job} />
    </li>
  );
}

export function Upload() {
  const me = useRequireSession();
  const [jobs, setJobs] = useState<UploadJob[]>([]);
  const [drag, setDrag] = useState(false);
  const [visibility, setVisibility] = useState<Visibility>('public');
  const input = useRef<HTMLInputElement>(null);
  const [pending, setPending] = useState<Awaited<ReturnType<typeof unfinished>>>([]);
  useEffect(() => { unfinished().then(setPending, () => {}); }, []);
  document.title = 'Upload · Reel';

  const add = (files: FileList | File[]) => {
    const list = Array.from(files).filter((f) => f.size > 0);
    const created = list.map((f) => new UploadJob(f, { title: titleOf(f), description: '', tags: [], visibility }));
    setJobs((j) => [...created, ...j]);
    created.forEach((j) => void j.start());
  };
  if (!me) return <main className="page"><p className="muted">Loading…</p></main>;
  return (
    <main className="page narrow">
      <h1>Upload videos</h1>
      <div
        className={`dropzone${drag ? ' dragging' : ''}`}
        onDragOver={(e) => { e.preventDefault(); setDrag(true); }}
        onDragLeave={() => setDrag(false)}
        onDrop={(e) => { e.preventDefault(); setDrag(false); add(e.dataTransfer.files); }}
      >
        <p className="dropzone-icon"><Icon name="upload" size={48} /></p>
        <p>Drag and drop video files here</p>
        <label className="button" htmlFor="file">Select files</label>
        <input id="file" ref={input} className="visually-hidden-input" type="file" accept="video/*" multiple onChange={(e) => { if (e.target.files) add(e.target.files); e.target.value = ''; }} />
        <label className="inline-label">
          New uploads are{' '}
          <select id="default-visibility" value={visibility} onChange={(e) => setVisibility(e.target.value as Visibility)}>
            <option value="public">public</option>
            <option value="unlisted">unlisted</option>
            <option value="private">private</option>
          </select>
        </label>
      </div>
      {pending.length > 0 && jobs.length === 0 && (
        <section className="section" id="resume-here" aria-labelledby="resume-title">
          <h2 id="resume-title">Unfinished uploads from this browser</h2>
          <p className="muted">Pick or drop the same file again to continue where it stopped.</p>
          <ul>
            {pending.map((r) => (
              <li key={r.videoId}>
                <strong>{r.title}</strong> <span className="muted">({r.name}, {fmtBytes(r.size)}, {Math.floor(r.received * 100)}% received)</span>{' '}
                <button className="link-button" onClick={() => { forget(r.videoId); setPending((p) => p.filter((x) => x.videoId !== r.videoId)); }}>Forget</button>
              </li>
            ))}
          </ul>
        </section>
      )}
      <ul className="upload-list" aria-label="Uploads">
        {jobs.map((j) => <JobCard key={j.id} job={j} onRemove={() => setJobs((js) => js.filter((x) => x !== j))} />)}
      </ul>
    </main>
  );
}
