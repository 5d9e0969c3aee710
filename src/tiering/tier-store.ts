/** Rows of `rendition_tiers` (migration 0011): where each rendition of a published video lives. */
import type { Db } from '../adapters/db/schema.js';
import type { RenditionKind, RenditionState, Tier } from '../core/tiering.js';

export interface RenditionTiersTable {
  video_id: string;
  rendition: string;
  kind: RenditionKind;
  codec: string | null;
  /** position in its codec ladder, 0 = lowest (video rungs); 0 otherwise */
  rank: number;
  tier: Tier;
  /** bytes the rendition holds (or held, when dropped) */
  bytes: number;
  files: number;
  changed_at: number;
  /** the last time a viewer fetched it from the cold store or got it re-created */
  last_access_at: number | null;
  /** bumped by each re-creation, so its tasks have fresh keys */
  generation: number;
  recreations: number;
  /** what the last re-creation encoded from: "source" or a rung name (a lower-quality input) */
  recreated_from: string | null;
}

declare module '../adapters/db/schema.js' {
  interface Database {
    rendition_tiers: RenditionTiersTable;
  }
}

export type TierRow = RenditionTiersTable;

export function toState(r: TierRow): RenditionState {
  return { name: r.rendition, kind: r.kind, codec: r.codec ?? undefined, rank: Number(r.rank), tier: r.tier, bytes: Number(r.bytes) };
}

export class TierStore {
  constructor(private readonly db: Db) {}

  async forVideo(videoId: string): Promise<TierRow[]> {
    return this.db.selectFrom('rendition_tiers').selectAll().where('video_id', '=', videoId).orderBy('rendition').execute();
  }

  async get(videoId: string, rendition: string): Promise<TierRow | undefined> {
    return this.db.selectFrom('rendition_tiers').selectAll().where('video_id', '=', videoId).where('rendition', '=', rendition).executeTakeFirst();
  }

  async insertMissing(rows: TierRow[]): Promise<void> {
    if (!rows.length) return;
    await this.db.insertInto('rendition_tiers').values(rows).onConflict((oc) => oc.columns(['video_id', 'rendition']).doNothing()).execute();
  }

  /** Change a rendition's tier if it is still in `from`; true when this call made the change. */
  async transition(videoId: string, rendition: string, from: Tier, set: Partial<TierRow> & { tier: Tier }, now: number): Promise<boolean> {
    const res = await this.db
      .updateTable('rendition_tiers')
      .set({ ...set, changed_at: now })
      .where('video_id', '=', videoId)
      .where('rendition', '=', rendition)
      .where('tier', '=', from)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async touch(videoId: string, rendition: string, now: number): Promise<void> {
    await this.db.updateTable('rendition_tiers').set({ last_access_at: now }).where('video_id', '=', videoId).where('rendition', '=', rendition).execute();
  }

  /** Renditions a manifest must not list: dropped or being re-created. */
  async missing(videoId: string): Promise<Array<Pick<TierRow, 'rendition' | 'tier' | 'codec' | 'changed_at'>>> {
    return this.db.selectFrom('rendition_tiers').select(['rendition', 'tier', 'codec', 'changed_at']).where('video_id', '=', videoId).where('tier', 'in', ['dropped', 'restoring']).execute();
  }

  async all(): Promise<TierRow[]> {
    return this.db.selectFrom('rendition_tiers').selectAll().execute();
  }

  async deleteVideo(videoId: string): Promise<void> {
    await this.db.deleteFrom('rendition_tiers').where('video_id', '=', videoId).execute();
  }

  async totals(): Promise<Array<{ tier: Tier; kind: RenditionKind; bytes: number; n: number }>> {
    const rows = await this.db
      .selectFrom('rendition_tiers')
      .select(['tier', 'kind', (eb) => eb.fn.sum<number>('bytes').as('bytes'), (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(['tier', 'kind'])
      .execute();
    return rows.map((r) => ({ tier: r.tier, kind: r.kind, bytes: Number(r.bytes), n: Number(r.n) }));
  }
}
