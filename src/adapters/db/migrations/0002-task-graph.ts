import type { Kysely, Migration } from 'kysely';

/** Task DAG (keys, steps, deps, outputs), processing plan and playability on videos, channel priority. */
export const m0002: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('tasks').addColumn('key', 'text', (c) => c.notNull().defaultTo('')).execute();
    await db.schema.alterTable('tasks').addColumn('step', 'text', (c) => c.notNull().defaultTo('')).execute();
    await db.schema.alterTable('tasks').addColumn('deps', 'text', (c) => c.notNull().defaultTo('[]')).execute();
    await db.schema.alterTable('tasks').addColumn('output', 'text').execute();
    await db.schema.alterTable('videos').addColumn('media', 'text').execute();
    await db.schema.alterTable('videos').addColumn('playable_at', 'bigint').execute();
    await db.schema.alterTable('channels').addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  },
};
