import type { Kysely, Migration } from 'kysely';

/** Viewers' flags on videos, and the owner's appeal of a takedown. */
export const m0010: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('video_flags')
      .addColumn('video_id', 'text', (c) => c.notNull().references('videos.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('note', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('resolved_at', 'bigint')
      .addPrimaryKeyConstraint('video_flags_pk', ['video_id', 'user_id'])
      .execute();
    await db.schema.createIndex('video_flags_open').on('video_flags').columns(['resolved_at', 'video_id']).execute();
    await db.schema.alterTable('videos').addColumn('appeal', 'text').execute();
  },
};
