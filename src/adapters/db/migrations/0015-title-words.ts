import { type Kysely, type Migration, PostgresAdapter, sql } from 'kysely';

/**
 * PostgreSQL's title vocabulary for typo correction (the counterpart of SQLite's fts5vocab `search_title_vocab`):
 * every word of the indexed titles with the number of documents that have it, kept exact by a trigger on
 * `search_documents` (from the old and new `title_words`), with a trigram index. A misspelt word is compared with
 * the few thousand known words instead of every title (a scan of the titles' trigram index took 15–40 ms at 100k
 * videos). Words whose count fell to 0 stay, unused (`docs > 0` in the query). The titles' trigram column and
 * index (`title_plain`), used for nothing else, are dropped. Nothing for SQLite.
 */
export const m0015: Migration = {
  async up(db: Kysely<any>) {
    if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
    await sql`create table search_title_words (word text primary key, docs integer not null)`.execute(db);
    await sql`create index search_title_words_trgm on search_title_words using gin (word public.gin_trgm_ops)`.execute(db);
    // `set search_path from current`: the trigger finds its table in this schema whatever the writer's search_path
    await sql`create function search_title_words_sync() returns trigger language plpgsql set search_path from current as $$
      begin
        if tg_op in ('UPDATE', 'DELETE') then
          update search_title_words w set docs = w.docs - 1 from unnest(tsvector_to_array(old.title_words)) t(word) where w.word = t.word;
        end if;
        if tg_op in ('INSERT', 'UPDATE') then
          insert into search_title_words (word, docs) select t.word, 1 from unnest(tsvector_to_array(new.title_words)) t(word)
          on conflict (word) do update set docs = search_title_words.docs + 1;
        end if;
        return null;
      end $$`.execute(db);
    await sql`create trigger search_title_words_sync after insert or delete or update of title_words on search_documents
      for each row execute function search_title_words_sync()`.execute(db);
    await sql`insert into search_title_words (word, docs)
      select t.word, count(*) from search_documents d, unnest(tsvector_to_array(d.title_words)) t(word) group by t.word`.execute(db);
    await sql`alter table search_documents drop column title_plain`.execute(db);
  },
};
