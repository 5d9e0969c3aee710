/**
 * PostgreSQL COPY text format for the view log (pure): one line per row, columns separated by tabs, NULL as
 * \N, and backslash, tab, newline and carriage return escaped inside values, so any text arrives byte for byte.
 */
export type CopyValue = string | number | null;

const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export function copyField(v: CopyValue): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot COPY the number ${v}`);
    return String(v);
  }
  return SPECIAL.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : v;
}

/** Rows as one COPY text payload (every line ends with a newline). */
export function copyText(rows: CopyValue[][]): string {
  let out = '';
  for (const r of rows) {
    for (let i = 0; i < r.length; i++) out += (i ? '\t' : '') + copyField(r[i] as CopyValue);
    out += '\n';
  }
  return out;
}
