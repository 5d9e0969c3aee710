/**
 * Search on PostgreSQL full text (migration 0006): a weighted tsvector per document (A title, B tags + channel
 * name, C description, D captions; 'english' stemming, unaccent) with a GIN index, queried with
 * websearch_to_tsquery and ranked by ts_rank. Typos: the title vocabulary (migration 0015, trigram index) gives the
 * known words similar to a misspelt one. Autocomplete: the title's unstemmed words ('simple' tsvector, GIN).
 * Extension functions live in `public` and are always called schema-qualified.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/schema.js';
import { bestCorrection, parseWebSearch, tsqueryPrefix } from '../../core/search-query.js';
import type { SearchDocument, SearchFilters, SearchHit, SearchIndex, SearchResult } from '../../ports/search-index.js';
import { searchWithCorrection } from './typo-fallback.js';
import { filterSql, popularQueries, recordQuery } from './search-sql.js';

const U = (x: string) => sql.raw(`public.unaccent('public.unaccent'::regdictionary, ${x})`);
/** ts_rank weights, in the order {D, C, B, A} */
const WEIGHTS = sql.raw(`'{0.05, 0.2, 0.4, 1.0}'::float4[]`);
const CHUNK = 500;
const RANK_WINDOW = 3000;

export class PostgresSearchIndex implements SearchIndex {
  readonly kind = 'postgres' as const;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async upsert(docs: SearchDocument[]): Promise<void> {
    const at = this.now();
    for (let i = 0; i < docs.length; i += CHUNK) {
      const part = docs.slice(i, i + CHUNK);
      const col = <T>(f: (d: SearchDocument) => T) => part.map(f);
      await sql`
        insert into search_documents (video_id, channel_id, title, tags, channel_name, description, captions, duration_sec, published_at,
                                      indexed_at, title_words, title_tags, document)
        select v.video_id, v.channel_id, v.title, v.tags, v.channel_name, v.description, v.captions, v.duration_sec, v.published_at, ${at}::bigint,
               to_tsvector('simple', ${U('v.title')}),
               setweight(to_tsvector('english', ${U('v.title')}), 'A') ||
               setweight(to_tsvector('english', ${U(`v.tags || ' ' || v.channel_name`)}), 'B'),
               setweight(to_tsvector('english', ${U('v.title')}), 'A') ||
               setweight(to_tsvector('english', ${U(`v.tags || ' ' || v.channel_name`)}), 'B') ||
               setweight(to_tsvector('english', ${U('v.description')}), 'C') ||
               setweight(to_tsvector('english', ${U('v.captions')}), 'D')
        from unnest(${col((d) => d.videoId)}::text[], ${col((d) => d.channelId)}::text[], ${col((d) => d.title)}::text[], ${col((d) => d.tags.join(' '))}::text[],
                    ${col((d) => d.channelName)}::text[], ${col((d) => d.description)}::text[], ${col((d) => d.captions)}::text[],
                    ${col((d) => d.durationSec)}::float8[], ${col((d) => d.publishedAt)}::bigint[])
             as v(video_id, channel_id, title, tags, channel_name, description, captions, duration_sec, published_at)
        on conflict (video_id) do update set
          channel_id = excluded.channel_id, title = excluded.title, tags = excluded.tags, channel_name = excluded.channel_name,
          description = excluded.description, captions = excluded.captions, duration_sec = excluded.duration_sec,
          published_at = excluded.published_at, indexed_at = excluded.indexed_at,
          title_words = excluded.title_words, title_tags = excluded.title_tags, document = excluded.document`.execute(this.db);
    }
  }

  async remove(videoIds: string[]): Promise<void> {
    if (videoIds.length === 0) return;
    await sql`delete from search_documents where video_id = any(${videoIds}::text[])`.execute(this.db);
  }

