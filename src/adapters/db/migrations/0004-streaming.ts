import type { Kysely, Migration } from 'kysely';

/** Per-video content keys for AES-128 HLS encryption: in the database, never in the blob store next to the segments. */
export const m0004: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('video_keys')
      .addColumn('video_id', 'text', (c) => c.primaryKey().references('videos.id').onDelete('cascade'))
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('key_hex', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
