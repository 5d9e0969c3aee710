/**
 * Comments: top-level comments and one level of replies (a reply to a reply joins the same thread), votes,
 * top/new/old ordering with keyset cursors, edit/delete by the author, moderation by the channel owner
 * (pending/approved/removed), a per-account rate limit. Text is stored as plain text and returned as JSON.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { CommentState, Db } from '../adapters/db/schema.js';
import type { CurrentUser } from '../accounts/accounts-service.js';
import type { VideosService } from '../catalog/videos-service.js';
import { AppError, forbidden, notFound } from '../core/errors.js';
import { cleanCommentBody, COMMENT_MAX_CHARS, needsReview } from '../core/comment-text.js';
import { decodeCursor, encodeCursor } from '../core/cursor.js';

export type CommentSort = 'top' | 'new' | 'old';

export interface CommentView {
  id: string;
  videoId: string;
  parentId: string | null;
  author: { channelId: string; handle: string; name: string };
  byChannelOwner: boolean;
  body: string;
  state: CommentState;
  deleted: boolean;
  score: number;
  myVote: 'up' | 'down' | null;
  replyCount: number;
  createdAt: string;
  editedAt: string | null;
}

export interface CommentsOptions {
  now: () => number;
  /** comments one account may post per minute */
  perMinute: number;
  /** when set, read per comment instead of perMinute (the admin console's site settings) */
  perMinuteSource?: () => Promise<number>;
}

export class CommentsService {
  private readonly opts: CommentsOptions;
  constructor(
    private readonly db: Db,
    private readonly videos: VideosService,
    opts: Partial<CommentsOptions> = {},
  ) {
    this.opts = { now: Date.now, perMinute: 5, ...opts };
  }

  async create(user: CurrentUser, videoId: string, input: { body: string; parentId?: string }): Promise<CommentView> {
    const video = await this.videos.getVisible(videoId, user);
    const body = cleanText(input.body);
    let parentId: string | null = null;
    if (input.parentId) {
      const parent = await this.db.selectFrom('comments').select(['id', 'video_id', 'parent_id', 'state']).where('id', '=', input.parentId).executeTakeFirst();
      if (!parent || parent.video_id !== videoId || parent.state === 'removed') throw notFound('Parent comment');
      parentId = parent.parent_id ?? parent.id;
    }
    const t = this.opts.now();
    const recent = await this.db
      .selectFrom('comments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', user.id)
      .where('created_at', '>', t - 60_000)
      .executeTakeFirst();
    const perMinute = this.opts.perMinuteSource ? await this.opts.perMinuteSource() : this.opts.perMinute;
    if (Number(recent?.n ?? 0) >= perMinute) throw new AppError('rate_limited', `At most ${perMinute} comments a minute; wait a little`, 429);
    const isOwner = video.channel.id === user.channelId;
    const id = randomUUID();
    await this.db
      .insertInto('comments')
      .values({ id, video_id: videoId, user_id: user.id, parent_id: parentId, body, state: needsReview(body, isOwner) ? 'pending' : 'approved', score: 0, created_at: t, edited_at: null, deleted_at: null })
      .execute();
    return (await this.one(id, user))!;
  }

