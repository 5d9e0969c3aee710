import type { Kysely, Migration } from 'kysely';

/**
 * Storage tiering (src/tiering): where each rendition (video rung, audio) and kept source of a published video
 * lives: hot (the main blob store), cold (the cold store), dropped (deleted, re-created on demand) or restoring
 * (being re-created). A video without rows was not inventoried yet: everything it has is hot.
 */
export const m0011: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('rendition_tiers')
      .addColumn('video_id', 'text', (c) => c.notNull().references('videos.id').onDelete('cascade'))
      .addColumn('rendition', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('codec', 'text')
      .addColumn('rank', 'integer', (c) => c.notNull())
      .addColumn('tier', 'text', (c) => c.notNull())
      .addColumn('bytes', 'bigint', (c) => c.notNull())
      .addColumn('files', 'integer', (c) => c.notNull())
      .addColumn('changed_at', 'bigint', (c) => c.notNull())
      .addColumn('last_access_at', 'bigint')
      .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('recreations', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('recreated_from', 'text')
      .addPrimaryKeyConstraint('rendition_tiers_pk', ['video_id', 'rendition'])
      .execute();
    await db.schema.createIndex('rendition_tiers_tier').on('rendition_tiers').columns(['tier', 'video_id']).execute();
  },
};
