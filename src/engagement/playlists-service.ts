/**
 * Playlists: an account's ordered lists of videos with public/unlisted/private visibility, and its one
 * "Watch later" list (private, created on first use). Positions are dense (0..n-1) and rewritten in one
 * transaction on insert, move and removal; lists are capped at MAX_ITEMS.
 */
import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, PlaylistsTable, Visibility } from '../adapters/db/schema.js';
import type { CurrentUser } from '../accounts/accounts-service.js';
import type { VideosService, VideoView } from '../catalog/videos-service.js';
import { AppError, forbidden, notFound } from '../core/errors.js';

export const MAX_ITEMS = 5000;

export interface PlaylistSummary {
  id: string;
  kind: 'custom' | 'watch_later';
  title: string;
  description: string;
  visibility: Visibility;
  owner: { channelId: string; handle: string; name: string };
  itemCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface PlaylistView extends PlaylistSummary {
  /** videos the viewer may see, in order (others are skipped) */
  items: Array<{ position: number; video: VideoView; addedAt: string }>;
}

type Row = PlaylistsTable & { channel_id: string; channel_handle: string; channel_name: string; item_count: number | null };

export class PlaylistsService {
  constructor(
    private readonly db: Db,
    private readonly videos: VideosService,
    private readonly now: () => number = Date.now,
  ) {}

  async create(user: CurrentUser, input: { title: string; description?: string; visibility?: Visibility }): Promise<PlaylistView> {
    const t = this.now();
    const id = randomUUID();
    await this.db
      .insertInto('playlists')
      .values({ id, user_id: user.id, kind: 'custom', title: input.title, description: input.description ?? '', visibility: input.visibility ?? 'private', created_at: t, updated_at: t })
      .execute();
    return this.get(user, id);
  }

  /** The account's Watch later playlist, created on first use. */
  async watchLater(user: CurrentUser): Promise<PlaylistView> {
    const existing = await this.db.selectFrom('playlists').select('id').where('user_id', '=', user.id).where('kind', '=', 'watch_later').executeTakeFirst();
    if (existing) return this.get(user, existing.id);
    const t = this.now();
    // a deterministic id: two first uses at once create one list
    const id = watchLaterId(user.id);
    await this.db
      .insertInto('playlists')
      .values({ id, user_id: user.id, kind: 'watch_later', title: 'Watch later', description: '', visibility: 'private', created_at: t, updated_at: t })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    return this.get(user, id);
  }

  async listMine(user: CurrentUser): Promise<PlaylistSummary[]> {
    const rows = await this.base().where('p.user_id', '=', user.id).orderBy('p.kind', 'desc').orderBy('p.updated_at', 'desc').execute();
    return rows.map(summary);
  }

  async listChannel(channelId: string): Promise<PlaylistSummary[]> {
    const rows = await this.base().where('ch.id', '=', channelId).where('p.visibility', '=', 'public').where('p.kind', '=', 'custom').orderBy('p.updated_at', 'desc').execute();
    return rows.map(summary);
  }

  async get(viewer: CurrentUser | null, id: string): Promise<PlaylistView> {
    const row = await this.base().where('p.id', '=', id).executeTakeFirst();
    if (!row || (row.visibility === 'private' && row.user_id !== viewer?.id)) throw notFound('Playlist');
    const items = await this.db.selectFrom('playlist_items').selectAll().where('playlist_id', '=', id).orderBy('position').execute();
    const out: PlaylistView['items'] = [];
    for (const it of items) {
      const video = await this.videos.getVisible(it.video_id, viewer).catch(() => null);
      if (video) out.push({ position: Number(it.position), video, addedAt: new Date(Number(it.added_at)).toISOString() });
    }
    return { ...summary(row), items: out };
  }

  async update(user: CurrentUser, id: string, patch: { title?: string; description?: string; visibility?: Visibility }): Promise<PlaylistView> {
    const p = await this.owned(user, id);
    if (p.kind === 'watch_later' && (patch.title !== undefined || (patch.visibility && patch.visibility !== 'private'))) {
      throw new AppError('watch_later_fixed', 'Watch later keeps its name and stays private', 409);
    }
    await this.db
      .updateTable('playlists')
      .set({ ...(patch.title !== undefined && { title: patch.title }), ...(patch.description !== undefined && { description: patch.description }), ...(patch.visibility && { visibility: patch.visibility }), updated_at: this.now() })
      .where('id', '=', id)
      .execute();
    return this.get(user, id);
  }

