/**
 * Cross-process worker wake-ups on PostgreSQL: LISTEN on the task channel and call `onWake` for each NOTIFY, so
 * a worker in another process starts a new task within milliseconds instead of at its next poll. Polling stays
 * as the safety net (a lost connection is re-opened after a second; missed notifications only cost latency).
 */
import pg from 'pg';
import type { Logger } from 'pino';

export function listenForTasks(url: string, channel: string, onWake: () => void, log: Pick<Logger, 'warn'>): { close(): Promise<void> } {
  let client: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;

  const open = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString: url });
    c.on('notification', () => onWake());
    c.on('error', (err) => {
      log.warn({ err: err.message }, 'task wake-up connection lost; polling until it is back');
      c.end().catch(() => {});
      if (client === c) client = null;
      if (!closed) retry = setTimeout(() => void open(), 1000);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      if (closed) return void (await c.end());
      client = c;
      onWake(); // anything announced while we were away
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'task wake-ups unavailable; polling');
      c.end().catch(() => {});
      if (!closed) retry = setTimeout(() => void open(), 1000);
    }
  };
  void open();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}