  async list(
    viewer: CurrentUser | null,
    videoId: string,
    q: { sort: CommentSort; limit: number; cursor?: string; parentId?: string; state?: CommentState },
  ): Promise<{ items: CommentView[]; next: string | null }> {
    const video = await this.videos.getVisible(videoId, viewer);
    const isOwner = !!viewer && video.channel.id === viewer.channelId;
    if (q.state && !isOwner) throw forbidden('Only the channel owner can list comments by moderation state');
    let query = this.base(viewer).where('c.video_id', '=', videoId);
    query = q.parentId ? query.where('c.parent_id', '=', q.parentId) : query.where('c.parent_id', 'is', null);
    if (q.state) query = query.where('c.state', '=', q.state);
    else if (isOwner) query = query.where('c.state', 'in', ['approved', 'pending']);
    else query = query.where((eb) => eb.or([eb('c.state', '=', 'approved'), ...(viewer ? [eb.and([eb('c.state', '=', 'pending'), eb('c.user_id', '=', viewer.id)])] : [])]));
    if (q.cursor) {
      if (q.sort === 'top') {
        const [s, t, id] = decodeCursor(q.cursor, ['n', 'n', 's']) as [number, number, string];
        query = query.where((eb) =>
          eb.or([eb('c.score', '<', s), eb.and([eb('c.score', '=', s), eb.or([eb('c.created_at', '<', t), eb.and([eb('c.created_at', '=', t), eb('c.id', '<', id)])])])]),
        );
      } else {
        const [t, id] = decodeCursor(q.cursor, ['n', 's']) as [number, string];
        const op = q.sort === 'new' ? '<' : '>';
        query = query.where((eb) => eb.or([eb('c.created_at', op, t), eb.and([eb('c.created_at', '=', t), eb('c.id', op, id)])]));
      }
    }
    if (q.sort === 'top') query = query.orderBy('c.score', 'desc').orderBy('c.created_at', 'desc').orderBy('c.id', 'desc');
    else if (q.sort === 'new') query = query.orderBy('c.created_at', 'desc').orderBy('c.id', 'desc');
    else query = query.orderBy('c.created_at', 'asc').orderBy('c.id', 'asc');
    const rows = await query.limit(q.limit + 1).execute();
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    const next =
      rows.length > q.limit && last
        ? encodeCursor(q.sort === 'top' ? [Number(last.score), Number(last.created_at), last.id] : [Number(last.created_at), last.id])
        : null;
    return { items: page.map((r) => toView(r, video.channel.id)), next };
  }

  async edit(user: CurrentUser, id: string, rawBody: string): Promise<CommentView> {
    const c = await this.authored(user, id);
    const body = cleanText(rawBody);
    const video = await this.videos.getVisible(c.video_id, user);
    const state: CommentState = c.state === 'approved' && needsReview(body, video.channel.id === user.channelId) ? 'pending' : c.state;
    await this.db.updateTable('comments').set({ body, state, edited_at: this.opts.now() }).where('id', '=', id).execute();
    return (await this.one(id, user))!;
  }

  /** The author deletes a comment: gone, or an empty placeholder when it has replies (they stay readable). */
  async delete(user: CurrentUser, id: string): Promise<void> {
    const c = await this.authored(user, id);
    const replies = await this.db.selectFrom('comments').select('id').where('parent_id', '=', id).limit(1).execute();
    if (replies.length > 0) {
      await this.db.updateTable('comments').set({ body: '', deleted_at: this.opts.now() }).where('id', '=', id).execute();
    } else {
      await this.db.transaction().execute(async (tx) => {
        await tx.deleteFrom('comment_votes').where('comment_id', '=', c.id).execute();
        await tx.deleteFrom('comments').where('id', '=', c.id).execute();
      });
    }
  }

  /** Channel owner's moderation: approve, hold for review, or remove a comment on one of their videos. */
  async moderate(user: CurrentUser, id: string, state: CommentState): Promise<CommentView> {
    const c = await this.db.selectFrom('comments').select(['id', 'video_id']).where('id', '=', id).executeTakeFirst();
    if (!c) throw notFound('Comment');
    const video = await this.videos.getVisible(c.video_id, user).catch(() => null);
    if (!video) throw notFound('Comment');
    if (video.channel.id !== user.channelId) throw forbidden("Only the video's channel owner can moderate its comments");
    await this.db.updateTable('comments').set({ state }).where('id', '=', id).execute();
    return (await this.one(id, user))!;
  }

