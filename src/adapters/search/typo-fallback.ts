/**
 * Typo tolerance shared by the search adapters: when a query matches nothing as typed, each word is replaced by
 * the most similar known word (trigram similarity; the adapter says which words are known) and the query runs
 * once more.
 */
import { formatQuery, parseWebSearch, positiveWords, rewriteWords } from '../../core/search-query.js';
import type { SearchHit, SearchResult } from '../../ports/search-index.js';

export async function searchWithCorrection(
  query: string,
  run: (query: string) => Promise<SearchHit[]>,
  correct: (word: string) => Promise<string | null>,
): Promise<SearchResult> {
  const parsed = parseWebSearch(query);
  if (parsed.length === 0) return { hits: [], correctedQuery: null };
  const hits = await run(formatQuery(parsed));
  if (hits.length > 0) return { hits, correctedQuery: null };
  const corrections = new Map<string, string>();
  for (const w of positiveWords(parsed)) {
    if (w.length < 3 || /^\d+$/.test(w)) continue;
    const c = await correct(w);
    if (c && c !== w) corrections.set(w, c);
  }
  if (corrections.size === 0) return { hits: [], correctedQuery: null };
  const corrected = formatQuery(rewriteWords(parsed, corrections));
  return { hits: await run(corrected), correctedQuery: corrected };
}
