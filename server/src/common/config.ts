import { availableParallelism } from 'node:os';
import path from 'node:path';

/** Which proxies may name the client in `X-Forwarded-For`: none, all, the nearest N hops, or these addresses/CIDRs. */
export type TrustProxy = boolean | number | string[];

/** Everything the server reads from the environment, with the defaults that `npm start` relies on. */
export interface Config {
  /** PORT, default 9400: API, WebSocket and console on one port. */
  port: number;
  /**
   * WORKERS, default 1: server processes sharing the port (Node's cluster), one per core to use them all;
   * `auto` is the number of cores this process may use. The container image sets `auto`.
   */
  workers: number;
  /** HOST, default 127.0.0.1 (demo logins must not face a network); set 0.0.0.0 in containers. */
  host: string;
  /** DATABASE_URL; when absent the server runs an embedded PostgreSQL in `dataDir` (demo mode). */
  databaseUrl?: string;
  /** DATA_DIR, default `.data`: embedded PostgreSQL cluster and the demo token secret. */
  dataDir: string;
  /** DEMO, default true exactly when DATABASE_URL is absent: seeds demo crews, reports, users and keys once. */
  demo: boolean;
  /** TOKEN_TTL_HOURS, default 12 (one shift). */
  tokenTtlHours: number;
  /** MAX_BODY_BYTES, default 1 MiB: larger requests get HTTP 413. */
  maxBodyBytes: number;
  /** MAX_QUERY_DEPTH, default 12. */
  maxQueryDepth: number;
  /** MAX_QUERY_COST, default 20000 (a list field multiplies its children's cost by its `first`). */
  maxQueryCost: number;
  /**
   * MAX_QUERY_TOKENS, default 500 (the console's largest operation has 118): longer documents are refused while
   * parsing (GRAPHQL_PARSE_FAILED). It also bounds graphql-js's own validation, which is quadratic in repeated fields.
   */
  maxQueryTokens: number;
  /** MAX_QUERY_ALIASES, default 30 (the console uses none): aliased fields per document. */
  maxQueryAliases: number;
  /** MAX_QUERY_DIRECTIVES, default 20 (the console uses one): directives per document. */
  maxQueryDirectives: number;
  /** MAX_OPERATIONS, default 10 (the console sends one): operations per document. */
  maxOperations: number;
  /**
   * INTROSPECTION, default true exactly in demo mode: whether the schema may be introspected and errors may
   * suggest field names ("Did you mean …"), over HTTP and the WebSocket alike. Set it for integrators who need it.
   */
  introspection: boolean;
  /** EVENT_RETENTION_DAYS, default 7: older dispatch events are pruned and their cursors expire. */
  eventRetentionDays: number;
  /** EVENT_POLL_MS, default 250: the backstop poll for lost notifications. */
  eventPollMs: number;
  /** OVERDUE_CHECK_MS, default 15000: how often open reports are checked for passing their target. */
  overdueCheckMs: number;
  /** WS_MAX_BUFFERED_BYTES, default 1 MiB: a socket with more unsent data is closed as a slow consumer (code 4600). */
  wsMaxBufferedBytes: number;
  /** WS_MAX_SUBSCRIPTIONS, default 50: operations one socket may have open at once; the next is refused with RATE_LIMITED. */
  wsMaxSubscriptions: number;
  /**
   * WS_MAX_SUBSCRIPTION_GROUPS, default 200: distinct subscriptions (document and variables but `after`) one process
   * serves per audience (staff, integrators, each crew). The fan-out executes an event once per distinct subscription
   * that may see it, so this bounds the work per event; a new distinct one past it is refused with RATE_LIMITED.
   */
  wsMaxSubscriptionGroups: number;
  /** WS_RECHECK_MS, default 5000: how often open sockets' credentials are re-checked in the database, a backstop for the revocation announcements. */
  wsRecheckMs: number;
  /** LOGIN_MAX_FAILURES, default 10: failed sign-ins per (user name, client address) per window; more answer RATE_LIMITED. */
  loginMaxFailures: number;
  /** LOGIN_MAX_FAILURES_PER_ADDRESS, default 100: failed sign-ins per client address per window, whatever the names. */
  loginMaxFailuresPerAddress: number;
  /** LOGIN_WINDOW_SECONDS, default 300: the sign-in throttling window. */
  loginWindowSeconds: number;
  /**
   * TRUST_PROXY, default off: the client address is the TCP peer's. `true` trusts every `X-Forwarded-For` hop, a
   * number N the nearest N hops, and a comma-separated list of addresses/CIDRs (or loopback, linklocal, uniquelocal)
   * only those proxies. Sign-in throttling counts per client address, so set it exactly when a proxy is in front.
   */
  trustProxy: TrustProxy;
  /**
   * READ_STATEMENT_TIMEOUT_MS, default 5000 (0: none): how long a report list or text search may take, waiting for a
   * search slot included; past it the read is cancelled in PostgreSQL and answers TIMEOUT.
   */
  readStatementTimeoutMs: number;
  /**
   * SEARCH_CONCURRENCY, default 3: text searches running at once per process (the rest queue), so searches never hold
   * more than these of the 10 pooled connections and intake and dispatch keep the others.
   */
  searchConcurrency: number;
  /** LOG_LEVEL, default info. */
  logLevel: string;
  /** MAP_TILE_URL, default none: an XYZ tile template for the console's maps; without it they draw on a plain background. */
  mapTileUrl: string | null;
  /**
   * HSTS_MAX_AGE, default 0 (off): seconds of `Strict-Transport-Security`, plus the CSP's `upgrade-insecure-requests`.
   * Set it only when every client reaches the server over HTTPS (TLS at a proxy in front of it); on plain HTTP it would lock browsers out.
   */
  hstsMaxAge: number;
  /** CONSOLE_DIR, default console/dist: the built console served at `/` when present. */
  consoleDir: string;
  /** Photos and voice notes: limits, where they are stored, and how long their links live. */
  media: MediaConfig;
  /** The satisfaction center's follow-up calls (issue 12). */
  followUp: FollowUpConfig;
  /** Who has a report open now (issue 13). */
  presence: PresenceConfig;
  /** Which reports are suggested as duplicates of each other, where a category sets no rule of its own (issue 13). */
  duplicates: DuplicatesConfig;
}

