/**
 * Upload admission against the account's usage (quotas and the per-channel rate limit). The limits are fixed
 * (configuration) or read per upload from a source (the admin console's site settings); a suspended account
 * may not upload at all.
 */
import { sql } from 'kysely';
import type { Db } from '../adapters/db/schema.js';
import { AppError } from '../core/errors.js';
import { admitUpload, type UploadLimits, type UploadUsage } from '../core/upload-limits.js';
import type { CurrentUser } from '../accounts/accounts-service.js';

export type LimitsSource = UploadLimits | (() => Promise<UploadLimits>);

export class UploadPolicy {
  constructor(
    private readonly db: Db,
    private readonly limits: LimitsSource,
    private readonly now: () => number = Date.now,
  ) {}

  /** The limits in effect for a new upload. */
  async currentLimits(): Promise<UploadLimits> {
    return typeof this.limits === 'function' ? this.limits() : this.limits;
  }

  async usage(user: CurrentUser): Promise<UploadUsage> {
    const t = this.now();
    const row = await this.db
      .selectFrom('videos')
      .select([
        sql<number>`coalesce(sum(case when created_at > ${t - 24 * 3600_000} then upload_size else 0 end), 0)`.as('today'),
        sql<number>`coalesce(sum(upload_size), 0)`.as('total'),
        sql<number>`coalesce(sum(case when created_at > ${t - 3600_000} and upload_id is not null then 1 else 0 end), 0)`.as('hour'),
      ])
      .where('channel_id', '=', user.channelId)
      .executeTakeFirst();
    return { bytesToday: Number(row?.today ?? 0), bytesTotal: Number(row?.total ?? 0), uploadsLastHour: Number(row?.hour ?? 0) };
  }

  /** Throws a 403 (suspended account) or 413/429 AppError with a clear message when the upload may not start. */
  /** 403 when a site admin suspended the account (src/admin): no new uploads, no more bytes for unfinished ones. */
  async assertActive(userId: string): Promise<void> {
    const account = await this.db.selectFrom('users').select('suspended_at').where('id', '=', userId).executeTakeFirst();
    if (account?.suspended_at) throw new AppError('account_suspended', 'This account is suspended and cannot upload', 403);
  }

  async admit(user: CurrentUser, size: number | null): Promise<void> {
    await this.assertActive(user.id);
    const refusal = admitUpload(size, await this.usage(user), await this.currentLimits());
    if (refusal) throw new AppError(refusal.code, refusal.message, refusal.status);
  }
}
