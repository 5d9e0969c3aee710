// Threaded comments: sort top/new/old, load more, reply, vote, edit/delete own, moderation hints.
import { useEffect, useState } from 'react';
import { api, type Comment } from '../lib/api';
import { timeAgo } from '../lib/format';
import { Link } from '../lib/router';
import { toLogin, useSession } from '../lib/session';
import { Icon } from '../components/Icon';

type Sort = 'top' | 'new' | 'old';
interface Page { items: Comment[]; next: string | null }

function CommentForm({ videoId, parentId, onPosted, onCancel, autoFocus }: { videoId: string; parentId?: string; onPosted(c: Comment): void; onCancel?(): void; autoFocus?: boolean }) {
  const { me } = useSession();
  const [body, setBody] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const label = parentId ? 'Add a reply' : 'Add a comment';
  if (!me) return parentId ? null : <p className="muted"><button className="link-button" onClick={toLogin}>Sign in</button> to comment.</p>;
  return (
    <form
      className="comment-form"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!body.trim()) return;
        setBusy(true);
        setError('');
        try {
          onPosted(await api<Comment>(`/api/videos/${videoId}/comments`, { method: 'POST', body: parentId ? { body, parentId } : { body } }));
          setBody('');
        } catch (err) {
          setError((err as Error).message);
        } finally {
          setBusy(false);
        }
      }}
    >
      <label className="visually-hidden" htmlFor={`cf-${parentId ?? 'top'}`}>{label}</label>
      <textarea id={`cf-${parentId ?? 'top'}`} className={parentId ? 'reply-input' : 'comment-input'} rows={parentId ? 1 : 2} placeholder={`${label}…`} value={body} maxLength={10000} autoFocus={autoFocus} onChange={(e) => setBody(e.target.value)} />
      <div className="form-actions">
        {onCancel && <button type="button" className="secondary" onClick={onCancel}>Cancel</button>}
        <button type="submit" disabled={busy || !body.trim()}>{parentId ? 'Reply' : 'Comment'}</button>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
    </form>
  );
}