/**
 * The default duplicate rule: two reports of one category within `radiusM` metres and `windowHours` hours of
 * each other (either order) are suggested as possible duplicates. A category's `duplicate_radius_m` and
 * `duplicate_window_hours` override these.
 */
export interface DuplicatesConfig {
  /** DUPLICATE_RADIUS_M, default 150: a billboard or a flooded street seen from across the road. */
  radiusM: number;
  /** DUPLICATE_WINDOW_HOURS, default 72: a problem left standing is reported again over days. */
  windowHours: number;
}

/** How long a report page's presence outlives its server process, and how many pages one person may announce. */
export interface PresenceConfig {
  /**
   * PRESENCE_TTL_MS, default 30000: a presence row expires this long after its process last refreshed it (every third
   * of it). A closed page or dropped socket ends its presence at once; this bounds how long a crashed process's pages linger.
   */
  ttlMs: number;
  /** PRESENCE_MAX_REPORTS, default 10: reports one person may have open at once, over every tab and replica; the next is RATE_LIMITED. */
  maxReports: number;
}

/** When and how often the satisfaction center calls reporters back after resolution. */
export interface FollowUpConfig {
  /** FOLLOWUP_DELAY_HOURS, default 2: how long after resolution a follow-up becomes due. */
  delayHours: number;
  /** FOLLOWUP_CALL_HOURS, default 09:00-21:00 (Asia/Riyadh): when calls may start. */
  callHours: string;
  /** FOLLOWUP_CLOSED_WEEKDAYS, default 5 (Friday; 0 = Sunday): comma-separated days without calls, empty for none. */
  closedWeekdays: number[];
  /** FOLLOWUP_MAX_ATTEMPTS, default 3: unanswered calls before the follow-up is UNREACHABLE and the report closed. */
  maxAttempts: number;
  /** FOLLOWUP_RETRY_HOURS, default 2: the least time between two calls (and never twice on one calling day). */
  retryHours: number;
  /** FOLLOWUP_CLAIM_MINUTES, default 15: how long a claimed follow-up stays with its agent. */
  claimMinutes: number;
}

function weekdays(raw: string | undefined): number[] {
  if (raw === undefined) return [5];
  const days = raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map(Number);
  if (days.some((day) => !Number.isInteger(day) || day < 0 || day > 6)) throw new Error(`FOLLOWUP_CLOSED_WEEKDAYS must list days 0 (Sunday) to 6, got "${raw}"`);
  return days;
}

