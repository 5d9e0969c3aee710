/**
 * Configuration: read once from the environment at an entry point, validated with zod, then passed down.
 * Nothing else in Reel reads process.env.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().optional(),
  BLOB_DIR: z.string().optional(),
  BLOB_STORE: z.enum(['fs', 's3']).default('fs'),
  S3_BUCKET: z.string().optional(),
  S3_PREFIX: z.string().default(''),
  S3_ENDPOINT: z.string().url().optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_FORCE_PATH_STYLE: bool.default(false),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  UPLOAD_DIR: z.string().optional(),
  /** default: in the blob store when that is S3 (no API process keeps upload state of its own), else local files */
  UPLOAD_STORE: z.enum(['local', 'blob']).optional(),
  WORK_DIR: z.string().optional(),
  MAX_UPLOAD_BYTES: z.coerce.number().int().positive().max(256 * 2 ** 30).default(2 ** 30),
  UPLOAD_QUOTA_DAILY_BYTES: z.coerce.number().int().min(0).default(0),
  UPLOAD_QUOTA_TOTAL_BYTES: z.coerce.number().int().min(0).default(0),
  UPLOADS_PER_HOUR: z.coerce.number().int().min(0).default(50),
  UPLOAD_EXPIRY_HOURS: z.coerce.number().positive().default(24),
  KEEP_SOURCE: bool.default(false),
  WORKER_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(1),
  WORKER_POLL_MS: z.coerce.number().int().min(20).max(60_000).default(250),
  WORKER_EXPRESS_SLOTS: z.coerce.number().int().min(0).max(8).default(1),
  FFMPEG_PATH: z.string().optional(),
  FFPROBE_PATH: z.string().optional(),
  FFMPEG_PREFER_BUNDLED: bool.default(false),
  X264_PRESET: z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  COOKIE_SECURE: bool.default(false),
  TASK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  PIPELINE_PROFILE: z.string().optional(),
  TASK_LEASE_SECONDS: z.coerce.number().min(1).max(3600).default(30),
  PLAYBACK_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  PLAYBACK_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 86400).default(3600),
  RECOMMEND_BUDGET_MS: z.coerce.number().int().min(5).max(10_000).default(150),
  DISCOVERY_CACHE_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  SEARCH_RECONCILE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  EDGE_URLS: z.string().optional(),
  EDGE_PURGE_SECRET: z.string().regex(/^[A-Za-z0-9_-]{32,}$/, 'at least 32 letters, digits, _ or -').optional(),
  EDGE_ACCESS_LOG: z
    .string()
    .min(1)
    .refine((v) => (v.startsWith('udp://') ? /^udp:\/\/(\[[^\]]+\]|[^:/]+):\d{1,5}\/?$/.test(v) : !/\s/.test(v)), 'a file path, or udp://host:port')
    .optional(),
  TLS_CERT_FILE: z.string().optional(),
  TLS_KEY_FILE: z.string().optional(),
  ADMIN_EMAILS: z.string().optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\/.+/, 'a redis:// or rediss:// URL').optional(),
  LOGIN_ATTEMPTS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(10),
  TIERING_POLICY: z.enum(['off', 'cold', 'drop-top']).default('off'),
  TIERING_IDLE_DAYS: z.coerce.number().min(0).max(3650).default(30),
  TIERING_MIN_VIEWS: z.coerce.number().int().min(1).max(1_000_000).default(1),
  TIERING_DROP_RUNGS: z.coerce.number().int().min(1).max(8).default(1),
  TIERING_KEEP_RUNGS: z.coerce.number().int().min(1).max(8).default(2),
  TIERING_RECREATE_AFTER_VIEWS: z.coerce.number().int().min(0).max(1_000_000).default(0),
  TIERING_INTERVAL_MINUTES: z.coerce.number().min(0).max(7 * 24 * 60).default(60),
  COLD_BLOB_DIR: z.string().optional(),
  COLD_S3_BUCKET: z.string().optional(),
  COLD_S3_PREFIX: z.string().default(''),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  blobDir: string;
  /** S3-compatible blob store instead of the folder; null means the filesystem */
  s3: null | { bucket: string; prefix: string; endpoint?: string; region: string; forcePathStyle: boolean; accessKeyId?: string; secretAccessKey?: string };
  uploadDir: string;
  /** where tus uploads in progress live: files in uploadDir (one API process) or the blob store (any process) */
  uploadStore: 'local' | 'blob';
  workDir: string;
  maxUploadBytes: number;
  uploadExpiryMs: number;
  uploadQuotaDailyBytes: number;
  uploadQuotaTotalBytes: number;
  uploadsPerHour: number;
  keepSource: boolean;
  workerConcurrency: number;
  /** how often an idle worker looks for tasks made runnable by another process (PostgreSQL also pushes them) */
  workerPollMs: number;
  /** extra task slots per worker for urgent tasks (inspect, plan, fast start, audio) */
  workerExpressSlots: number;
  ffmpegPath?: string;
  ffprobePath?: string;
  ffmpegPreferBundled: boolean;
  /** overrides the pipeline profile's preset when set */
  x264Preset?: string;
  logLevel: string;
  cookieSecure: boolean;
  taskMaxAttempts: number;
  taskLeaseMs: number;
  pipelineProfile: string;
  /** HMAC secrets for playback tokens (comma-separated in PLAYBACK_SECRET: the first signs, all verify); null = generate once into playbackSecretFile */
  playbackSecrets: string[] | null;
  playbackSecretFile: string;
  /** playback tokens last this long plus the video's duration */
  playbackTokenTtlSec: number;
  /** recommendation candidate sources must answer within this, else they are dropped (popular fills in) */
  recommendBudgetMs: number;
  /** trending and popular lists are recomputed at most this often */
  discoveryCacheMs: number;
  /** the search index is checked against the videos this often (0 = only at start) */
  searchReconcileMs: number;
  /** edges (base URLs reachable from the origin) to purge on delete/visibility change and pre-warm on publish */
  edgeUrls: string[];
  edgePurgeSecret: string | null;
  /** the edges' cache log for /metrics (`reel edge-config --cache-log`): a file to tail, or udp://host:port for syslog */
  edgeAccessLog: string | null;
  /** serve HTTPS with this PEM certificate chain and key; null = plain HTTP (e.g. behind a TLS-terminating edge) */
  tls: { certFile: string; keyFile: string } | null;
  /** accounts (by email) that are site admins: moderation queues, takedown, restore */
  adminEmails: string[];
  /** Redis for rate limits and hot counters shared by API processes; null = in-process */
  redisUrl: string | null;
  /** sign-in attempts per minute, per client address and per email */
  loginAttemptsPerMinute: number;
  /** storage tiering (src/tiering): the policy, and the cold store (a folder, or a bucket on the S3 endpoint of S3_*) */
  tiering: {
    policy: 'off' | 'cold' | 'drop-top';
    idleDays: number;
    minViews: number;
    dropRungs: number;
    keepRungs: number;
    /** drop-top: counted views since the drop before dropped rungs are re-created (0 = the first watch) */
    recreateAfterViews: number;
    /** how often a worker applies the policy; 0 = only `reel tier` */
    intervalMs: number;
    cold: { dir: string } | { s3: NonNullable<Config['s3']> };
  };
}

