/** SQL both search adapters use: the filters on `search_documents d`, LIKE prefixes, the query log for suggestions. */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/schema.js';
import type { SearchFilters } from '../../ports/search-index.js';

/** The filters as `and …` conditions on search_documents aliased `d` (both adapters). */
export function filterSql(f: SearchFilters): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (f.channelId) parts.push(sql`and d.channel_id = ${f.channelId}`);
  if (f.minDurationSec !== undefined) parts.push(sql`and d.duration_sec >= ${f.minDurationSec}`);
  if (f.maxDurationSec !== undefined) parts.push(sql`and d.duration_sec < ${f.maxDurationSec}`);
  if (f.publishedAfter !== undefined) parts.push(sql`and d.published_at >= ${f.publishedAfter}`);
  if (f.publishedBefore !== undefined) parts.push(sql`and d.published_at < ${f.publishedBefore}`);
  return parts.length ? sql.join(parts, sql` `) : sql``;
}

/** A LIKE pattern matching strings that start with `prefix` (escape character: backslash). */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Count `count` more searches for `query` in the query log. */
export async function recordQuery(db: Db, query: string, at: number, count = 1): Promise<void> {
  await db
    .insertInto('search_queries')
    .values({ query, count, last_at: at })
    .onConflict((oc) => oc.column('query').doUpdateSet({ count: sql`search_queries.count + ${count}`, last_at: at }))
    .execute();
}

/** Logged queries starting with `prefix`, searched at least `minCount` times, most searched first. */
export async function popularQueries(db: Db, prefix: string, limit: number, minCount: number): Promise<Array<{ query: string; count: number }>> {
  const rows = await db
    .selectFrom('search_queries')
    .select(['query', 'count'])
    // the escape character named explicitly: SQLite has none by default (PostgreSQL's default is the same backslash)
    .where(sql<boolean>`query like ${likePrefix(prefix)} escape '\\'`)
    .where('count', '>=', minCount)
    .orderBy('count', 'desc')
    .orderBy('query')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ query: r.query, count: Number(r.count) }));
}
