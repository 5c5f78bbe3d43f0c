/**
 * Where the CPU of one GraphQL queue page goes, measured in this process (no HTTP, one request at a time,
 * best of three rounds of process CPU time per page):
 *   - the whole resolver tree: `execute()` on the app's schema with the real services and loaders;
 *   - the ORM alone: `reports.list` and the five loaders the page triggers;
 *   - the same six statements with bare `pg` (what the ORM adds is the difference);
 *   - graphql-js and type-graphql alone: `execute()` with the page and the loaders already in memory.
 */
import path from 'node:path';
import { parse } from 'graphql';
import pg from 'pg';
import { QUEUE_QUERY } from './workloads.mjs';

const OPEN = ['RECEIVED', 'ASSIGNED', 'IN_PROGRESS'];
const ACTIVE = ['PENDING', 'ACCEPTED', 'EN_ROUTE', 'ON_SITE'];

async function cpuPerCall(fn, { warm = 50, rounds = 3, calls = 200 } = {}) {
  for (let i = 0; i < warm; i++) await fn();
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    const before = process.cpuUsage();
    for (let i = 0; i < calls; i++) await fn();
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / 1000 / calls);
  }
  return best;
}

/** Lines describing the split, for the run's output. `dist` is the built server's directory. */
export async function queuePageLayers(databaseUrl, dist) {
  const load = (file) => import(path.join(dist, file));
  const { openOrm } = await load('db/orm.js');
  const { createLoaders } = await load('common/loaders.js');
  const { createServices } = await load('common/services.js');
  const { buildAppSchema } = await load('schema.js');
  const { execute } = await import('graphql');
  const orm = await openOrm(databaseUrl);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const services = createServices({ tokenTtlHours: 12 });
    const schema = await buildAppSchema();
    const document = parse(QUEUE_QUERY);
    const viewer = { kind: 'user', id: 'bench', name: 'bench', role: 'DISPATCHER', crewId: null, expiresAt: null, credentialId: 'bench' };
    const filter = { statuses: OPEN };
    const run = async (contextValue) => {
      const result = await execute({ schema, document, contextValue });
      if (result.errors) throw result.errors[0];
    };

    const whole = await cpuPerCall(() => {
      const em = orm.em.fork();
      return run({ em, viewer, loaders: createLoaders(em, services.reference), services });
    });

    const ormOnly = await cpuPerCall(async () => {
      const em = orm.em.fork();
      const loaders = createLoaders(em, services.reference);
      const page = await services.reports.list(em, viewer, filter, 50, null);
      await Promise.all(page.reports.flatMap((r) => [loaders.category.load(r.category.code), loaders.municipality.load(r.municipality.code)]));
      const active = (await Promise.all(page.reports.map((r) => loaders.activeAssignmentByReport.load(r.id)))).filter(Boolean);
      const crews = await Promise.all(active.map((a) => loaders.crew.load(a.crew.id)));
      await Promise.all(crews.map((crew) => loaders.activeAssignmentByCrew.load(crew.id)));
    });

    const barePg = await cpuPerCall(async () => {
      const { rows } = await client.query('select * from report where status = any($1) order by priority_rank, target_at, id limit 51', [OPEN]);
      await client.query('select * from municipality where code = any($1)', [[...new Set(rows.map((r) => r.municipality_code))]]);
      await client.query('select * from category where code = any($1)', [[...new Set(rows.map((r) => r.category_code))]]);
      const active = (await client.query('select * from assignment where report_id = any($1) and status = any($2)', [rows.map((r) => r.id), ACTIVE])).rows;
      const crewIds = [...new Set(active.map((a) => a.crew_id))];
      await client.query('select * from crew where id = any($1)', [crewIds]);
      await client.query(
        `select leader.* from crew c cross join lateral (select * from assignment where crew_id = c.id and status in ('PENDING', 'ACCEPTED', 'EN_ROUTE', 'ON_SITE')
           order by (case status when 'ON_SITE' then 3 when 'EN_ROUTE' then 2 when 'ACCEPTED' then 1 else 0 end) desc, created_at, id limit 1) leader where c.id = any($1)`,
        [crewIds],
      );
    });

    const em = orm.em.fork();
    const primed = createLoaders(em, services.reference);
    const page = await services.reports.list(em, viewer, filter, 50, null);
    const inMemory = { ...services, reports: { list: async () => page } };
    await run({ em, viewer, loaders: primed, services: inMemory });
    const graphqlOnly = await cpuPerCall(() => run({ em, viewer, loaders: primed, services: inMemory }));

    const ms = (value) => `${value.toFixed(2)} ms`;
    return [
      `CPU of one queue page in-process (best of 3 × 200, no HTTP): ${ms(whole)} for the whole resolver tree`,
      `  ORM (reports.list + 5 loaders; 6 statements, or 4 once reference data is cached): ${ms(ormOnly)}; the same 6 statements with bare pg: ${ms(barePg)}`,
      `  graphql-js + type-graphql over data already in memory: ${ms(graphqlOnly)}`,
    ];
  } finally {
    await client.end();
    await orm.close(true);
  }
}
