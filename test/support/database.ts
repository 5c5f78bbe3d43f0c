import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/**
 * A new, empty database on the test run's PostgreSQL, for tests that must own all of it (pruning the
 * outbox, counting every event); the app migrates it on start.
 */
export async function freshDatabase(prefix = 'iso'): Promise<string> {
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: inject('adminUrl') });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return inject('adminUrl').replace(/\/postgres$/, `/${name}`);
}
