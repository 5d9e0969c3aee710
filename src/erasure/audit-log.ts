/** The append-only audit log: who did what to which account, channel or video, and when. */
import { randomBytes } from 'node:crypto';
import type { CurrentUser } from '../accounts/accounts-service.js';
import type { Db } from '../adapters/db/schema.js';

export interface AuditEntry {
  at: string;
  actor: { id: string; handle: string } | null;
  action: string;
  target: { type: string; id: string };
  detail: Record<string, unknown>;
}

export class AuditLog {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async record(actor: CurrentUser | null, action: string, target: { type: string; id: string }, detail: Record<string, unknown> = {}): Promise<void> {
    const at = this.now();
    await this.db
      .insertInto('audit_log')
      .values({
        seq: `${String(at).padStart(15, '0')}-${randomBytes(6).toString('hex')}`,
        at,
        actor_id: actor?.id ?? null,
        actor_handle: actor?.channelHandle ?? null,
        action,
        target_type: target.type,
        target_id: target.id,
        detail: JSON.stringify(detail),
      })
      .execute();
  }

  /** Entries by an actor or about a target, newest first. */
  async list(filter: { actorId?: string; targetId?: string }, limit = 100): Promise<AuditEntry[]> {
    let q = this.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(limit);
    if (filter.actorId) q = q.where('actor_id', '=', filter.actorId);
    if (filter.targetId) q = q.where('target_id', '=', filter.targetId);
    return (await q.execute()).map((r) => ({
      at: new Date(Number(r.at)).toISOString(),
      actor: r.actor_id ? { id: r.actor_id, handle: r.actor_handle ?? '' } : null,
      action: r.action,
      target: { type: r.target_type, id: r.target_id },
      detail: JSON.parse(r.detail) as Record<string, unknown>,
    }));
  }
}
