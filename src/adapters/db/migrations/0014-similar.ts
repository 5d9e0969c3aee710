import type { Kysely, Migration } from 'kysely';

/**
 * Precomputed "similar videos" for recommendations (src/discovery/similar.ts): per video, the best matches of its
 * title and tags in the search index (`video_similar`), and when each list was computed (`video_similar_lists`,
 * also present for an empty list). A background refresh recomputes the lists of videos changed past a watermark
 * on `videos.updated_at` (hence that index) and the oldest lists, so a request reads one list instead of running a
 * full-text search.
 */
export const m0014: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('video_similar')
      .addColumn('video_id', 'text', (c) => c.notNull())
      .addColumn('other_id', 'text', (c) => c.notNull())
      .addColumn('score', 'double precision', (c) => c.notNull())
      .addPrimaryKeyConstraint('video_similar_pk', ['video_id', 'other_id'])
      .execute();
    await db.schema
      .createTable('video_similar_lists')
      .addColumn('video_id', 'text', (c) => c.primaryKey())
      .addColumn('computed_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('video_similar_lists_age').on('video_similar_lists').columns(['computed_at']).execute();
    await db.schema.createIndex('videos_updated').on('videos').columns(['updated_at']).execute();
    await db.insertInto('discovery_jobs').values({ name: 'similar', watermark: 0, updated_at: 0 }).execute();
  },
};
