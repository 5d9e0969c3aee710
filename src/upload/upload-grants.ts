/**
 * Pre-signed upload URLs: an authenticated call issues a short-lived, single-use grant bound to the account,
 * the declared size and the media type. The tus endpoint accepts it instead of a session, so uploads can be
 * sent to a separate upload host. Only the grant's SHA-256 is stored.
 */
import { AppError } from '../core/errors.js';
import { newToken, tokenHash } from '../core/passwords.js';
import type { Db, UploadGrantsTable } from '../adapters/db/schema.js';

export const GRANT_PARAM = 'grant';

export class UploadGrants {
  constructor(
    private readonly db: Db,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async issue(userId: string, size: number, type: string): Promise<{ token: string; expiresAt: number }> {
    const token = newToken('rg');
    const expiresAt = this.now() + this.ttlMs;
    await this.db.insertInto('upload_grants').values({ token_hash: tokenHash(token), user_id: userId, size, type, expires_at: expiresAt, upload_id: null, created_at: this.now() }).execute();
    return { token, expiresAt };
  }

  private async find(token: string): Promise<UploadGrantsTable> {
    const g = token.length < 200 ? await this.db.selectFrom('upload_grants').selectAll().where('token_hash', '=', tokenHash(token)).executeTakeFirst() : undefined;
    if (!g) throw new AppError('invalid_grant', 'This upload URL is not valid (altered or unknown)', 403);
    return g;
  }

  /** For creating an upload: valid, unexpired, unused. */
  async forCreation(token: string): Promise<UploadGrantsTable> {
    const g = await this.find(token);
    if (g.upload_id) throw new AppError('grant_used', 'This upload URL was already used; request a new one', 403);
    if (g.expires_at < this.now()) throw new AppError('grant_expired', 'This upload URL has expired; request a new one', 403);
    return g;
  }

  /** Bind the grant to the upload it created; false when another request used it first. */
  async bind(token: string, uploadId: string): Promise<boolean> {
    const res = await this.db.updateTable('upload_grants').set({ upload_id: uploadId }).where('token_hash', '=', tokenHash(token)).where('upload_id', 'is', null).executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** For the follow-up requests (PATCH/HEAD/DELETE) of the upload the grant created. */
  async forUpload(token: string, uploadId: string): Promise<UploadGrantsTable> {
    const g = await this.find(token);
    if (g.upload_id !== uploadId) throw new AppError('invalid_grant', 'This upload URL belongs to another upload', 403);
    return g;
  }
}
