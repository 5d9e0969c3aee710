import { type Kysely, type Migration, PostgresAdapter, sql } from 'kysely';

/**
 * Discovery: the search index (one document per public, ready video), the query log behind autocomplete, and
 * indexes the recommendation candidate queries need (a viewer's watches; recent hourly views).
 *
 * SQLite: a plain `search_documents` table (filters) with three FTS5 indexes over it kept in sync by triggers:
 * `search_fts` (porter-stemmed, diacritics removed; bm25 per column), `search_tt_fts` (the same over title, tags
 * and channel name only: the first ranking tier) and `search_title_fts` (title words as
 * typed, for autocomplete and typo correction through its fts5vocab table).
 * PostgreSQL: a weighted `tsvector` (GIN) built with unaccent, the same for title, tags and channel name alone
 * (`title_tags`: the first ranking tier and similar videos), the title's words unstemmed (`title_words`, GIN,
 * autocomplete) and the unaccented title with a trigram index (typos). Extensions are database-wide: they are created once (under an advisory lock, as concurrent migrations of
 * several schemas would race) in `public`, and every use is schema-qualified, so any search_path works.
 */
export const m0006: Migration = {
  async up(db: Kysely<any>) {
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
    if (postgres) await upPostgres(db);
    else await upSqlite(db);
    await db.schema
      .createTable('search_queries')
      .addColumn('query', 'text', (c) => c.primaryKey())
      .addColumn('count', 'bigint', (c) => c.notNull())
      .addColumn('last_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('search_queries_popular').on('search_queries').columns(['count']).execute();
    // recommendations: a viewer's recent watches (seeds, exclusions) and the second hop of co-watch, answered from
    // the index alone (it covers video_id)
    await db.schema.createIndex('view_events_viewer').on('view_events').columns(['viewer_key', 'at', 'video_id']).execute();
    // trending: the views of the last hours
    await db.schema.createIndex('video_view_hourly_hour').on('video_view_hourly').columns(['hour']).execute();
    await db.schema.createIndex('videos_public_published').on('videos').columns(['status', 'visibility', 'published_at']).execute();
  },
};

async function upSqlite(db: Kysely<any>): Promise<void> {
  await sql`create table search_documents (
    doc_id integer primary key,
    video_id text not null unique,
    channel_id text not null,
    title text not null,
    tags text not null,
    channel_name text not null,
    description text not null,
    captions text not null,
    duration_sec real,
    published_at bigint not null,
    indexed_at bigint not null
  )`.execute(db);
  await sql`create index search_documents_channel on search_documents (channel_id, published_at)`.execute(db);
  await sql`create index search_documents_published on search_documents (published_at)`.execute(db);
  await sql`create virtual table search_fts using fts5(title, tags, channel_name, description, captions,
    content='search_documents', content_rowid='doc_id', tokenize='porter unicode61 remove_diacritics 2')`.execute(db);
  // the first ranking tier and "similar videos": title, tags and channel name alone, so common words that fill
  // descriptions do not make its doclists long
  await sql`create virtual table search_tt_fts using fts5(title, tags, channel_name,
    content='search_documents', content_rowid='doc_id', tokenize='porter unicode61 remove_diacritics 2')`.execute(db);
  await sql`create virtual table search_title_fts using fts5(title,
    content='search_documents', content_rowid='doc_id', tokenize='unicode61 remove_diacritics 2', prefix='2 3')`.execute(db);
  await sql`create virtual table search_title_vocab using fts5vocab(search_title_fts, 'row')`.execute(db);
  const cols = 'title, tags, channel_name, description, captions';
  const neu = 'new.title, new.tags, new.channel_name, new.description, new.captions';
  const old = 'old.title, old.tags, old.channel_name, old.description, old.captions';
  await sql
    .raw(
      `create trigger search_documents_ai after insert on search_documents begin
        insert into search_fts(rowid, ${cols}) values (new.doc_id, ${neu});
        insert into search_tt_fts(rowid, title, tags, channel_name) values (new.doc_id, new.title, new.tags, new.channel_name);
        insert into search_title_fts(rowid, title) values (new.doc_id, new.title);
      end`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger search_documents_ad after delete on search_documents begin
        insert into search_fts(search_fts, rowid, ${cols}) values ('delete', old.doc_id, ${old});
        insert into search_tt_fts(search_tt_fts, rowid, title, tags, channel_name) values ('delete', old.doc_id, old.title, old.tags, old.channel_name);
        insert into search_title_fts(search_title_fts, rowid, title) values ('delete', old.doc_id, old.title);
      end`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger search_documents_au after update on search_documents begin
        insert into search_fts(search_fts, rowid, ${cols}) values ('delete', old.doc_id, ${old});
        insert into search_title_fts(search_title_fts, rowid, title) values ('delete', old.doc_id, old.title);
        insert into search_tt_fts(search_tt_fts, rowid, title, tags, channel_name) values ('delete', old.doc_id, old.title, old.tags, old.channel_name);
        insert into search_fts(rowid, ${cols}) values (new.doc_id, ${neu});
        insert into search_tt_fts(rowid, title, tags, channel_name) values (new.doc_id, new.title, new.tags, new.channel_name);
        insert into search_title_fts(rowid, title) values (new.doc_id, new.title);
      end`,
    )
    .execute(db);
}

async function upPostgres(db: Kysely<any>): Promise<void> {
  await sql`select pg_advisory_xact_lock(7306341)`.execute(db);
  await sql`create extension if not exists unaccent with schema public`.execute(db);
  await sql`create extension if not exists pg_trgm with schema public`.execute(db);
  await sql`create table search_documents (
    video_id text primary key,
    channel_id text not null,
    title text not null,
    tags text not null,
    channel_name text not null,
    description text not null,
    captions text not null,
    duration_sec double precision,
    published_at bigint not null,
    indexed_at bigint not null,
    title_plain text not null,
    title_words tsvector not null,
    title_tags tsvector not null,
    document tsvector not null
  )`.execute(db);
  await sql`create index search_documents_channel on search_documents (channel_id, published_at)`.execute(db);
  await sql`create index search_documents_published on search_documents (published_at)`.execute(db);
  await sql`create index search_documents_fts on search_documents using gin (document)`.execute(db);
  await sql`create index search_documents_title_words on search_documents using gin (title_words)`.execute(db);
  await sql`create index search_documents_title_tags on search_documents using gin (title_tags)`.execute(db);
  await sql`create index search_documents_title_trgm on search_documents using gin (title_plain public.gin_trgm_ops)`.execute(db);
}
