import type { Kysely, Migration } from 'kysely';

/**
 * Engagement: the append-only view log (its primary key is the de-dup rule: one view per video, viewer and
 * clock hour), sharded view counters, hourly roll-ups for analytics, watch history, ratings, comments and votes,
 * subscriptions, notifications, playlists.
 */
export const m0003: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('view_events')
      .addColumn('video_id', 'text', (c) => c.notNull())
      .addColumn('viewer_key', 'text', (c) => c.notNull())
      .addColumn('hour', 'bigint', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('user_id', 'text')
      .addColumn('country', 'text', (c) => c.notNull())
      .addColumn('device', 'text', (c) => c.notNull())
      .addColumn('watch_sec', 'double precision', (c) => c.notNull())
      .addPrimaryKeyConstraint('view_events_pk', ['video_id', 'viewer_key', 'hour'])
      .execute();
    await db.schema
      .createTable('video_view_counts')
      .addColumn('video_id', 'text', (c) => c.notNull())
      .addColumn('shard', 'integer', (c) => c.notNull())
      .addColumn('views', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('video_view_counts_pk', ['video_id', 'shard'])
      .execute();
    await db.schema
      .createTable('video_view_hourly')
      .addColumn('video_id', 'text', (c) => c.notNull())
      .addColumn('hour', 'bigint', (c) => c.notNull())
      .addColumn('country', 'text', (c) => c.notNull())
      .addColumn('device', 'text', (c) => c.notNull())
      .addColumn('views', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('video_view_hourly_pk', ['video_id', 'hour', 'country', 'device'])
      .execute();
    await db.schema
      .createTable('watch_history')
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('video_id', 'text', (c) => c.notNull())
      .addColumn('position_sec', 'double precision', (c) => c.notNull())
      .addColumn('watched_sec', 'double precision', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('watch_history_pk', ['user_id', 'video_id'])
      .execute();
    await db.schema.createIndex('watch_history_recent').on('watch_history').columns(['user_id', 'updated_at']).execute();
    await db.schema
      .createTable('video_ratings')
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('video_id', 'text', (c) => c.notNull())
      .addColumn('value', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('video_ratings_pk', ['user_id', 'video_id'])
      .execute();
    await db.schema.createIndex('video_ratings_video').on('video_ratings').columns(['video_id', 'value']).execute();
      await db.schema
      .createTable('comments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('video_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('parent_id', 'text')
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('score', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('edited_at', 'bigint')
      .addColumn('deleted_at', 'bigint')
      .execute();
    await db.schema.createIndex('comments_video_new').on('comments').columns(['video_id', 'parent_id', 'created_at']).execute();
    await db.schema.createIndex('comments_video_top').on('comments').columns(['video_id', 'parent_id', 'score', 'created_at']).execute();
    await db.schema.createIndex('comments_parent').on('comments').column('parent_id').execute();
    await db.schema.createIndex('comments_user_recent').on('comments').columns(['user_id', 'created_at']).execute();
    await db.schema
      .createTable('comment_votes')
      .addColumn('comment_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('value', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('comment_votes_pk', ['comment_id', 'user_id'])
      .execute();
      await db.schema
      .createTable('subscriptions')
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('channel_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('subscriptions_pk', ['user_id', 'channel_id'])
      .execute();
    await db.schema.createIndex('subscriptions_channel').on('subscriptions').column('channel_id').execute();
    await db.schema
      .createTable('notifications')
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('video_id', 'text')
      .addColumn('channel_id', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('read_at', 'bigint')
      .addPrimaryKeyConstraint('notifications_pk', ['user_id', 'id'])
      .execute();
    await db.schema.createIndex('notifications_recent').on('notifications').columns(['user_id', 'created_at']).execute();
      await db.schema
      .createTable('playlists')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('visibility', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('playlists_user').on('playlists').columns(['user_id', 'kind']).execute();
    await db.schema
      .createTable('playlist_items')
      .addColumn('playlist_id', 'text', (c) => c.notNull())
      .addColumn('video_id', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('added_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('playlist_items_pk', ['playlist_id', 'video_id'])
      .execute();
    await db.schema.createIndex('playlist_items_order').on('playlist_items').columns(['playlist_id', 'position']).execute();
  },
};
