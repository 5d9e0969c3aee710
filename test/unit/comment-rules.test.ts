import { describe, expect, it } from 'vitest';
import { cleanCommentBody, COMMENT_MAX_CHARS, needsReview } from '../../src/core/comment-text.js';
import { decodeCursor, encodeCursor } from '../../src/core/cursor.js';

describe('comment text', () => {
  it.each([
    ['  hello  ', 'hello'],
    ['a\r\nb\rc', 'a\nb\nc'],
    ['line  \nnext', 'line\nnext'],
    ['a\n\n\n\n\n\nb', 'a\n\n\nb'],
    ['zero\u200Bwidth\u0007bell\u202Eflip', 'zerowidthbellflip'],
    ['<script>alert(1)</script>', '<script>alert(1)</script>'],
    ['e\u0301', '\u00e9'],
    ['', null],
    [' \n\t ', null],
    ['x'.repeat(COMMENT_MAX_CHARS), 'x'.repeat(COMMENT_MAX_CHARS)],
    ['x'.repeat(COMMENT_MAX_CHARS + 1), null],
    ['😀'.repeat(COMMENT_MAX_CHARS), '😀'.repeat(COMMENT_MAX_CHARS)],
  ])('%j -> %j', (raw, clean) => expect(cleanCommentBody(raw)).toBe(clean));

  it.each([
    ['nice video', false, false],
    ['see https://spam.example now', false, true],
    ['visit www.example.org', false, true],
    ['cheap at pills.xyz', false, true],
    ['my shop https://shop.example', true, false],
    ['version 1.2 is out', false, false],
  ])('%s (owner %s) held for review: %s', (body, owner, held) => expect(needsReview(body, owner)).toBe(held));
});

describe('cursors', () => {
  it('round-trip and refuse anything else with a 400', () => {
    const c = encodeCursor([3, 1700000000000, 'abc']);
    expect(decodeCursor(c, ['n', 'n', 's'])).toEqual([3, 1700000000000, 'abc']);
    for (const bad of ['', 'garbage', encodeCursor([1]), encodeCursor(['1', 2, 'x']), Buffer.from('{"a":1}').toString('base64url')]) {
      expect(() => decodeCursor(bad, ['n', 'n', 's'])).toThrow(expect.objectContaining({ code: 'invalid_cursor', statusCode: 400 }));
    }
  });
});