/** Parse a config from an environment-like record; throws one readable error listing every bad value. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (!e.TLS_CERT_FILE !== !e.TLS_KEY_FILE) throw new Error('invalid configuration:\n  TLS_CERT_FILE, TLS_KEY_FILE: set both or neither');
  if (e.BLOB_STORE === 's3' && !e.S3_BUCKET) throw new Error('invalid configuration:\n  S3_BUCKET: required when BLOB_STORE=s3');
  const dataDir = resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL ?? `sqlite:${resolve(dataDir, 'reel.db')}`,
    blobDir: resolve(e.BLOB_DIR ?? `${dataDir}/blobs`),
    s3:
      e.BLOB_STORE === 's3'
        ? { bucket: e.S3_BUCKET!, prefix: e.S3_PREFIX, endpoint: e.S3_ENDPOINT, region: e.S3_REGION, forcePathStyle: e.S3_FORCE_PATH_STYLE, accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY }
        : null,
    uploadDir: resolve(e.UPLOAD_DIR ?? `${dataDir}/uploads`),
    uploadStore: e.UPLOAD_STORE ?? (e.BLOB_STORE === 's3' ? 'blob' : 'local'),
    workDir: resolve(e.WORK_DIR ?? `${dataDir}/work`),
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    uploadExpiryMs: e.UPLOAD_EXPIRY_HOURS * 3600_000,
    uploadQuotaDailyBytes: e.UPLOAD_QUOTA_DAILY_BYTES,
    uploadQuotaTotalBytes: e.UPLOAD_QUOTA_TOTAL_BYTES,
    uploadsPerHour: e.UPLOADS_PER_HOUR,
    keepSource: e.KEEP_SOURCE,
    workerConcurrency: e.WORKER_CONCURRENCY,
    workerPollMs: e.WORKER_POLL_MS,
    workerExpressSlots: e.WORKER_EXPRESS_SLOTS,
    ffmpegPath: e.FFMPEG_PATH,
    ffprobePath: e.FFPROBE_PATH,
    ffmpegPreferBundled: e.FFMPEG_PREFER_BUNDLED,
    x264Preset: e.X264_PRESET,
    logLevel: e.LOG_LEVEL,
    cookieSecure: e.COOKIE_SECURE,
    taskMaxAttempts: e.TASK_MAX_ATTEMPTS,
    taskLeaseMs: e.TASK_LEASE_SECONDS * 1000,
    pipelineProfile: resolve(e.PIPELINE_PROFILE ?? `${REPO_ROOT}/pipelines/default.json`),
    playbackSecrets: e.PLAYBACK_SECRET ? e.PLAYBACK_SECRET.split(',').map((x) => x.trim()).filter(Boolean) : null,
    playbackSecretFile: resolve(`${dataDir}/playback-secret`),
    playbackTokenTtlSec: e.PLAYBACK_TOKEN_TTL_SECONDS,
    recommendBudgetMs: e.RECOMMEND_BUDGET_MS,
    discoveryCacheMs: e.DISCOVERY_CACHE_SECONDS * 1000,
    searchReconcileMs: e.SEARCH_RECONCILE_SECONDS * 1000,
    redisUrl: e.REDIS_URL ?? null,
    adminEmails: (e.ADMIN_EMAILS ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean),
    tls: e.TLS_CERT_FILE && e.TLS_KEY_FILE ? { certFile: resolve(e.TLS_CERT_FILE), keyFile: resolve(e.TLS_KEY_FILE) } : null,
    edgeUrls: (e.EDGE_URLS ?? '').split(',').map((u) => u.trim().replace(/\/$/, '')).filter(Boolean),
    edgePurgeSecret: e.EDGE_PURGE_SECRET ?? null,
    edgeAccessLog: e.EDGE_ACCESS_LOG ? (e.EDGE_ACCESS_LOG.startsWith('udp://') ? e.EDGE_ACCESS_LOG : resolve(e.EDGE_ACCESS_LOG)) : null,
    loginAttemptsPerMinute: e.LOGIN_ATTEMPTS_PER_MINUTE,
    tiering: {
      policy: e.TIERING_POLICY,
      idleDays: e.TIERING_IDLE_DAYS,
      minViews: e.TIERING_MIN_VIEWS,
      dropRungs: e.TIERING_DROP_RUNGS,
      keepRungs: e.TIERING_KEEP_RUNGS,
      recreateAfterViews: e.TIERING_RECREATE_AFTER_VIEWS,
      intervalMs: e.TIERING_INTERVAL_MINUTES * 60_000,
      cold: e.COLD_S3_BUCKET
        ? { s3: { bucket: e.COLD_S3_BUCKET, prefix: e.COLD_S3_PREFIX, endpoint: e.S3_ENDPOINT, region: e.S3_REGION, forcePathStyle: e.S3_FORCE_PATH_STYLE, accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY } } : { dir: resolve(e.COLD_BLOB_DIR ?? `${dataDir}/cold-blobs`) },
    },
  };
}
