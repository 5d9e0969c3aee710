import type { Kysely, Migration } from 'kysely';

/** Source fingerprints for de-duplication, and single-use pre-signed upload grants. */
export const m0005: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('videos').addColumn('source_sha256', 'text').execute();
    await db.schema.createIndex('videos_channel_sha256').on('videos').columns(['channel_id', 'source_sha256']).execute();
    await db.schema
      .createTable('upload_grants')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('upload_id', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
