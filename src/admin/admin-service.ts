/**
 * The admin console's use cases (site admins = ADMIN_EMAILS, checked by the moderation service): accounts
 * (search, suspend/unsuspend), channels, videos by state, the task queue (counts, failed and dead-lettered tasks,
 * re-run) and the site settings. Flagged videos, takedown and restore stay in src/moderation; the console
 * uses those routes. Every change goes to the audit log. Listings are keyset-paginated (opaque cursors).
 */
import { sql } from 'kysely';
import type { CurrentUser } from '../accounts/accounts-service.js';
import type { Db, TaskState, VideoStatus } from '../adapters/db/schema.js';
import type { VideosService } from '../catalog/videos-service.js';
import { decodeCursor, encodeCursor } from '../core/cursor.js';
import { AppError, notFound } from '../core/errors.js';
import type { AuditLog } from '../erasure/audit-log.js';
import type { ModerationService } from '../moderation/moderation-service.js';
import type { TaskQueue } from '../processing/task-queue.js';
import type { SettingsPatch, SettingsView, SiteSettings } from './site-settings.js';

import { TASK_STATES, VIDEO_STATES } from '../core/states.js';
import type { AdminChannel, AdminTask, AdminUser, AdminVideo, Page, QueueSummary } from './admin-types.js';

