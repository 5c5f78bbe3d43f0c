import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../server/src/db/embedded.js';
import { openOrm } from '../../server/src/db/orm.js';
import { seedReference } from '../../server/src/db/seed/reference.seed.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The test run's PostgreSQL (migrated by the first app that starts). */
    databaseUrl: string;
    /** Superuser URL of the same server, for tests that create databases of their own. */
    adminUrl: string;
  }
}

/** One real PostgreSQL per test run, in a temporary directory, removed afterwards. */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'balagh-test-pg-'));
  await chmod(dir, 0o755); // as root, PostgreSQL runs as the `postgres` user and must reach its data directory
  const db = await startEmbeddedPostgres(path.join(dir, 'data'), { persistent: false });
  const orm = await openOrm(db.url);
  await seedReference(orm.em.fork());
  await orm.close(true);
  project.provide('databaseUrl', db.url);
  project.provide('adminUrl', db.url.replace(/\/balagh$/, '/postgres'));
  return async () => {
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
