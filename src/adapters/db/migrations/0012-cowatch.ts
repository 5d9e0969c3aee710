import type { Kysely, Migration } from 'kysely';

/**
 * Item-to-item co-watch for recommendations (src/discovery/cowatch.ts): per video, the videos its viewers also
 * watched with a score (co-viewers, counted from view_events), pruned to the top of each list; filled
 * incrementally by a background refresh that reads view_events past a watermark (`discovery_jobs`), in `at`
 * order (hence the index on view_events.at).
 */
export const m0012: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('video_cowatch')
      .addColumn('video_id', 'text', (c) => c.notNull())
      .addColumn('other_id', 'text', (c) => c.notNull())
      .addColumn('score', 'double precision', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('video_cowatch_pk', ['video_id', 'other_id'])
      .execute();
    await db.schema
      .createTable('discovery_jobs')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('watermark', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.insertInto('discovery_jobs').values({ name: 'cowatch', watermark: 0, updated_at: 0 }).execute();
    await db.schema.createIndex('view_events_at').on('view_events').columns(['at']).execute();
  },
};