  search(query: string, filters: SearchFilters, limit: number, opts: { titleAndTags?: boolean } = {}): Promise<SearchResult> {
    return searchWithCorrection(query, (q) => this.match(q, filters, limit, opts.titleAndTags ?? false), (w) => this.correct(w));
  }

  /**
   * Ranked in tiers like the SQLite adapter: the title/tags/channel vector first (small, its own GIN index), every
   * field only when that finds fewer than `limit` (queries with exclusions always use every field). The first tier
   * ranks every match (its vectors are a few words: ranking is cheap next to reading the rows); the second reads
   * whole documents, so a query matching a large part of the catalogue ranks its RANK_WINDOW newest matches.
   */
  private async match(query: string, filters: SearchFilters, limit: number, titleAndTags: boolean): Promise<SearchHit[]> {
    const hasNot = parseWebSearch(query).some((g) => g.some((c) => c.negated));
    if (!hasNot) {
      const top = await this.rank(sql.raw('title_tags'), query, filters, limit, null);
      if (top.length >= limit || titleAndTags) return top;
    }
    return this.rank(sql.raw('document'), query, filters, limit, RANK_WINDOW);
  }

  private async rank(column: RawBuilder<unknown>, query: string, filters: SearchFilters, limit: number, window: number | null): Promise<SearchHit[]> {
    const newest = window === null ? sql`` : sql`order by d.published_at desc limit ${window}`;
    const rows = await sql<{ video_id: string; channel_id: string; published_at: number; r: number }>`
      select m.video_id, m.channel_id, m.published_at, ts_rank(${WEIGHTS}, m.v, m.q, 1) as r
      from (select d.video_id, d.channel_id, d.published_at, d.${column} as v, q
            from search_documents d, websearch_to_tsquery('english', public.unaccent('public.unaccent'::regdictionary, ${query})) q
            where d.${column} @@ q ${filterSql(filters)}
            ${newest}) m
      order by r desc, m.published_at desc limit ${limit}`.execute(this.db);
    return rows.rows.map((r) => ({ videoId: r.video_id, channelId: r.channel_id, publishedAt: Number(r.published_at), relevance: Number(r.r) }));
  }

  private async correct(word: string): Promise<string | null> {
    // known title words like this one (migration 0015's vocabulary, trigram index; bestCorrection's own threshold
    // decides, the operator only narrows: its default threshold, 0.3, is the same)
    const rows = await sql<{ word: string; docs: number }>`
      select word, docs from search_title_words where docs > 0 and (word = ${word} or word operator(public.%) ${word}) limit 200`.execute(this.db);
    return bestCorrection(word, rows.rows.map((r) => ({ term: r.word, docs: Number(r.docs) })));
  }

  async suggestTitles(prefix: string, limit: number): Promise<Array<{ videoId: string; title: string }>> {
    const q = tsqueryPrefix(prefix);
    if (!q) return [];
    const rows = await sql<{ video_id: string; title: string }>`
      select video_id, title from search_documents where title_words @@ to_tsquery('simple', ${q}) limit ${limit}`.execute(this.db);
    return rows.rows.map((r) => ({ videoId: r.video_id, title: r.title }));
  }

  recordQuery(query: string, at: number, count = 1): Promise<void> {
    return recordQuery(this.db, query, at, count);
  }

  popularQueries(prefix: string, limit: number, minCount: number): Promise<Array<{ query: string; count: number }>> {
    return popularQueries(this.db, prefix, limit, minCount);
  }

  async has(videoIds: string[]): Promise<Set<string>> {
    if (videoIds.length === 0) return new Set();
    const rows = await sql<{ video_id: string }>`select video_id from search_documents where video_id = any(${videoIds}::text[])`.execute(this.db);
    return new Set(rows.rows.map((r) => r.video_id));
  }

  async allIds(): Promise<string[]> {
    return (await this.db.selectFrom('search_documents').select('video_id').execute()).map((r) => r.video_id);
  }
}