export { TASK_STATES, VIDEO_STATES };
export type { AdminChannel, AdminTask, AdminUser, AdminVideo, Page, QueueSummary };

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());
const n = (v: unknown) => Number(v ?? 0);
/** a LIKE pattern that matches `q` anywhere, with LIKE's wildcards taken literally (ESCAPE '\') */
const containing = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export class AdminService {
  constructor(
    private readonly db: Db,
    private readonly moderation: ModerationService,
    private readonly videos: VideosService,
    private readonly queue: TaskQueue,
    private readonly audit: AuditLog,
    readonly settings: SiteSettings,
    private readonly now: () => number = Date.now,
  ) {}

  isAdmin(user: CurrentUser | null): boolean {
    return this.moderation.isAdmin(user);
  }

  /** 403 unless a site admin */
  requireAdmin(user: CurrentUser): void {
    this.moderation.requireAdmin(user);
  }

  private admin(user: CurrentUser): void {
    this.moderation.requireAdmin(user);
  }

  // ---- accounts ----

  async users(admin: CurrentUser, q: { q?: string; suspended?: boolean; cursor?: string; limit: number }): Promise<Page<AdminUser>> {
    this.admin(admin);
    let query = this.db
      .selectFrom('users as u')
      .innerJoin('channels as c', 'c.user_id', 'u.id')
      .select(['u.id', 'u.email', 'u.created_at', 'u.suspended_at', 'u.suspended_reason', 'c.id as channel_id', 'c.handle', 'c.name'])
      .select((eb) => eb.selectFrom('videos as v').select((e) => e.fn.countAll().as('n')).whereRef('v.channel_id', '=', 'c.id').as('videos'))
      .select((eb) => eb.selectFrom('videos as v').select(sql<number | string>`coalesce(sum(v.upload_size), 0)`.as('b')).whereRef('v.channel_id', '=', 'c.id').as('bytes'))
      .orderBy('u.created_at', 'desc')
      .orderBy('u.id', 'desc')
      .limit(q.limit + 1);
    if (q.q) {
      const p = containing(q.q);
      query = query.where((eb) => eb.or([sql<boolean>`lower(u.email) like ${p} escape '\\'`, sql<boolean>`lower(c.handle) like ${p} escape '\\'`, sql<boolean>`lower(c.name) like ${p} escape '\\'`]));
    }
    if (q.suspended !== undefined) query = query.where('u.suspended_at', q.suspended ? 'is not' : 'is', null);
    if (q.cursor) {
      const [at, id] = decodeCursor(q.cursor, ['n', 's']) as [number, string];
      query = query.where((eb) => eb.or([eb('u.created_at', '<', at), eb.and([eb('u.created_at', '=', at), eb('u.id', '<', id)])]));
    }
    const rows = await query.execute();
    const page = rows.slice(0, q.limit);
    return {
      items: page.map((r) => ({
        id: r.id,
        email: r.email,
        channel: { id: r.channel_id, handle: r.handle, name: r.name },
        createdAt: iso(r.created_at)!,
        admin: this.moderation.isAdmin({ id: r.id, email: r.email, channelId: r.channel_id, channelHandle: r.handle, channelName: r.name }),
        suspended: r.suspended_at ? { at: iso(r.suspended_at)!, reason: r.suspended_reason ?? '' } : null,
        videoCount: n(r.videos),
        uploadedBytes: n(r.bytes),
      })),
      next: rows.length > q.limit ? encodeCursor([Number(page[page.length - 1].created_at), page[page.length - 1].id]) : null,
    };
  }

  /**
   * Suspend an account: it is signed out everywhere (sessions and API tokens are revoked), cannot sign in again
   * and cannot upload (new uploads and unfinished ones); its published videos stay (use takedown for those).
   */
  async suspend(admin: CurrentUser, userId: string, reason: string): Promise<void> {
    this.admin(admin);
    const target = await this.userRow(userId);
    if (target.id === admin.id) throw new AppError('cannot_suspend_self', 'You cannot suspend your own account', 409);
    if (this.moderation.isAdmin({ id: target.id, email: target.email, channelId: '', channelHandle: '', channelName: '' })) {
      throw new AppError('cannot_suspend_admin', 'Site admins cannot be suspended; remove them from ADMIN_EMAILS first', 409);
    }
    if (target.suspended_at) throw new AppError('already_suspended', 'This account is already suspended', 409);
    await this.db.transaction().execute(async (tx) => {
      await tx.updateTable('users').set({ suspended_at: this.now(), suspended_reason: reason }).where('id', '=', userId).execute();
      await tx.deleteFrom('sessions').where('user_id', '=', userId).execute();
    });
    await this.audit.record(admin, 'account.suspend', { type: 'user', id: userId }, { reason, email: target.email });
  }

  async unsuspend(admin: CurrentUser, userId: string): Promise<void> {
    this.admin(admin);
    const target = await this.userRow(userId);
    if (!target.suspended_at) throw new AppError('not_suspended', 'This account is not suspended', 409);
    await this.db.updateTable('users').set({ suspended_at: null, suspended_reason: null }).where('id', '=', userId).execute();
    await this.audit.record(admin, 'account.unsuspend', { type: 'user', id: userId }, { email: target.email });
  }

  private async userRow(userId: string) {
    const row = await this.db.selectFrom('users').select(['id', 'email', 'suspended_at']).where('id', '=', userId).executeTakeFirst();
    if (!row) throw notFound('Account');
    return row;
  }

  // ---- channels ----

  async channels(admin: CurrentUser, q: { q?: string; cursor?: string; limit: number }): Promise<Page<AdminChannel>> {
    this.admin(admin);
    let query = this.db
      .selectFrom('channels as c')
      .innerJoin('users as u', 'u.id', 'c.user_id')
      .select(['c.id', 'c.handle', 'c.name', 'c.created_at', 'c.priority', 'u.id as user_id', 'u.email', 'u.suspended_at'])
      .select((eb) => eb.selectFrom('videos as v').select((e) => e.fn.countAll().as('n')).whereRef('v.channel_id', '=', 'c.id').as('videos'))
      .select((eb) => eb.selectFrom('subscriptions as s').select((e) => e.fn.countAll().as('n')).whereRef('s.channel_id', '=', 'c.id').as('subscribers'))
      .orderBy('c.handle', 'asc')
      .limit(q.limit + 1);
    if (q.q) {
      const p = containing(q.q);
      query = query.where((eb) => eb.or([sql<boolean>`lower(c.handle) like ${p} escape '\\'`, sql<boolean>`lower(c.name) like ${p} escape '\\'`, sql<boolean>`lower(u.email) like ${p} escape '\\'`]));
    }
    if (q.cursor) {
      const [handle] = decodeCursor(q.cursor, ['s']) as [string];
      query = query.where('c.handle', '>', handle);
    }
    const rows = await query.execute();
    const page = rows.slice(0, q.limit);
    return {
      items: page.map((r) => ({
        id: r.id,
        handle: r.handle,
        name: r.name,
        owner: { id: r.user_id, email: r.email, suspended: !!r.suspended_at },
        createdAt: iso(r.created_at)!,
        priority: Number(r.priority),
        videoCount: n(r.videos),
        subscriberCount: n(r.subscribers),
      })),
      next: rows.length > q.limit ? encodeCursor([page[page.length - 1].handle]) : null,
    };
  }

  /** A channel's processing priority: added to its videos' task priorities (negative = ahead of others). */
  async setChannelPriority(admin: CurrentUser, channelId: string, priority: number): Promise<void> {
    this.admin(admin);
    const row = await this.db.selectFrom('channels').select(['id', 'handle', 'priority']).where('id', '=', channelId).executeTakeFirst();
    if (!row) throw notFound('Channel');
    await this.db.updateTable('channels').set({ priority }).where('id', '=', channelId).execute();
    await this.audit.record(admin, 'channel.priority', { type: 'channel', id: channelId }, { handle: row.handle, from: Number(row.priority), to: priority });
  }

  // ---- videos ----

  async videoList(admin: CurrentUser, q: { status?: VideoStatus; q?: string; cursor?: string; limit: number }): Promise<Page<AdminVideo>> {
    this.admin(admin);
    let query = this.db
      .selectFrom('videos as v')
      .innerJoin('channels as c', 'c.id', 'v.channel_id')
      .select(['v.id', 'v.title', 'v.status', 'v.visibility', 'v.error_code', 'v.error_message', 'v.duration_sec', 'v.upload_size', 'v.created_at', 'v.updated_at', 'c.id as channel_id', 'c.handle'])
      .select((eb) => eb.selectFrom('video_flags as f').select((e) => e.fn.countAll().as('n')).whereRef('f.video_id', '=', 'v.id').where('f.resolved_at', 'is', null).as('flags'))
      .orderBy('v.created_at', 'desc')
      .orderBy('v.id', 'desc')
      .limit(q.limit + 1);
    if (q.status) query = query.where('v.status', '=', q.status);
    if (q.q) {
      const p = containing(q.q);
      query = query.where((eb) => eb.or([sql<boolean>`lower(v.title) like ${p} escape '\\'`, sql<boolean>`lower(c.handle) like ${p} escape '\\'`, eb('v.id', '=', q.q!.trim())]));
    }
    if (q.cursor) {
      const [at, id] = decodeCursor(q.cursor, ['n', 's']) as [number, string];
      query = query.where((eb) => eb.or([eb('v.created_at', '<', at), eb.and([eb('v.created_at', '=', at), eb('v.id', '<', id)])]));
    }
    const rows = await query.execute();
    const page = rows.slice(0, q.limit);
    return {
      items: page.map((r) => ({
        id: r.id,
        title: r.title,
        status: r.status,
        visibility: r.visibility,
        channel: { id: r.channel_id, handle: r.handle },
        error: r.error_code ? { code: r.error_code, message: r.error_message ?? '' } : null,
        durationSec: r.duration_sec === null ? null : Number(r.duration_sec),
        uploadBytes: r.upload_size === null ? null : Number(r.upload_size),
        openFlags: n(r.flags),
        createdAt: iso(r.created_at)!,
        updatedAt: iso(r.updated_at)!,
      })),
      next: rows.length > q.limit ? encodeCursor([Number(page[page.length - 1].created_at), page[page.length - 1].id]) : null,
    };
  }

  // ---- the task queue ----

  async queueSummary(admin: CurrentUser): Promise<QueueSummary> {
    this.admin(admin);
    const byState: Record<string, number> = Object.fromEntries(TASK_STATES.map((s) => [s, 0]));
    const rows = await this.db.selectFrom('tasks').select(['state', 'priority', (eb) => eb.fn.countAll().as('n')]).groupBy(['state', 'priority']).execute();
    const byPriority: QueueSummary['byPriority'] = [];
    for (const r of rows) {
      byState[r.state] = (byState[r.state] ?? 0) + n(r.n);
      if (r.state !== 'done' && r.state !== 'cancelled') byPriority.push({ priority: Number(r.priority), state: r.state, count: n(r.n) });
    }
    byPriority.sort((a, b) => a.priority - b.priority || TASK_STATES.indexOf(a.state) - TASK_STATES.indexOf(b.state));
    const videos: Record<string, number> = Object.fromEntries(VIDEO_STATES.map((s) => [s, 0]));
    for (const r of await this.db.selectFrom('videos').select(['status', (eb) => eb.fn.countAll().as('n')]).groupBy('status').execute()) videos[r.status] = n(r.n);
    return { byState, byPriority, videos };
  }

  /** Tasks in a state (by default failed and dead-lettered ones), most recently finished first. */
  async tasks(admin: CurrentUser, q: { states: TaskState[]; cursor?: string; limit: number }): Promise<Page<AdminTask>> {
    this.admin(admin);
    // order key: when it finished (or was created, for unfinished tasks), then id
    const at = sql<number>`coalesce(t.finished_at, t.created_at)`;
    let query = this.db
      .selectFrom('tasks as t')
      .innerJoin('videos as v', 'v.id', 't.video_id')
      .innerJoin('channels as c', 'c.id', 'v.channel_id')
      .select(['t.id', 't.key', 't.kind', 't.state', 't.priority', 't.attempts', 't.max_attempts', 't.error', 't.created_at', 't.finished_at', 'v.id as video_id', 'v.title', 'v.status', 'c.handle'])
      .select(at.as('at'))
      .where('t.state', 'in', q.states)
      .orderBy(at, 'desc')
      .orderBy('t.id', 'desc')
      .limit(q.limit + 1);
    if (q.cursor) {
      const [t, id] = decodeCursor(q.cursor, ['n', 's']) as [number, string];
      query = query.where((eb) => eb.or([eb(at, '<', t), eb.and([eb(at, '=', t), eb('t.id', '<', id)])]));
    }
    const rows = await query.execute();
    const page = rows.slice(0, q.limit);
    return {
      items: page.map((r) => ({
        id: r.id,
        video: { id: r.video_id, title: r.title, status: r.status, channelHandle: r.handle },
        key: r.key,
        kind: r.kind,
        state: r.state,
        priority: Number(r.priority),
        attempts: Number(r.attempts),
        maxAttempts: Number(r.max_attempts),
        error: r.error,
        createdAt: iso(r.created_at)!,
        finishedAt: iso(r.finished_at),
      })),
      next: rows.length > q.limit ? encodeCursor([Number(page[page.length - 1].at), page[page.length - 1].id]) : null,
    };
  }

  /**
   * Re-run a failed or dead-lettered task, as its owner can (POST /api/videos/{id}/tasks/{taskId}/rerun): the task
   * starts again from scratch and a video that failed because of it returns to processing.
   */
  async rerun(admin: CurrentUser, taskId: string): Promise<void> {
    this.admin(admin);
    const task = await this.queue.get(taskId);
    if (!task) throw notFound('Task');
    if (!(await this.queue.rerun(task.id))) throw new AppError('not_rerunnable', `Only failed or dead-lettered tasks can be re-run (this one is ${task.state})`, 409);
    const video = await this.videos.row(task.video_id);
    // a published video stays published while a side task (e.g. storage tiering's re-creation) runs again
    if (video?.status === 'failed') await this.videos.resumeProcessing(task.video_id);
    await this.audit.record(admin, 'task.rerun', { type: 'task', id: task.id }, { videoId: task.video_id, key: task.key, previousState: task.state, error: task.error });
  }

  // ---- site settings ----

  async settingsView(admin: CurrentUser): Promise<SettingsView> {
    this.admin(admin);
    return this.settings.view();
  }

  async updateSettings(admin: CurrentUser, patch: SettingsPatch): Promise<SettingsView> {
    this.admin(admin);
    const changes = await this.settings.update(patch, admin.channelHandle);
    if (Object.keys(changes).length) await this.audit.record(admin, 'settings.update', { type: 'site', id: 'settings' }, changes);
    return this.settings.view();
  }
}