  /** Up, down, or (null) remove the account's vote; the score moves in the same transaction. */
  async vote(user: CurrentUser, id: string, vote: 'up' | 'down' | null): Promise<{ score: number; myVote: 'up' | 'down' | null }> {
    const c = await this.one(id, user);
    if (!c || c.state !== 'approved' || c.deleted) throw notFound('Comment');
    const value = vote === 'up' ? 1 : vote === 'down' ? -1 : 0;
    await this.db.transaction().execute(async (tx) => {
      const prev = await tx.selectFrom('comment_votes').select('value').where('comment_id', '=', id).where('user_id', '=', user.id).executeTakeFirst();
      const delta = value - Number(prev?.value ?? 0);
      if (delta === 0) return;
      if (value === 0) await tx.deleteFrom('comment_votes').where('comment_id', '=', id).where('user_id', '=', user.id).execute();
      else
        await tx
          .insertInto('comment_votes')
          .values({ comment_id: id, user_id: user.id, value })
          .onConflict((oc) => oc.columns(['comment_id', 'user_id']).doUpdateSet({ value }))
          .execute();
      await tx.updateTable('comments').set({ score: sql`score + ${delta}` }).where('id', '=', id).execute();
    });
    const after = (await this.one(id, user))!;
    return { score: after.score, myVote: after.myVote };
  }

  /** One comment as `viewer` may see it (null when hidden from them). */
  async one(id: string, viewer: CurrentUser | null): Promise<CommentView | null> {
    const r = await this.base(viewer).where('c.id', '=', id).executeTakeFirst();
    if (!r) return null;
    const video = await this.videos.getVisible(r.video_id, viewer).catch(() => null);
    if (!video) return null;
    const mayModerate = !!viewer && video.channel.id === viewer.channelId;
    if (r.state !== 'approved' && !mayModerate && r.user_id !== viewer?.id) return null;
    return toView(r, video.channel.id);
  }

  private async authored(user: CurrentUser, id: string) {
    const c = await this.db.selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirst();
    if (!c || c.deleted_at) throw notFound('Comment');
    if (c.user_id !== user.id) throw forbidden('Only the author can change this comment');
    return c;
  }

  private base(viewer: CurrentUser | null) {
    return this.db
      .selectFrom('comments as c')
      .leftJoin('channels as ch', 'ch.user_id', 'c.user_id') // left: an erased account's comments stay as placeholders
      .selectAll('c')
      .select(['ch.id as channel_id', 'ch.handle as channel_handle', 'ch.name as channel_name'])
      .select((eb) => [
        eb
          .selectFrom('comments as r')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('r.parent_id', '=', 'c.id')
          .where('r.state', '=', 'approved')
          .as('reply_count'),
        eb
          .selectFrom('comment_votes as v')
          .select('v.value')
          .whereRef('v.comment_id', '=', 'c.id')
          .where('v.user_id', '=', viewer?.id ?? '')
          .as('my_vote'),
      ]);
  }
}

function cleanText(raw: string): string {
  const body = cleanCommentBody(raw);
  if (body === null) throw new AppError('invalid_comment', `A comment needs 1 to ${COMMENT_MAX_CHARS} characters of text`, 400);
  return body;
}

type Row = {
  id: string;
  video_id: string;
  user_id: string;
  parent_id: string | null;
  body: string;
  state: CommentState;
  score: number;
  created_at: number;
  edited_at: number | null;
  deleted_at: number | null;
  /** null once the author's account is erased (the comment is then a deleted placeholder) */
  channel_id: string | null;
  channel_handle: string | null;
  channel_name: string | null;
  reply_count: number | null;
  my_vote: number | null;
};

/** what a deleted comment (by its author, or with its author's account) reads as */
export const DELETED_BODY = '[deleted]';

function toView(r: Row, videoChannelId: string): CommentView {
  const deleted = r.deleted_at !== null;
  return {
    id: r.id,
    videoId: r.video_id,
    parentId: r.parent_id,
    author: deleted || r.channel_id === null ? { channelId: '', handle: '', name: '' } : { channelId: r.channel_id, handle: r.channel_handle ?? '', name: r.channel_name ?? '' },
    byChannelOwner: !deleted && r.channel_id === videoChannelId,
    body: deleted ? DELETED_BODY : r.body,
    state: r.state,
    deleted,
    score: Number(r.score),
    myVote: r.my_vote === null || r.my_vote === undefined ? null : Number(r.my_vote) > 0 ? 'up' : 'down',
    replyCount: Number(r.reply_count ?? 0),
    createdAt: new Date(Number(r.created_at)).toISOString(),
    editedAt: r.edited_at ? new Date(Number(r.edited_at)).toISOString() : null,
  };
}
