import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Role } from './access/access.roles.js';
import { loadConfig } from './common/config.js';
import { createServices } from './container.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.js';
import { openOrm } from './db/orm.js';
import { printAppSchema } from './schema.js';

const USAGE = `Usage:
  npm run schema                                  write schema/schema.graphql from the code
  npm run migration:create [-- --name add_x]      diff entities against the database into a new migration
  npm run user:create -- --username NAME --role SUPERVISOR|DISPATCHER|CREW [--crew-id ID]
                                                  password from BALAGH_PASSWORD (never a default)
  npm run apikey:create -- --name NAME --role INTAKE|INTEGRATOR
                                                  key from BALAGH_API_KEY, or a random one printed once
  npm run apikey:revoke -- --id ID                the key stops working at once, its open sockets too, on every replica
  node dist/server/cli.js indicators:rebuild      rebuild the indicators' aggregates from the raw tables (after a bulk load, or to repair)`;

/** A database for CLI commands: DATABASE_URL, or the embedded one `npm start` uses. */
async function database(): Promise<{ url: string; embedded?: EmbeddedDatabase }> {
  const config = loadConfig();
  if (config.databaseUrl) return { url: config.databaseUrl };
  const embedded = await startEmbeddedPostgres(path.join(config.dataDir, 'postgres'), { persistent: true });
  return { url: embedded.url, embedded };
}

async function withOrm<T>(work: (orm: Awaited<ReturnType<typeof openOrm>>) => Promise<T>): Promise<T> {
  const db = await database();
  const orm = await openOrm(db.url);
  try {
    return await work(orm);
  } finally {
    await orm.close(true);
    await db.embedded?.stop();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { username: { type: 'string' }, role: { type: 'string' }, 'crew-id': { type: 'string' }, name: { type: 'string' }, id: { type: 'string' } },
  });
  switch (command) {
    case 'schema': {
      const file = path.resolve('schema/schema.graphql');
      await writeFile(file, await printAppSchema());
      console.log(`wrote ${file}`);
      return;
    }
    case 'migration:create': {
      await withOrm(async (orm) => {
        const result = await orm.migrator.create('server/src/db/migrations', false, false, values.name);
        if (!result.fileName) console.log('No schema changes: nothing to write');
        else console.log(`wrote server/src/db/migrations/${result.fileName}; add it to server/src/db/migrations/index.ts`);
      });
      return;
    }
    case 'user:create': {
      const password = process.env.BALAGH_PASSWORD;
      if (!values.username || !values.role || !password) throw new Error(`user:create needs --username, --role and BALAGH_PASSWORD\n${USAGE}`);
      await withOrm(async (orm) => {
        const services = createServices({ tokenTtlHours: 12 });
        const user = await services.auth.createUser(orm.em.fork(), { username: values.username!, password, role: values.role as Role, crewId: values['crew-id'] });
        console.log(`created ${user.role} ${user.username} (${user.id})`);
      });
      return;
    }
    case 'apikey:create': {
      if (!values.name || !values.role) throw new Error(`apikey:create needs --name and --role\n${USAGE}`);
      const { randomBytes } = await import('node:crypto');
      const key = process.env.BALAGH_API_KEY || `b940k_${randomBytes(24).toString('base64url')}`;
      await withOrm(async (orm) => {
        const services = createServices({ tokenTtlHours: 12 });
        const created = await services.auth.createApiKey(orm.em.fork(), { name: values.name!, key, role: values.role as Role });
        console.log(`created ${values.role} key "${values.name}" (${created.id}): ${key}\n(store it now: only its hash is kept)`);
      });
      return;
    }
    case 'apikey:revoke': {
      if (!values.id) throw new Error(`apikey:revoke needs --id\n${USAGE}`);
      await withOrm(async (orm) => {
        const services = createServices({ tokenTtlHours: 12 });
        const revoked = await services.auth.revokeApiKey(orm.em.fork(), values.id!);
        console.log(revoked ? `revoked key ${values.id}` : `no active key ${values.id}: nothing to revoke`);
      });
      return;
    }
    case 'indicators:rebuild': {
      await withOrm(async (orm) => {
        const services = createServices({ tokenTtlHours: 12 });
        const em = orm.em.fork();
        await services.indicators.rebuild(em);
        // Marks the new pages all-visible, so medians read the facts' covering index alone.
        await em.execute('vacuum analyze indicator_fact, indicator_rollup, indicator_histogram');
        const [counts] = await em.execute<{ facts: number; rollups: number; steps: number }[]>(
          'select (select count(*) from indicator_fact)::int as facts, (select count(*) from indicator_rollup)::int as rollups, (select count(*) from indicator_histogram)::int as steps',
        );
        console.log(`rebuilt the indicators from the raw tables: ${counts.facts} facts, ${counts.rollups} rollup rows, ${counts.steps} histogram rows`);
      });
      return;
    }
    default:
      console.log(USAGE);
      if (command) process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
