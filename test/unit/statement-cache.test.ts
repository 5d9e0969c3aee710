import { describe, expect, it } from 'vitest';
import SQLite from 'better-sqlite3';
import { withStatementCache } from '../../src/adapters/db/statement-cache.js';

describe('SQLite statement cache', () => {
  it('reuses a statement for the same SQL, gives a fresh one while it is busy, and keeps the database usable', () => {
    const db = withStatementCache(new SQLite(':memory:'), 2);
    db.exec('create table t (x integer)');
    const ins = db.prepare('insert into t (x) values (?)');
    for (let i = 0; i < 5; i++) db.prepare('insert into t (x) values (?)').run(i);
    expect(db.prepare('insert into t (x) values (?)')).toBe(ins);
    const sel = db.prepare('select x from t order by x');
    const it = sel.iterate() as IterableIterator<{ x: number }>;
    expect(it.next().value).toEqual({ x: 0 });
    // the cached statement is iterating: a second user gets its own
    const other = db.prepare('select x from t order by x');
    expect(other).not.toBe(sel);
    expect(other.all()).toHaveLength(5);
    it.return?.();
    // past the bound, the least recently used statement is forgotten
    db.prepare('select 1');
    db.prepare('select 2');
    expect(db.prepare('insert into t (x) values (?)')).not.toBe(ins);
    expect(db.prepare('select count(*) as n from t').get()).toEqual({ n: 5 });
    db.close();
  });
});
