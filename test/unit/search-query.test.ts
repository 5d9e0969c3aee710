import { describe, expect, it } from 'vitest';
import { anyOf, twoOf, bestCorrection, formatQuery, fts5Prefix, normalizeQuery, parseWebSearch, positiveWords, rewriteWords, toFts5, trigramSimilarity, tsqueryPrefix, words } from '../../src/core/search-query.js';

describe('search query text', () => {
  it.each([
    ['  Hello   World ', 'hello world'],
    ['ＣＡＦÉ', 'café'],
    ['a\tb\nc', 'a b c'],
  ])('normalizes %j to %j', (q, out) => expect(normalizeQuery(q)).toBe(out));

  it('splits words without accents or punctuation', () => {
    expect(words("Crème brûlée, l'été 2024!")).toEqual(['creme', 'brulee', 'l', 'ete', '2024']);
    expect(words('日本語 テスト')).toEqual(['日本語', 'テスト']);
  });

  it.each([
    ['red rocket', '("red" AND "rocket")'],
    ['"red rocket" launch', '("red rocket" AND "launch")'],
    ['rocket -blue', '(("rocket") NOT ("blue"))'],
    ['rocket -"blue sky" -green', '(("rocket") NOT ("blue sky" OR "green"))'],
    ['car or launch', '("car") OR ("launch")'],
    ['car OR', '("car")'],
    ['foo-bar', '("foo bar")'],
    ['"unclosed phrase', '("unclosed phrase")'],
    ['-only -negative', null],
    ['"" or', null],
    ['AND NOT NEAR(', '("and" AND "not" AND "near")'],
  ])('writes %j as FTS5 %j', (q, fts) => expect(toFts5(parseWebSearch(q))).toBe(fts));

  it('formats a parsed query back and rewrites corrected words', () => {
    const p = parseWebSearch('kittne "yarn ball" -dgo or cat');
    expect(formatQuery(p)).toBe('kittne "yarn ball" -dgo or cat');
    expect(positiveWords(p)).toEqual(['kittne', 'yarn', 'ball', 'cat']);
    expect(formatQuery(rewriteWords(p, new Map([['kittne', 'kitten']])))).toBe('kitten "yarn ball" -dgo or cat');
  });

  it('builds OR queries of distinct longer words for similar videos', () => {
    expect(formatQuery(anyOf('The Big big cat of Paris'))).toBe('the or big or cat or paris');
    expect(anyOf('a b c')).toEqual([]);
  });

  it('builds "at least two shared words" queries for similar videos', () => {
    expect(formatQuery(twoOf('lava volcano iceland', 5))).toBe('lava volcano or lava iceland or volcano iceland');
    expect(toFts5(twoOf('lava volcano'))).toBe('("lava" AND "volcano")');
    expect(formatQuery(twoOf('volcano'))).toBe('volcano');
    expect(twoOf('a b')).toEqual([]);
  });

  it.each([
    ['pi', '"pi"*', "'pi':*"],
    ['piano ba', '"piano" AND "ba"*', "'piano' & 'ba':*"],
    ['piano ', '"piano"', "'piano'"],
    ['Über', '"uber"*', "'uber':*"],
    ['  ', null, null],
  ])('autocomplete prefix %j', (p, fts, ts) => {
    expect(fts5Prefix(p)).toBe(fts);
    expect(tsqueryPrefix(p)).toBe(ts);
  });

  it('measures trigram similarity like pg_trgm', () => {
    expect(trigramSimilarity('kitten', 'kitten')).toBe(1);
    expect(trigramSimilarity('word', 'wrd')).toBeCloseTo(2 / 7, 5); // pg_trgm: similarity('word', 'wrd') = 0.285714
    expect(trigramSimilarity('abc', 'xyz')).toBe(0);
  });

  it('corrects to the most similar known word, then the most frequent', () => {
    const vocab = [
      { term: 'kitten', docs: 3 },
      { term: 'kitchen', docs: 50 },
      { term: 'mitten', docs: 9 },
      { term: 'yarn', docs: 4 },
    ];
    expect(bestCorrection('kittne', vocab)).toBe('kitten');
    expect(bestCorrection('yarn', vocab)).toBeNull();
    expect(bestCorrection('zebra', vocab)).toBeNull();
    expect(bestCorrection('kitchn', vocab)).toBe('kitchen');
  });
});
