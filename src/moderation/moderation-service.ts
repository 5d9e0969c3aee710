/**
 * Moderation: viewers flag videos; site admins (ADMIN_EMAILS) see the flagged ones, take a video down (it leaves
 * playback, search, recommendations and feeds at once, the edges are purged, the owner sees the reason), and
 * restore it, e.g. after the owner's appeal. Every admin action goes to the audit log.
 */
import type { CurrentUser } from '../accounts/accounts-service.js';
import type { Db } from '../adapters/db/schema.js';
import type { VideosService } from '../catalog/videos-service.js';
import { AppError, forbidden, notFound } from '../core/errors.js';
import type { AuditLog } from '../erasure/audit-log.js';

export const FLAG_REASONS = ['spam', 'sexual', 'violence', 'harassment', 'hate', 'copyright', 'misleading', 'other'] as const;
export type FlagReason = (typeof FLAG_REASONS)[number];

export interface FlaggedVideo {
  video: { id: string; title: string; status: string; channelHandle: string };
  flags: number;
  reasons: Record<string, number>;
  notes: string[];
  lastFlaggedAt: string;
}

export interface Appeal {
  video: { id: string; title: string; channelHandle: string };
  reason: string;
  appeal: string;
}

export class ModerationService {
  private readonly admins: Set<string>;
  constructor(
    private readonly db: Db,
    private readonly videos: VideosService,
    private readonly audit: AuditLog,
    adminEmails: string[],
    private readonly now: () => number = Date.now,
  ) {
    this.admins = new Set(adminEmails.map((e) => e.trim().toLowerCase()));
  }

  isAdmin(user: CurrentUser | null): boolean {
    return !!user && this.admins.has(user.email.toLowerCase());
  }

  requireAdmin(user: CurrentUser): void {
    if (!this.isAdmin(user)) throw forbidden('Only site admins can do this');
  }

  /** A viewer flags a video they can see; one flag per account per video (a second one updates it). */
  async flag(user: CurrentUser, videoId: string, reason: FlagReason, note: string): Promise<void> {
    await this.videos.getVisible(videoId, user);
    const row = { video_id: videoId, user_id: user.id, reason, note, created_at: this.now(), resolved_at: null };
    await this.db
      .insertInto('video_flags')
      .values(row)
      .onConflict((oc) => oc.columns(['video_id', 'user_id']).doUpdateSet({ reason, note, created_at: row.created_at, resolved_at: null }))
      .execute();
  }

  /** Videos with unresolved flags, most flagged first. */
  async flagged(admin: CurrentUser): Promise<FlaggedVideo[]> {
    this.requireAdmin(admin);
    const rows = await this.db
      .selectFrom('video_flags as f')
      .innerJoin('videos as v', 'v.id', 'f.video_id')
      .innerJoin('channels as c', 'c.id', 'v.channel_id')
      .select(['f.video_id', 'f.reason', 'f.note', 'f.created_at', 'v.title', 'v.status', 'c.handle'])
      .where('f.resolved_at', 'is', null)
      .execute();
    const by = new Map<string, FlaggedVideo>();
    for (const r of rows) {
      const f = by.get(r.video_id) ?? { video: { id: r.video_id, title: r.title, status: r.status, channelHandle: r.handle }, flags: 0, reasons: {}, notes: [], lastFlaggedAt: '' };
      f.flags++;
      f.reasons[r.reason] = (f.reasons[r.reason] ?? 0) + 1;
      if (r.note) f.notes.push(r.note);
      const at = new Date(Number(r.created_at)).toISOString();
      if (at > f.lastFlaggedAt) f.lastFlaggedAt = at;
      by.set(r.video_id, f);
    }
    return [...by.values()].sort((a, b) => b.flags - a.flags || b.lastFlaggedAt.localeCompare(a.lastFlaggedAt));
  }

  async takedown(admin: CurrentUser, videoId: string, reason: string): Promise<void> {
    this.requireAdmin(admin);
    const row = await this.videos.row(videoId);
    if (!row) throw notFound('Video');
    if (row.status !== 'ready') throw new AppError('not_ready', `Only published videos can be taken down (this one is ${row.status})`, 409);
    await this.videos.setModeration(videoId, { status: 'removed', reason });
    await this.db.updateTable('video_flags').set({ resolved_at: this.now() }).where('video_id', '=', videoId).where('resolved_at', 'is', null).execute();
    await this.audit.record(admin, 'video.takedown', { type: 'video', id: videoId }, { reason, title: row.title });
  }

  async restore(admin: CurrentUser, videoId: string, note: string): Promise<void> {
    this.requireAdmin(admin);
    const row = await this.videos.row(videoId);
    if (!row) throw notFound('Video');
    if (row.status !== 'removed') throw new AppError('not_removed', 'This video is not taken down', 409);
    await this.videos.setModeration(videoId, { status: 'ready', reason: null });
    await this.audit.record(admin, 'video.restore', { type: 'video', id: videoId }, { note, title: row.title, appeal: row.appeal });
  }

  /** Dismiss a video's open flags without acting. */
  async dismiss(admin: CurrentUser, videoId: string): Promise<void> {
    this.requireAdmin(admin);
    await this.db.updateTable('video_flags').set({ resolved_at: this.now() }).where('video_id', '=', videoId).where('resolved_at', 'is', null).execute();
    await this.audit.record(admin, 'video.flags_dismissed', { type: 'video', id: videoId });
  }

  /** The owner appeals a takedown. */
  async appeal(owner: CurrentUser, videoId: string, message: string): Promise<void> {
    const row = await this.videos.owned(owner, videoId);
    if (row.status !== 'removed') throw new AppError('not_removed', 'Only a taken-down video can be appealed', 409);
    await this.db.updateTable('videos').set({ appeal: message }).where('id', '=', videoId).execute();
    await this.audit.record(owner, 'video.appeal', { type: 'video', id: videoId }, { message });
  }

  async appeals(admin: CurrentUser): Promise<Appeal[]> {
    this.requireAdmin(admin);
    const rows = await this.db
      .selectFrom('videos as v')
      .innerJoin('channels as c', 'c.id', 'v.channel_id')
      .select(['v.id', 'v.title', 'v.error_message', 'v.appeal', 'c.handle'])
      .where('v.status', '=', 'removed')
      .where('v.appeal', 'is not', null)
      .execute();
    return rows.map((r) => ({ video: { id: r.id, title: r.title, channelHandle: r.handle }, reason: r.error_message ?? '', appeal: r.appeal ?? '' }));
  }
}
