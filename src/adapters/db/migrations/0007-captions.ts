import type { Kysely, Migration } from 'kysely';

/** Caption tracks per video and language (the WebVTT files live in the blob store). */
export const m0007: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('captions')
      .addColumn('video_id', 'text', (c) => c.notNull().references('videos.id').onDelete('cascade'))
      .addColumn('lang', 'text', (c) => c.notNull())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('cues', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('captions_pk', ['video_id', 'lang'])
      .execute();
  },
};
