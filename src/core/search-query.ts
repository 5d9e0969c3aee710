/**
 * Search query text, pure: normalization (the key of the query log), web-search syntax ("quoted phrases",
 * -exclusions, OR) parsed into clauses and written as an SQLite FTS5 expression, autocomplete prefix queries for
 * FTS5 and PostgreSQL, and trigram similarity for typo correction (the same measure as PostgreSQL's pg_trgm).
 */

export const MAX_QUERY_CHARS = 200;

/** Lower case, NFKC, accents kept, whitespace collapsed: how a query is stored and suggested. */
export function normalizeQuery(q: string): string {
  return q.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim().slice(0, MAX_QUERY_CHARS);
}

/** Words as the indexes see them: runs of letters and digits, lower case, accents removed. */
export function words(text: string): string[] {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

export interface Clause {
  /** one word, or the words of a quoted phrase */
  tokens: string[];
  negated: boolean;
}

/** OR of groups; each group is the AND of its clauses (negated clauses must not match). */
export type ParsedQuery = Clause[][];

/** Web-search syntax, as PostgreSQL's websearch_to_tsquery reads it: "a phrase", -word, -"phrase", a OR b. */
export function parseWebSearch(q: string): ParsedQuery {
  const groups: ParsedQuery = [[]];
  const re = /(-?)"([^"]*)"?|(\S+)/g;
  for (let m = re.exec(q); m; m = re.exec(q)) {
    if (m[3] !== undefined) {
      if (m[3].toLowerCase() === 'or') {
        if (groups[groups.length - 1].length > 0) groups.push([]);
        continue;
      }
      const negated = m[3].startsWith('-') && m[3].length > 1;
      const tokens = words(negated ? m[3].slice(1) : m[3]);
      // "foo-bar" is one phrase of two words, like PostgreSQL reads it
      if (tokens.length > 0) groups[groups.length - 1].push({ tokens, negated });
    } else {
      const tokens = words(m[2] ?? '');
      if (tokens.length > 0) groups[groups.length - 1].push({ tokens, negated: m[1] === '-' });
    }
  }
  return groups.filter((g) => g.some((c) => !c.negated));
}

const quote = (tokens: string[]) => `"${tokens.join(' ')}"`;

/** The FTS5 MATCH expression of a parsed query; null when nothing positive is left (no result). */
export function toFts5(parsed: ParsedQuery): string | null {
  const groups = parsed
    .map((g) => {
      const pos = g.filter((c) => !c.negated).map((c) => quote(c.tokens));
      const neg = g.filter((c) => c.negated).map((c) => quote(c.tokens));
      if (pos.length === 0) return null;
      const and = `(${pos.join(' AND ')})`;
      return neg.length ? `(${and} NOT (${neg.join(' OR ')}))` : and;
    })
    .filter((g): g is string => g !== null);
  return groups.length ? groups.join(' OR ') : null;
}

/** Every word of the query (positive clauses), for typo correction. */
export function positiveWords(parsed: ParsedQuery): string[] {
  return [...new Set(parsed.flatMap((g) => g.filter((c) => !c.negated).flatMap((c) => c.tokens)))];
}

/** The query with each word replaced by its correction (words without one are kept). */
export function rewriteWords(parsed: ParsedQuery, corrections: Map<string, string>): ParsedQuery {
  return parsed.map((g) => g.map((c) => ({ ...c, tokens: c.tokens.map((t) => corrections.get(t) ?? t) })));
}

/** The words of a query as an OR query (similar videos: any shared word counts, bm25 sorts them out). */
export function anyOf(text: string, max = 16): ParsedQuery {
  return [...new Set(words(text))]
    .filter((w) => w.length > 2)
    .slice(0, max)
    .map((w) => [{ tokens: [w], negated: false }]);
}

/**
 * "Similar to this text": documents sharing at least two of its first `max` words (any word when it has only one).
 * Far fewer matches than any-of-the-words, so ranking them stays cheap on a large catalogue.
 */
export function twoOf(text: string, max = 5): ParsedQuery {
  const ws = anyOf(text, max).map((g) => g[0].tokens[0]);
  if (ws.length < 2) return anyOf(text, max);
  const out: ParsedQuery = [];
  for (let i = 0; i < ws.length; i++) for (let j = i + 1; j < ws.length; j++) out.push([{ tokens: [ws[i]], negated: false }, { tokens: [ws[j]], negated: false }]);
  return out;
}

/** Autocomplete: all but the last word complete, the last one a prefix. FTS5 syntax; null if no word. */
export function fts5Prefix(prefix: string): string | null {
  const ws = words(prefix);
  if (ws.length === 0) return null;
  const last = ws[ws.length - 1];
  const typing = !/\s$/.test(prefix); // the last word is still being typed
  return [...ws.slice(0, -1).map((w) => `"${w}"`), typing ? `"${last}"*` : `"${last}"`].join(' AND ');
}

/** The same as a PostgreSQL tsquery ('simple' configuration: words as typed). */
export function tsqueryPrefix(prefix: string): string | null {
  const ws = words(prefix);
  if (ws.length === 0) return null;
  const typing = !/\s$/.test(prefix);
  return ws.map((w, i) => (i === ws.length - 1 && typing ? `'${w}':*` : `'${w}'`)).join(' & ');
}

function trigrams(word: string): Set<string> {
  const padded = `  ${word} `;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  return out;
}

/** pg_trgm's similarity of two words: shared trigrams over all trigrams (0..1). */
export function trigramSimilarity(a: string, b: string): number {
  const ta = trigrams(a);
  const tb = trigrams(b);
  let shared = 0;
  for (const t of ta) if (tb.has(t)) shared++;
  const all = ta.size + tb.size - shared;
  return all === 0 ? 0 : shared / all;
}

/** The best-known word for a misspelt one: most similar (≥ threshold), then most frequent; null if none. */
export function bestCorrection(word: string, vocabulary: Array<{ term: string; docs: number }>, threshold = 0.3): string | null {
  let best: { term: string; sim: number; docs: number } | null = null;
  for (const v of vocabulary) {
    if (v.term === word) return null; // known word: nothing to correct
    if (Math.abs(v.term.length - word.length) > 2) continue;
    const sim = trigramSimilarity(word, v.term);
    if (sim < threshold) continue;
    if (!best || sim > best.sim || (sim === best.sim && v.docs > best.docs)) best = { term: v.term, sim, docs: v.docs };
  }
  return best?.term ?? null;
}

/** A parsed query written back in web-search syntax (shown as "showing results for …"). */
export function formatQuery(parsed: ParsedQuery): string {
  return parsed
    .map((g) => g.map((c) => `${c.negated ? '-' : ''}${c.tokens.length > 1 ? `"${c.tokens.join(' ')}"` : c.tokens[0]}`).join(' '))
    .join(' or ');
}
