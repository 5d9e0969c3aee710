/** SQL pieces both search adapters use: the filters on `search_documents d`, LIKE prefixes. */
import { sql, type RawBuilder } from 'kysely';
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
