import type { Kysely, Migration } from 'kysely';

/** The correlation id of the request that created a video: its upload, tasks and publish log under it. */
export const m0008: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('videos').addColumn('trace_id', 'text').execute();
  },
};
