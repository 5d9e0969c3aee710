/** Opaque pagination cursors (pure): the sort key values of the last item, base64url JSON. */
import { AppError } from './errors.js';

export type CursorValue = string | number;

export function encodeCursor(values: CursorValue[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** Decodes a cursor made by encodeCursor with `shape` ('s' string, 'n' number per position); 400 otherwise. */
export function decodeCursor(cursor: string, shape: Array<'s' | 'n'>): CursorValue[] {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    v = null;
  }
  const ok =
    Array.isArray(v) &&
    v.length === shape.length &&
    v.every((x, i) => (shape[i] === 'n' ? typeof x === 'number' && Number.isFinite(x) : typeof x === 'string' && x.length <= 100));
  if (!ok) throw new AppError('invalid_cursor', 'The cursor is not valid for this listing; start again without it', 400);
  return v as CursorValue[];
}