/** The media settings (issue 11); every limit is checked while the upload streams, before anything is kept. */
export interface MediaConfig {
  /** MEDIA_PHOTO_MAX_BYTES, default 10 MiB. */
  photoMaxBytes: number;
  /** MEDIA_VOICE_MAX_BYTES, default 5 MiB. */
  voiceMaxBytes: number;
  /** MEDIA_VOICE_MAX_SECONDS, default 180. */
  voiceMaxSeconds: number;
  /** MEDIA_PHOTO_MAX_PIXELS, default 40,000,000: a photo with more pixels is refused before it is decoded (a decompression bomb). */
  photoMaxPixels: number;
  /** MEDIA_MAX_PHOTOS_PER_REPORT, default 6 (the crew's after-photos count apart, under the same limit per assignment). */
  maxPhotosPerReport: number;
  /** MEDIA_MAX_VOICE_PER_REPORT, default 1. */
  maxVoicePerReport: number;
  /** MEDIA_UNATTACHED_HOURS, default 24: media never attached is deleted after this. */
  unattachedHours: number;
  /** MEDIA_URL_TTL_SECONDS, default 900: how long a signed media link in GraphQL works. */
  urlTtlSeconds: number;
  /**
   * MEDIA_URL_SECRET, default none: the key that signs media links. Without it the server keeps a random one in the
   * database (created once), so every replica on that database signs and checks alike.
   */
  urlSecret: string | null;
  /** MEDIA_STORAGE, default `disk`: `disk` (DATA_DIR/media) or `s3` (several replicas). */
  storage: 'disk' | 's3';
  /** DATA_DIR/media: the disk store's root (content-addressed files, and `tmp/` for uploads in flight). */
  dir: string;
  /** MEDIA_S3_ENDPOINT, MEDIA_S3_REGION (default us-east-1), MEDIA_S3_BUCKET, MEDIA_S3_ACCESS_KEY_ID, MEDIA_S3_SECRET_ACCESS_KEY, MEDIA_S3_FORCE_PATH_STYLE (default true). */
  s3: { endpoint: string | null; region: string; bucket: string | null; accessKeyId: string | null; secretAccessKey: string | null; forcePathStyle: boolean };
}

function mediaStorage(raw: string | undefined): 'disk' | 's3' {
  if (raw === undefined || raw === '' || raw === 'disk') return 'disk';
  if (raw === 's3') return 's3';
  throw new Error(`MEDIA_STORAGE must be disk or s3, got "${raw}"`);
}

function trustProxy(raw: string | undefined): TrustProxy {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
}

/** WORKERS: a whole number from 1 to 64, or `auto` for the cores available to this process. */
function workers(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 1;
  if (raw === 'auto') return Math.min(64, availableParallelism());
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 64) throw new Error(`WORKERS must be a whole number from 1 to 64, or auto; got "${raw}"`);
  return value;
}

/** A boolean setting: true or 1 turn it on, anything else set turns it off, unset or empty leaves `fallback`. */
function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  return raw === 'true' || raw === '1';
}

