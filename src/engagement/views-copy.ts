/**
 * `COPY … FROM STDIN` on the connection of a Kysely transaction (PostgreSQL only), for the view log's fast path.
 *
 * Kysely has no COPY and does not hand out its pg client, but its PostgreSQL connection passes the query's text
 * straight to `client.query(text, params)`, and pg accepts a "submittable" object there (what pg-copy-streams
 * is). So the COPY stream goes in place of the text, made awaitable: Kysely awaits it like a query result, on
 * the transaction's own connection, between the statements before and after it. Used by ViewStore only; the
 * PostgreSQL tests exercise it on every run.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import { from as copyFrom } from 'pg-copy-streams';

/** Streams `payload` (COPY text format) into `copySql` (`copy t (cols) from stdin`); resolves with the rows copied. */
export async function copyIn(tx: Kysely<any>, copySql: string, payload: string): Promise<number> {
  const stream = copyFrom(copySql);
  const done = new Promise<{ command: string; rowCount: number; rows: never[] }>((resolve, reject) => {
    stream.on('finish', () => resolve({ command: 'COPY', rowCount: stream.rowCount, rows: [] }));
    stream.on('error', reject);
  });
  // the stream holds the data until the server asks for it
  stream.end(payload);
  const submittable = Object.assign(stream, { then: done.then.bind(done) });
  const query = { ...CompiledQuery.raw('copy'), sql: submittable as unknown as string };
  await tx.executeQuery(query);
  return (await done).rowCount;
}
