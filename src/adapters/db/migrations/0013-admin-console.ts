import type { Kysely, Migration } from 'kysely';

/** The admin console (src/admin): site settings (one JSON value per key) and suspended accounts. */
export const m0013: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('site_settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text')
      .execute();
    await db.schema.alterTable('users').addColumn('suspended_at', 'bigint').execute();
    await db.schema.alterTable('users').addColumn('suspended_reason', 'text').execute();
  },
};
