/**
 * Search on SQLite with FTS5 (migration 0006): `search_documents` holds the fields and filter columns, triggers keep
 * the FTS5 indexes in sync (every field; title + tags + channel name; title alone). Relevance is bm25 with
 * per-column weights (title highest); typos are corrected against the title vocabulary (fts5vocab), candidates read
 * by first letter and compared by trigram similarity.
 */
import { sql } from 'kysely';
import type { Db } from '../db/schema.js';
import { bestCorrection, fts5Prefix, parseWebSearch, toFts5 } from '../../core/search-query.js';
import type { SearchDocument, SearchFilters, SearchHit, SearchIndex, SearchResult } from '../../ports/search-index.js';
import { searchWithCorrection } from './typo-fallback.js';
import { filterSql, popularQueries, recordQuery } from './search-sql.js';

/** every field; bm25 weights of title, tags, channel_name, description, captions */
const ALL = { table: sql.raw('search_fts'), bm25: sql.raw('bm25(search_fts, 10.0, 4.0, 3.0, 1.5, 0.5)') };
/** title, tags, channel_name only (the same weights) */
const TIER1 = { table: sql.raw('search_tt_fts'), bm25: sql.raw('bm25(search_tt_fts, 10.0, 4.0, 3.0)') };
const CHUNK = 200;

export class SqliteSearchIndex implements SearchIndex {
  readonly kind = 'sqlite-fts5' as const;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async upsert(docs: SearchDocument[]): Promise<void> {
    if (docs.length === 0) return;
    const at = this.now();
    await this.db.transaction().execute(async (tx) => {
      for (let i = 0; i < docs.length; i += CHUNK) {
        await tx
          .insertInto('search_documents')
          .values(docs.slice(i, i + CHUNK).map((d) => row(d, at)))
          .onConflict((oc) =>
            oc.column('video_id').doUpdateSet((eb) => ({
              channel_id: eb.ref('excluded.channel_id'),
              title: eb.ref('excluded.title'),
              tags: eb.ref('excluded.tags'),
              channel_name: eb.ref('excluded.channel_name'),
              description: eb.ref('excluded.description'),
              captions: eb.ref('excluded.captions'),
              duration_sec: eb.ref('excluded.duration_sec'),
              published_at: eb.ref('excluded.published_at'),
              indexed_at: eb.ref('excluded.indexed_at'),
            })),
          )
          .execute();
      }
    });
  }

  async remove(videoIds: string[]): Promise<void> {
    for (let i = 0; i < videoIds.length; i += CHUNK) await this.db.deleteFrom('search_documents').where('video_id', 'in', videoIds.slice(i, i + CHUNK)).execute();
  }

  search(query: string, filters: SearchFilters, limit: number, opts: { titleAndTags?: boolean } = {}): Promise<SearchResult> {
    return searchWithCorrection(query, (q) => this.match(q, filters, limit, opts.titleAndTags ?? false), (w) => this.correct(w));
  }

  /**
   * bm25 is computed for every match, so a broad query over a large catalogue is ranked in tiers: matches in the
   * title, tags or channel name first (they outrank description and caption matches); only when those are fewer
   * than `limit` is the query run over every field. (Queries with exclusions always run over every field.)
   */
  private async match(query: string, filters: SearchFilters, limit: number, titleAndTags: boolean): Promise<SearchHit[]> {
    const parsed = parseWebSearch(query);
    const expr = toFts5(parsed);
    if (!expr) return [];
    const hasNot = parsed.some((g) => g.some((c) => c.negated));
    if (!hasNot) {
      const top = await this.run(TIER1, expr, filters, limit);
      if (top.length >= limit || titleAndTags) return top;
    }
    return this.run(ALL, expr, filters, limit);
  }

  private async run(t: typeof ALL, expr: string, filters: SearchFilters, limit: number): Promise<SearchHit[]> {
    const rows = await sql<{ video_id: string; channel_id: string; published_at: number; r: number }>`
      select d.video_id, d.channel_id, d.published_at, ${t.bm25} as r
      from ${t.table} join search_documents d on d.doc_id = ${t.table}.rowid
      where ${t.table} match ${expr} ${filterSql(filters)}
      order by r limit ${limit}`.execute(this.db);
    return rows.rows.map((r) => ({ videoId: r.video_id, channelId: r.channel_id, publishedAt: Number(r.published_at), relevance: -r.r }));
  }

  private async correct(word: string): Promise<string | null> {
    const first = String.fromCodePoint(word.codePointAt(0)!);
    const next = String.fromCodePoint(word.codePointAt(0)! + 1);
    const vocab = await sql<{ term: string; doc: number }>`
      select term, doc from search_title_vocab where term >= ${first} and term < ${next} limit 50000`.execute(this.db);
    return bestCorrection(word, vocab.rows.map((v) => ({ term: v.term, docs: v.doc })));
  }

  async suggestTitles(prefix: string, limit: number): Promise<Array<{ videoId: string; title: string }>> {
    const expr = fts5Prefix(prefix);
    if (!expr) return [];
    const rows = await sql<{ video_id: string; title: string }>`
      select d.video_id, d.title from search_title_fts join search_documents d on d.doc_id = search_title_fts.rowid
      where search_title_fts match ${expr} order by rank limit ${limit}`.execute(this.db);
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
    const rows = await this.db.selectFrom('search_documents').select('video_id').where('video_id', 'in', videoIds).execute();
    return new Set(rows.map((r) => r.video_id));
  }

  async allIds(): Promise<string[]> {
    return (await this.db.selectFrom('search_documents').select('video_id').execute()).map((r) => r.video_id);
  }
}

function row(d: SearchDocument, at: number) {
  return {
    video_id: d.videoId,
    channel_id: d.channelId,
    title: d.title,
    tags: d.tags.join(' '),
    channel_name: d.channelName,
    description: d.description,
    captions: d.captions,
    duration_sec: d.durationSec,
    published_at: d.publishedAt,
    indexed_at: at,
  };
}