function CommentItem({ c, videoId, onChange }: { c: Comment; videoId: string; onChange(c: Comment | null): void }) {
  const { me } = useSession();
  const [replying, setReplying] = useState(false);
  const [replies, setReplies] = useState<Comment[] | null>(null);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(c.body);
  const mine = me?.channel.id === c.author.channelId;
  const loadReplies = async () => setReplies((await api<Page>(`/api/videos/${videoId}/comments?parentId=${c.id}&sort=old&limit=100`)).items);
  const vote = async (v: 'up' | 'down') => {
    if (!me) return toLogin();
    const r = await api<{ score: number; myVote: Comment['myVote'] }>(`/api/comments/${c.id}/vote`, { method: 'PUT', body: { vote: c.myVote === v ? null : v } });
    onChange({ ...c, ...r });
  };
  return (
    <li className="comment" data-comment-id={c.id}>
      <div className="avatar" aria-hidden="true">{c.author.name.slice(0, 1).toUpperCase()}</div>
      <div className="comment-main">
        <div className="comment-head">
          <Link to={`/channel/${c.author.handle}`} className={c.byChannelOwner ? 'owner-badge' : ''}>@{c.author.handle}</Link>
          <span className="muted"> {timeAgo(c.createdAt)}{c.editedAt ? ' (edited)' : ''}</span>
          {c.state === 'pending' && <span className="pill">awaiting approval</span>}
        </div>
        {editing ? (
          <form onSubmit={async (e) => { e.preventDefault(); onChange(await api<Comment>(`/api/comments/${c.id}`, { method: 'PATCH', body: { body: draft } })); setEditing(false); }}>
            <label className="visually-hidden" htmlFor={`edit-${c.id}`}>Edit comment</label>
            <textarea id={`edit-${c.id}`} value={draft} onChange={(e) => setDraft(e.target.value)} rows={2} />
            <div className="form-actions"><button type="button" className="secondary" onClick={() => setEditing(false)}>Cancel</button><button>Save</button></div>
          </form>
        ) : (
          <p className="comment-body">{c.deleted ? <em className="muted">Comment deleted</em> : c.body}</p>
        )}
        <div className="comment-actions">
          <button className="icon-button small" aria-label="Like comment" aria-pressed={c.myVote === 'up'} onClick={() => vote('up')}><Icon name="like" size={18} /></button>
          <span className="score" aria-label={`score ${c.score}`}>{c.score || ''}</span>
          <button className="icon-button small" aria-label="Dislike comment" aria-pressed={c.myVote === 'down'} onClick={() => vote('down')}><Icon name="dislike" size={18} /></button>
          {!c.parentId && !replying && <button className="link-button reply-button" onClick={() => (me ? setReplying(true) : toLogin())}>Reply</button>}
          {mine && !c.deleted && <button className="link-button" onClick={() => setEditing(true)}>Edit</button>}
          {mine && !c.deleted && <button className="link-button" onClick={async () => { await api(`/api/comments/${c.id}`, { method: 'DELETE' }); onChange(null); }}>Delete</button>}
        </div>
        {replying && (
          <CommentForm videoId={videoId} parentId={c.id} autoFocus onCancel={() => setReplying(false)} onPosted={(r) => { setReplying(false); setReplies((rs) => [...(rs ?? []), r]); onChange({ ...c, replyCount: c.replyCount + 1 }); }} />
        )}
        {c.replyCount > 0 && replies === null && (
          <button className="link-button replies-toggle" aria-expanded={false} onClick={loadReplies}>▾ {c.replyCount} {c.replyCount === 1 ? 'reply' : 'replies'}</button>
        )}
        {replies && (
          <>
            {replies.length > 0 && <button className="link-button replies-toggle" aria-expanded onClick={() => setReplies(null)}>▴ Hide replies</button>}
            <ul className="replies">
              {replies.map((r) => <CommentItem key={r.id} c={r} videoId={videoId} onChange={(n) => setReplies((rs) => (n ? rs!.map((x) => (x.id === r.id ? n : x)) : rs!.filter((x) => x.id !== r.id)))} />)}
            </ul>
          </>
        )}
      </div>
    </li>
  );
}

export function Comments({ videoId }: { videoId: string }) {
  const [sort, setSort] = useState<Sort>('top');
  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    setPage(null);
    api<Page>(`/api/videos/${videoId}/comments?sort=${sort}&limit=20`).then(setPage, (e) => setError(e.message));
  }, [videoId, sort]);
  const more = async () => {
    const p = await api<Page>(`/api/videos/${videoId}/comments?sort=${sort}&limit=20&cursor=${encodeURIComponent(page!.next!)}`);
    setPage({ items: [...page!.items, ...p.items], next: p.next });
  };
  const update = (id: string) => (c: Comment | null) => setPage((p) => p && { ...p, items: c ? p.items.map((x) => (x.id === id ? c : x)) : p.items.filter((x) => x.id !== id) });
  return (
    <section className="comments" aria-labelledby="comments-title" id="comments">
      <div className="comments-head">
        <h2 id="comments-title">Comments</h2>
        <label>
          Sort by{' '}
          <select id="comment-sort" value={sort} onChange={(e) => setSort(e.target.value as Sort)}>
            <option value="top">Top</option>
            <option value="new">Newest first</option>
            <option value="old">Oldest first</option>
          </select>
        </label>
      </div>
      <CommentForm videoId={videoId} onPosted={(c) => setPage((p) => ({ items: [c, ...(p?.items ?? [])], next: p?.next ?? null }))} />
      {error && <p className="error">{error}</p>}
      {page ? (
        <>
          <ul className="comment-list" aria-label="Comments" aria-live="polite">
            {page.items.map((c) => <CommentItem key={c.id} c={c} videoId={videoId} onChange={update(c.id)} />)}
          </ul>
          {page.items.length === 0 && <p className="muted">No comments yet.</p>}
          {page.next && <button className="secondary" onClick={more}>Show more comments</button>}
        </>
      ) : !error && <p className="muted">Loading comments…</p>}
    </section>
  );
}
