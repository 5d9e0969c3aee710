/** Exponential backoff for retried tasks: base * 2^(attempt-1), capped. Pure and deterministic. */
export function backoffMs(attempt: number, baseMs = 2000, capMs = 5 * 60_000): number {
  if (attempt < 1) return 0;
  return Math.min(capMs, baseMs * 2 ** (attempt - 1));
}
