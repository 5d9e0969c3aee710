/**
 * Site settings an admin changes at runtime (the admin console): upload size limit, upload quotas and rates,
 * comments per minute, and the ladder new uploads get. Stored in the database (table site_settings, one JSON
 * value per key); a key without a row has its default from the configuration (env). Readers (upload policy,
 * tus server, comments, pipeline start) ask `get()` on every new request: the value is cached for a few seconds,
 * so another API process sees a change within `cacheMs`, and this process at once. (Sign-in attempts too.)
 */
import { z } from 'zod';
import type { Db } from '../adapters/db/schema.js';
import { H264_LADDER } from '../core/ladder.js';

export interface SiteSettingsTable {
  key: string;
  /** JSON */
  value: string;
  updated_at: number;
  /** the admin's channel handle */
  updated_by: string | null;
}

declare module '../adapters/db/schema.js' {
  interface Database {
    site_settings: SiteSettingsTable;
  }
}

export const RUNG_NAMES = H264_LADDER.map((r) => r.name) as [string, ...string[]];
const MAX_UPLOAD = 256 * 2 ** 30;

/** Every setting with its bounds. 0 means "no limit" where the description says so. */
export const SettingsSchema = z.object({
  /** largest file one upload may be (bytes) */
  maxUploadBytes: z.number().int().min(1).max(MAX_UPLOAD),
  /** bytes one account may upload per 24 hours (0 = no limit) */
  uploadQuotaDailyBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** bytes one account may have uploaded in total (0 = no limit) */
  uploadQuotaTotalBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** uploads one channel may start per hour (0 = no limit) */
  uploadsPerHour: z.number().int().min(0).max(1_000_000_000),
  /** comments one account may post per minute */
  commentsPerMinute: z.number().int().min(1).max(10_000),
  /** sign-in attempts per minute, per client address and per email */
  loginAttemptsPerMinute: z.number().int().min(1).max(10_000),
  /** the highest rendition new uploads get (the ladder is never above the source anyway) */
  ladderMaxRung: z.enum(RUNG_NAMES),
});
export type Settings = z.infer<typeof SettingsSchema>;
export type SettingKey = keyof Settings;
export const SETTING_KEYS = Object.keys(SettingsSchema.shape) as SettingKey[];

/** A change: a new value per key, or null to go back to the default. */
export const SettingsPatchSchema = z
  .object(Object.fromEntries(SETTING_KEYS.map((k) => [k, SettingsSchema.shape[k].nullable().optional()])) as { [K in SettingKey]: z.ZodOptional<z.ZodNullable<(typeof SettingsSchema.shape)[K]>> })
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'name at least one setting');
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

export interface SettingsView {
  settings: Settings;
  defaults: Settings;
  /** keys set in the database (the others are defaults) */
  overridden: SettingKey[];
  updatedAt: string | null;
  updatedBy: string | null;
}

export class SiteSettings {
  private cached: { at: number; value: Settings } | null = null;
  private loading: Promise<Settings> | null = null;
  /** bumped by every reload, so a read that started before a change never caches what it read */
  private generation = 0;

  constructor(
    private readonly db: Db,
    /** from the validated configuration (not re-checked against the admin form's bounds) */
    readonly defaults: Settings,
    private readonly opts: { cacheMs?: number; now?: () => number } = {},
  ) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** The settings in effect (cached for `cacheMs`, 5 s by default). */
  async get(): Promise<Settings> {
    const c = this.cached;
    if (c && this.now() - c.at < (this.opts.cacheMs ?? 5000)) return c.value;
    this.loading ??= this.load().finally(() => (this.loading = null));
    return this.loading;
  }

  private async load(): Promise<Settings> {
    const generation = this.generation;
    const rows = await this.db.selectFrom('site_settings').select(['key', 'value']).execute();
    const value = { ...this.defaults };
    for (const r of rows) {
      if (!(SETTING_KEYS as string[]).includes(r.key)) continue;
      const key = r.key as SettingKey;
      // a stored value that no longer fits the schema (an older version's bounds) falls back to the default
      const parsed = SettingsSchema.shape[key].safeParse(JSON.parse(r.value));
      if (parsed.success) (value as Record<string, unknown>)[key] = parsed.data;
    }
    if (generation === this.generation) this.cached = { at: this.now(), value };
    return value;
  }

  async view(): Promise<SettingsView> {
    const settings = await this.reload();
    const rows = await this.db.selectFrom('site_settings').select(['key', 'updated_at', 'updated_by']).orderBy('updated_at', 'desc').execute();
    const known = rows.filter((r) => (SETTING_KEYS as string[]).includes(r.key));
    return {
      settings,
      defaults: { ...this.defaults },
      overridden: known.map((r) => r.key as SettingKey),
      updatedAt: known[0] ? new Date(Number(known[0].updated_at)).toISOString() : null,
      updatedBy: known[0]?.updated_by ?? null,
    };
  }

  /** Apply a validated patch; null resets a key to its default. Returns the keys that changed. */
  async update(patch: SettingsPatch, by: string | null): Promise<Partial<Record<SettingKey, { from: unknown; to: unknown }>>> {
    const before = await this.reload();
    const at = this.now();
    const changes: Partial<Record<SettingKey, { from: unknown; to: unknown }>> = {};
    await this.db.transaction().execute(async (tx) => {
      for (const key of SETTING_KEYS) {
        const v = patch[key];
        if (v === undefined) continue;
        if (v === null) {
          await tx.deleteFrom('site_settings').where('key', '=', key).execute();
        } else {
          const value = JSON.stringify(v);
          await tx
            .insertInto('site_settings')
            .values({ key, value, updated_at: at, updated_by: by })
            .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: at, updated_by: by }))
            .execute();
        }
        const to = v === null ? this.defaults[key] : v;
        if (to !== before[key]) changes[key] = { from: before[key], to };
      }
    });
    await this.reload();
    return changes;
  }

  /** Drop the cache and read the database now. */
  async reload(): Promise<Settings> {
    this.generation++;
    this.cached = null;
    this.loading = null;
    return this.get();
  }
}