/** Reads the configuration; throws on a malformed value rather than guessing. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL || undefined;
  const demoDefault = databaseUrl === undefined;
  const demo = flag(env, 'DEMO', demoDefault);
  return {
    port: int(env, 'PORT', 9400),
    workers: workers(env.WORKERS),
    host: env.HOST || '127.0.0.1',
    databaseUrl,
    dataDir: path.resolve(env.DATA_DIR || '.data'),
    demo,
    tokenTtlHours: int(env, 'TOKEN_TTL_HOURS', 12),
    maxBodyBytes: int(env, 'MAX_BODY_BYTES', 1024 * 1024),
    maxQueryDepth: int(env, 'MAX_QUERY_DEPTH', 12),
    maxQueryCost: int(env, 'MAX_QUERY_COST', 20000),
    maxQueryTokens: int(env, 'MAX_QUERY_TOKENS', 500),
    maxQueryAliases: int(env, 'MAX_QUERY_ALIASES', 30),
    maxQueryDirectives: int(env, 'MAX_QUERY_DIRECTIVES', 20),
    maxOperations: int(env, 'MAX_OPERATIONS', 10),
    introspection: flag(env, 'INTROSPECTION', demo),
    eventRetentionDays: int(env, 'EVENT_RETENTION_DAYS', 7),
    eventPollMs: int(env, 'EVENT_POLL_MS', 250),
    overdueCheckMs: int(env, 'OVERDUE_CHECK_MS', 15_000),
    wsMaxBufferedBytes: int(env, 'WS_MAX_BUFFERED_BYTES', 1024 * 1024),
    wsMaxSubscriptions: int(env, 'WS_MAX_SUBSCRIPTIONS', 50),
    wsMaxSubscriptionGroups: int(env, 'WS_MAX_SUBSCRIPTION_GROUPS', 200),
    wsRecheckMs: int(env, 'WS_RECHECK_MS', 5_000),
    loginMaxFailures: int(env, 'LOGIN_MAX_FAILURES', 10),
    loginMaxFailuresPerAddress: int(env, 'LOGIN_MAX_FAILURES_PER_ADDRESS', 100),
    loginWindowSeconds: int(env, 'LOGIN_WINDOW_SECONDS', 300),
    trustProxy: trustProxy(env.TRUST_PROXY),
    readStatementTimeoutMs: int(env, 'READ_STATEMENT_TIMEOUT_MS', 5_000),
    searchConcurrency: Math.max(1, int(env, 'SEARCH_CONCURRENCY', 3)),
    logLevel: env.LOG_LEVEL || 'info',
    mapTileUrl: env.MAP_TILE_URL || null,
    hstsMaxAge: int(env, 'HSTS_MAX_AGE', 0),
    consoleDir: path.resolve(env.CONSOLE_DIR || 'console/dist'),
    duplicates: { radiusM: Math.max(1, int(env, 'DUPLICATE_RADIUS_M', 150)), windowHours: Math.max(1, int(env, 'DUPLICATE_WINDOW_HOURS', 72)) },
    presence: { ttlMs: Math.max(300, int(env, 'PRESENCE_TTL_MS', 30_000)), maxReports: Math.max(1, int(env, 'PRESENCE_MAX_REPORTS', 10)) },
    followUp: {
      delayHours: int(env, 'FOLLOWUP_DELAY_HOURS', 2),
      callHours: env.FOLLOWUP_CALL_HOURS || '09:00-21:00',
      closedWeekdays: weekdays(env.FOLLOWUP_CLOSED_WEEKDAYS),
      maxAttempts: Math.max(1, int(env, 'FOLLOWUP_MAX_ATTEMPTS', 3)),
      retryHours: int(env, 'FOLLOWUP_RETRY_HOURS', 2),
      claimMinutes: Math.max(1, int(env, 'FOLLOWUP_CLAIM_MINUTES', 15)),
    },
    media: {
      photoMaxBytes: int(env, 'MEDIA_PHOTO_MAX_BYTES', 10 * 1024 * 1024),
      voiceMaxBytes: int(env, 'MEDIA_VOICE_MAX_BYTES', 5 * 1024 * 1024),
      voiceMaxSeconds: int(env, 'MEDIA_VOICE_MAX_SECONDS', 180),
      photoMaxPixels: int(env, 'MEDIA_PHOTO_MAX_PIXELS', 40_000_000),
      maxPhotosPerReport: int(env, 'MEDIA_MAX_PHOTOS_PER_REPORT', 6),
      maxVoicePerReport: int(env, 'MEDIA_MAX_VOICE_PER_REPORT', 1),
      unattachedHours: int(env, 'MEDIA_UNATTACHED_HOURS', 24),
      urlTtlSeconds: Math.max(1, int(env, 'MEDIA_URL_TTL_SECONDS', 900)),
      urlSecret: env.MEDIA_URL_SECRET || null,
      storage: mediaStorage(env.MEDIA_STORAGE),
      dir: path.join(path.resolve(env.DATA_DIR || '.data'), 'media'),
      s3: {
        endpoint: env.MEDIA_S3_ENDPOINT || null,
        region: env.MEDIA_S3_REGION || 'us-east-1',
        bucket: env.MEDIA_S3_BUCKET || null,
        accessKeyId: env.MEDIA_S3_ACCESS_KEY_ID || null,
        secretAccessKey: env.MEDIA_S3_SECRET_ACCESS_KEY || null,
        forcePathStyle: flag(env, 'MEDIA_S3_FORCE_PATH_STYLE', true),
      },
    },
  };
}
