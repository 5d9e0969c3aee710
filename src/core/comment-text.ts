/**
 * Comment text rules (pure). Comments are plain text: stored as typed (after clean-up) and returned as JSON
 * strings, never interpreted as HTML; clients render them as text.
 */
export const COMMENT_MAX_CHARS = 5000;

/**
 * Normalises a comment: unicode NFC, CRLF -> LF, control characters other than newline and tab removed,
 * trailing spaces on lines trimmed, at most two consecutive blank lines, whole text trimmed.
 * Returns null when nothing is left or it is longer than COMMENT_MAX_CHARS characters.
 */
export function cleanCommentBody(raw: string): string | null {
  const text = raw
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F\u200B\u202A-\u202E\u2066-\u2069]/g, '')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{4,}/g, '\n\n\n')
    .trim();
  if (!text || [...text].length > COMMENT_MAX_CHARS) return null;
  return text;
}

/** Links from anyone but the channel owner hold a comment for review (the classic spam rule). */
export function needsReview(body: string, byChannelOwner: boolean): boolean {
  if (byChannelOwner) return false;
  return /(https?:\/\/|www\.)\S/i.test(body) || /\b[a-z0-9-]+\.(com|net|org|io|ru|xyz|top|info|biz)\b/i.test(body);
}
