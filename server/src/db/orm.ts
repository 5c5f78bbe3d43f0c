import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, MikroORM, type Options } from '@mikro-orm/postgresql';
import pg from 'pg';
import { Assignment } from '../assignments/assignments.entity.js';
import { ApiKey, Session, User } from '../auth/auth.entity.js';
import { Crew } from '../crews/crews.entity.js';
import { DispatchEventRow } from '../outbox/outbox.entity.js';
import { Category, Department, Municipality } from '../reference/reference.entity.js';
import { Report, TimelineEntry } from '../reports/reports.entity.js';
import { FollowUp, FollowUpAttempt } from '../followups/followups.entity.js';
import { Media } from '../media/media.entity.js';
import { DuplicateDismissal } from '../reports/duplicates.entity.js';
import { migrations } from './migrations/index.js';

export const entities = [Municipality, Department, Category, Crew, User, ApiKey, Session, Report, TimelineEntry, Assignment, DispatchEventRow, Media, FollowUp, FollowUpAttempt, DuplicateDismissal];

/** How long acquiring a new database connection may take before the request fails as the database being down. */
export const CONNECT_TIMEOUT_MS = 5_000;

export interface OrmOptions {
  /** Maximum pooled connections per process, default 10. */
  poolMax?: number;
  /** Called with every SQL statement and its parameters: tests count queries with it, the benchmark explains them. */
  onQuery?: (sql: string, params: readonly unknown[]) => void;
}

/** The one ORM configuration: explicit entity list and migration list, so dist/ and vitest agree. */
export function ormConfig(clientUrl: string, options: OrmOptions = {}): Options {
  const onQuery = options.onQuery;
  return defineConfig({
    clientUrl,
    entities,
    metadataProvider: ReflectMetadataProvider,
    extensions: [Migrator],
    migrations: {
      migrationsList: migrations,
      pathTs: 'server/src/db/migrations',
      path: 'dist/server/db/migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: process.env.NODE_ENV === 'test',
    },
    pool: { min: 0, max: options.poolMax ?? 10 },
    // A database host that drops packets instead of refusing would otherwise hold every request (and
    // /healthz) until the kernel gives up; after this the request answers SERVICE_UNAVAILABLE.
    driverOptions: { connectionTimeoutMillis: CONNECT_TIMEOUT_MS },
    // No entity has a bidirectional relation to keep in sync, and the per-instance accessors this installs
    // on every loaded entity were a fifth of the CPU of a 50-report queue page (bench/RESULTS.md).
    propagationOnPrototype: false,
    ensureDatabase: false,
    ...(onQuery ? { onQuery: (sql: string, params: readonly unknown[]) => (onQuery(sql, params), sql) } : {}),
  });
}

/** Any number that no other tool on the database uses for an advisory lock. */
const MIGRATION_LOCK = 940_0001;

/**
 * Connects and applies every committed migration that has not run yet. Replicas starting together
 * take turns under an advisory lock, so exactly one applies each migration.
 */
export async function openOrm(clientUrl: string, options: OrmOptions = {}): Promise<MikroORM> {
  const orm = await MikroORM.init(ormConfig(clientUrl, options));
  const lock = new pg.Client({ connectionString: clientUrl });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await orm.migrator.up();
  } catch (err) {
    await orm.close(true);
    throw err;
  } finally {
    await lock.end();
  }
  return orm;
}
