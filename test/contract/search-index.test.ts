/**
 * The search index contract, run against every adapter: SQLite FTS5 and PostgreSQL full text. Field weights,
 * web-search syntax, accents, stemming, filters, replace/remove, typo correction, title autocomplete, query log.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../../src/adapters/db/connect.js';
import { SqliteSearchIndex } from '../../src/adapters/search/sqlite-search-index.js';
import { PostgresSearchIndex } from '../../src/adapters/search/postgres-search-index.js';
import type { SearchDocument, SearchIndex } from '../../src/ports/search-index.js';
import { dbKinds, freshDatabaseUrl } from '../support/platform.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

function doc(id: string, fields: Partial<SearchDocument>): SearchDocument {
  return { videoId: id, channelId: 'ch-a', title: '', description: '', tags: [], channelName: 'Channel A', captions: '', durationSec: 60, publishedAt: T0, ...fields };
}

const ids = (r: { hits: Array<{ videoId: string }> }) => r.hits.map((h) => h.videoId);

for (const kind of dbKinds()) {
  describe(`SearchIndex contract: ${kind === 'sqlite' ? 'SQLite FTS5' : 'PostgreSQL full text'}`, () => {
    let handle: DatabaseHandle;
    let drop: () => Promise<void>;
    let index: SearchIndex;

    beforeAll(async () => {
      const db = await freshDatabaseUrl(kind, mkdtempSync(join(tmpdir(), 'reel-search-')));
      drop = db.drop;
      handle = await openDatabase(db.url);
      index = kind === 'sqlite' ? new SqliteSearchIndex(handle.db) : new PostgresSearchIndex(handle.db);
    });
    afterAll(async () => {
      await handle.close();
      await drop();
    });
    beforeEach(async () => {
      await sql`delete from search_documents`.execute(handle.db);
      await sql`delete from search_queries`.execute(handle.db);
    });

    it('weights the title above tags, tags above the description, the description above captions', async () => {
      await index.upsert([
        doc('captions', { title: 'Evening news', captions: 'today we bake sourdough bread' }),
        doc('desc', { title: 'Kitchen diary', description: 'A long day of baking sourdough at home' }),
        doc('title', { title: 'Sourdough for beginners', description: 'Flour, water, salt' }),
        doc('tags', { title: 'Weekend vlog', tags: ['sourdough', 'vlog'] }),
        doc('other', { title: 'Mountain biking', description: 'Trails and jumps' }),
      ]);
      expect(ids(await index.search('sourdough', {}, 10))).toEqual(['title', 'tags', 'desc', 'captions']);
      const r = await index.search('sourdough', {}, 10);
      expect(r.hits[0].relevance).toBeGreaterThan(r.hits[1].relevance);
      expect(r.correctedQuery).toBeNull();
    });

    it('searches the channel name and caption text', async () => {
      await index.upsert([doc('a', { title: 'Episode one', channelName: 'Orbital Mechanics Club' }), doc('b', { title: 'Episode two', captions: 'the perihelion passage' })]);
      expect(ids(await index.search('orbital', {}, 10))).toEqual(['a']);
      expect(ids(await index.search('perihelion', {}, 10))).toEqual(['b']);
    });

    it('reads web-search syntax: all words, "phrases", -exclusions, OR', async () => {
      await index.upsert([
        doc('rr', { title: 'Red rocket launch' }),
        doc('br', { title: 'Blue rocket', description: 'a red herring' }),
        doc('rc', { title: 'Red car' }),
      ]);
      expect(ids(await index.search('red rocket', {}, 10)).sort()).toEqual(['br', 'rr']);
      expect(ids(await index.search('"red rocket"', {}, 10))).toEqual(['rr']);
      expect(ids(await index.search('rocket -blue', {}, 10))).toEqual(['rr']);
      expect(ids(await index.search('car or launch', {}, 10)).sort()).toEqual(['rc', 'rr']);
      expect(ids(await index.search('-rocket', {}, 10))).toEqual([]);
      expect(ids(await index.search('   ', {}, 10))).toEqual([]);
      expect(ids(await index.search('"unbalanced quote', {}, 10))).toEqual([]);
    });

    it('ignores accents and case, and matches word forms (stemming)', async () => {
      await index.upsert([doc('cafe', { title: 'Le Café de Flore' }), doc('runs', { title: 'Running in the rain' })]);
      expect(ids(await index.search('cafe', {}, 10))).toEqual(['cafe']);
      expect(ids(await index.search('CAFÉ', {}, 10))).toEqual(['cafe']);
      expect(ids(await index.search('runs', {}, 10))).toEqual(['runs']);
    });

    it('filters by channel, duration and upload date', async () => {
      await index.upsert([
        doc('short-old', { title: 'Guitar lesson', durationSec: 90, publishedAt: T0 - 30 * DAY }),
        doc('long-new', { title: 'Guitar lesson full', durationSec: 3600, publishedAt: T0 }),
        doc('mid-b', { title: 'Guitar solo', durationSec: 600, publishedAt: T0 - DAY, channelId: 'ch-b', channelName: 'B' }),
      ]);
      expect(ids(await index.search('guitar', { channelId: 'ch-b' }, 10))).toEqual(['mid-b']);
      expect(ids(await index.search('guitar', { maxDurationSec: 240 }, 10))).toEqual(['short-old']);
      expect(ids(await index.search('guitar', { minDurationSec: 1200 }, 10))).toEqual(['long-new']);
      expect(ids(await index.search('guitar', { publishedAfter: T0 - 7 * DAY }, 10)).sort()).toEqual(['long-new', 'mid-b']);
      expect(ids(await index.search('guitar', { publishedBefore: T0 - 7 * DAY }, 10))).toEqual(['short-old']);
    });

    it('replaces a document on upsert and forgets a removed one', async () => {
      await index.upsert([doc('v', { title: 'Original title' })]);
      await index.upsert([doc('v', { title: 'Renamed video', tags: ['fresh'] })]);
      expect(ids(await index.search('original', {}, 10))).toEqual([]);
      expect(ids(await index.search('renamed fresh', {}, 10))).toEqual(['v']);
      expect([...(await index.has(['v', 'x']))]).toEqual(['v']);
      await index.remove(['v']);
      expect(ids(await index.search('renamed', {}, 10))).toEqual([]);
      expect(await index.allIds()).toEqual([]);
      await index.remove(['never-indexed']);
    });

    it('matches the title, tags and channel name only when asked (similar videos)', async () => {
      await index.upsert([
        doc('t', { title: 'Harbor seals' }),
        doc('g', { title: 'Coast walk', tags: ['harbor'] }),
        doc('d', { title: 'Boats', description: 'a harbor at dawn' }),
        doc('s', { title: 'Seals', description: 'a harbor' }),
      ]);
      expect(ids(await index.search('harbor', {}, 10, { titleAndTags: true })).sort()).toEqual(['g', 't']);
      expect(ids(await index.search('harbor or boats', {}, 10, { titleAndTags: true })).sort()).toEqual(['d', 'g', 't']);
      expect(ids(await index.search('harbor seals', {}, 10, { titleAndTags: true }))).toEqual(['t']);
      expect(ids(await index.search('harbor', {}, 10)).sort()).toEqual(['d', 'g', 's', 't']);
      // ranked in tiers: with a small limit the title and tag matches come first
      expect(ids(await index.search('harbor', {}, 2)).sort()).toEqual(['g', 't']);
      expect(ids(await index.search('harbor -boats', {}, 10)).sort()).toEqual(['g', 's', 't']);
    });

    it('respects the limit', async () => {
      await index.upsert(Array.from({ length: 30 }, (_, i) => doc(`v${i}`, { title: `Tutorial part ${i}` })));
      expect((await index.search('tutorial', {}, 7)).hits).toHaveLength(7);
    });

    it('corrects a misspelt word when the query finds nothing as typed', async () => {
      await index.upsert([doc('k', { title: 'Kitten playing with yarn' }), doc('d', { title: 'Dog agility training' })]);
      const r = await index.search('kittne yarn', {}, 10);
      expect(ids(r)).toEqual(['k']);
      expect(r.correctedQuery).toBe('kitten yarn');
      expect(ids(await index.search('qzxv', {}, 10))).toEqual([]);
    });

    it('corrects against the titles as they are now: edited and removed titles', async () => {
      await index.upsert([doc('k', { title: 'Kitten playing with yarn' }), doc('d', { title: 'Dog agility training' })]);
      await index.upsert([doc('k', { title: 'Parrot playing with yarn' })]);
      expect((await index.search('kittne', {}, 10)).correctedQuery).toBeNull();
      expect((await index.search('parrto', {}, 10)).correctedQuery).toBe('parrot');
      await index.remove(['d']);
      expect((await index.search('agiltiy', {}, 10)).correctedQuery).toBeNull();
      await index.upsert([doc('d2', { title: 'Agility for puppies' })]);
      const r = await index.search('agiltiy', {}, 10);
      expect(r.correctedQuery).toBe('agility');
      expect(ids(r)).toEqual(['d2']);
    });

    it('suggests titles from two typed characters, whole words before the last', async () => {
      await index.upsert([doc('a', { title: 'Piano basics' }), doc('b', { title: 'Pianist interview' }), doc('c', { title: 'Guitar basics' }), doc('d', { title: 'Über piano' })]);
      expect((await index.suggestTitles('pi', 10)).map((s) => s.videoId).sort()).toEqual(['a', 'b', 'd']);
      expect((await index.suggestTitles('piano ba', 10)).map((s) => s.title)).toEqual(['Piano basics']);
      expect((await index.suggestTitles('uber', 10)).map((s) => s.videoId)).toEqual(['d']);
      expect(await index.suggestTitles('  ', 10)).toEqual([]);
    });

    it('counts queries and returns popular ones by prefix', async () => {
      for (const q of ['piano lessons', 'piano lessons', 'piano lessons', 'pianist', 'pianist', 'pizza', 'piano_x'])
        await index.recordQuery(q, T0);
      expect(await index.popularQueries('pi', 10, 2)).toEqual([
        { query: 'piano lessons', count: 3 },
        { query: 'pianist', count: 2 },
      ]);
      expect((await index.popularQueries('piano_', 10, 1)).map((q) => q.query)).toEqual(['piano_x']);
      expect(await index.popularQueries('zz', 10, 1)).toEqual([]);
      // several searches counted in one write
      await index.recordQuery('pizza', T0 + 1, 4);
      expect(await index.popularQueries('piz', 10, 2)).toEqual([{ query: 'pizza', count: 5 }]);
    });
  });
}
