/**
 * Upload admission against the account's usage (quotas and the per-channel rate limit).
 */
import { sql } from 'kysely';
import type { Db } from '../adapters/db/schema.js';
import { AppError } from '../core/errors.js';
import { admitUpload, type UploadLimits, type UploadUsage } from '../core/upload-limits.js';
import type { CurrentUser } from '../accounts/accounts-service.js';

export class UploadPolicy {
  constructor(
    private readonly db: Db,
    readonly limits: UploadLimits,
    private readonly now: () => number = Date.now,
  ) {}

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

  /** Throws a 413/429 AppError with a clear message when the upload may not start. */
  async admit(user: CurrentUser, size: number | null): Promise<void> {
    const refusal = admitUpload(size, await this.usage(user), this.limits);
    if (refusal) throw new AppError(refusal.code, refusal.message, refusal.status);
  }
}