  async delete(user: CurrentUser, id: string): Promise<void> {
    const p = await this.owned(user, id);
    if (p.kind === 'watch_later') throw new AppError('watch_later_fixed', 'Watch later cannot be deleted; remove its videos instead', 409);
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('playlist_items').where('playlist_id', '=', id).execute();
      await tx.deleteFrom('playlists').where('id', '=', id).execute();
    });
  }

  /** Adds a video the owner can see at `position` (default: the end); adding one already there moves it. */
  async add(user: CurrentUser, id: string, videoId: string, position?: number): Promise<PlaylistView> {
    await this.owned(user, id);
    await this.videos.getVisible(videoId, user);
    await this.reorder(id, (order) => {
      const without = order.filter((v) => v !== videoId);
      if (without.length >= MAX_ITEMS) throw new AppError('playlist_full', `A playlist holds at most ${MAX_ITEMS} videos`, 409);
      without.splice(clamp(position ?? without.length, without.length), 0, videoId);
      return without;
    });
    return this.get(user, id);
  }

  async move(user: CurrentUser, id: string, videoId: string, position: number): Promise<PlaylistView> {
    await this.owned(user, id);
    await this.reorder(id, (order) => {
      if (!order.includes(videoId)) throw notFound('Video in this playlist');
      const without = order.filter((v) => v !== videoId);
      without.splice(clamp(position, without.length), 0, videoId);
      return without;
    });
    return this.get(user, id);
  }

  async remove(user: CurrentUser, id: string, videoId: string): Promise<PlaylistView> {
    await this.owned(user, id);
    await this.reorder(id, (order) => {
      if (!order.includes(videoId)) throw notFound('Video in this playlist');
      return order.filter((v) => v !== videoId);
    });
    return this.get(user, id);
  }

  /** Rewrites the playlist's order in one transaction (the playlist row is touched first: concurrent edits queue). */
  private async reorder(id: string, change: (order: string[]) => string[]): Promise<void> {
    const t = this.now();
    await this.db.transaction().execute(async (tx) => {
      await tx.updateTable('playlists').set({ updated_at: t }).where('id', '=', id).execute();
      const rows = await tx.selectFrom('playlist_items').select(['video_id', 'added_at']).where('playlist_id', '=', id).orderBy('position').execute();
      const added = new Map(rows.map((r) => [r.video_id, Number(r.added_at)]));
      const order = change(rows.map((r) => r.video_id));
      await tx.deleteFrom('playlist_items').where('playlist_id', '=', id).execute();
      for (let i = 0; i < order.length; i += 500) {
        const part = order.slice(i, i + 500).map((video_id, j) => ({ playlist_id: id, video_id, position: i + j, added_at: added.get(video_id) ?? t }));
        await tx.insertInto('playlist_items').values(part).execute();
      }
    });
  }

  private async owned(user: CurrentUser, id: string): Promise<PlaylistsTable> {
    const p = await this.db.selectFrom('playlists').selectAll().where('id', '=', id).executeTakeFirst();
    if (!p || (p.user_id !== user.id && p.visibility === 'private')) throw notFound('Playlist');
    if (p.user_id !== user.id) throw forbidden('Only the owner can change this playlist');
    return p;
  }

  private base() {
    return this.db
      .selectFrom('playlists as p')
      .innerJoin('channels as ch', 'ch.user_id', 'p.user_id')
      .selectAll('p')
      .select(['ch.id as channel_id', 'ch.handle as channel_handle', 'ch.name as channel_name'])
      .select((eb) => eb.selectFrom('playlist_items as i').select(sql<number>`count(*)`.as('n')).whereRef('i.playlist_id', '=', 'p.id').as('item_count'));
  }
}

const clamp = (p: number, max: number) => Math.max(0, Math.min(Math.trunc(p), max));

/** A stable uuid-shaped id per account for its Watch later list (sha-256 of the account id). */
function watchLaterId(userId: string): string {
  const h = createHash('sha256').update(`watch-later:${userId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function summary(r: Row): PlaylistSummary {
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    description: r.description,
    visibility: r.visibility,
    owner: { channelId: r.channel_id, handle: r.channel_handle, name: r.channel_name },
    itemCount: Number(r.item_count ?? 0),
    createdAt: new Date(Number(r.created_at)).toISOString(),
    updatedAt: new Date(Number(r.updated_at)).toISOString(),
  };
}
