/**
 * Where the CPU of one GraphQL queue page goes, measured in this process (no HTTP, one request at a time,
 * best of three rounds of process CPU time per page):
 *   - the whole page: the server's executor (graphql-jit behind Apollo's gateway door) with the real
 *     services and loaders;
 *   - the read alone: `queue.list` with the columns this query selects, its one statement and the views
 *     it builds from the rows;
 *   - the same statement, word for word, with bare `pg` (what the ORM's connection adds is the difference);
 *   - execution alone: the executor with the page already in memory.
 * It also returns the statements a page runs, as sent (MikroORM inlines the parameters), for EXPLAIN.
 */
import path from 'node:path';
import { parse } from 'graphql';
import pg from 'pg';
import { QUEUE_QUERY } from './workloads.mjs';

const OPEN = ['RECEIVED', 'ASSIGNED', 'IN_PROGRESS'];

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

/** `{ lines, statements }`: the split for the run's output, and the SQL of one page. `dist` is the built server's directory. */
export async function queuePageLayers(databaseUrl, dist) {
  const load = (file) => import(path.join(dist, file));
  const { openOrm } = await load('db/orm.js');
  const { createLoaders, createServices } = await load('container.js');
  const { jitGateway } = await load('common/execution.js');
  const { buildAppSchema } = await load('schema.js');
  const { reportPropertiesFor } = await load('reports/reports.mapper.js');
  const { selectedFields } = await load('common/selection.js');
  const { positional, sqlLiteral } = await load('common/bounded-reads.js');
  let statements;
  let orm;
  // The queue's reads bind a list as one array (`= any(?)`, prepared by BoundedReads), which the ORM's formatter
  // would expand into a list: those are written with BoundedReads' own literals.
  const format = (sql, params) => (/any\(\?\)/.test(sql) ? positional(sql).replace(/\$(\d+)/g, (_, n) => sqlLiteral(client, params[Number(n) - 1])) : orm.em.getPlatform().formatQuery(sql, params));
  orm = await openOrm(databaseUrl, { onQuery: (sql, params) => statements?.push(format(sql, params)) });
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const services = createServices({ tokenTtlHours: 12 });
    const schema = await buildAppSchema();
    const { executor } = await jitGateway(schema).load({ apollo: {} });
    const document = parse(QUEUE_QUERY);
    const operation = document.definitions[0];
    const viewer = { kind: 'user', id: 'bench', name: 'bench', role: 'DISPATCHER', crewId: null, expiresAt: null, credentialId: 'bench' };
    const filter = { statuses: OPEN };
    const run = async (context) => {
      const result = await executor({ document, operation, operationName: 'Queue', queryHash: 'queue', request: { variables: {} }, context });
      if (result.errors) throw result.errors[0];
    };
    const contextFor = (em, servicesForPage = services) => ({ em, viewer, loaders: createLoaders(em, services), services: servicesForPage });

    await run(contextFor(orm.em.fork())); // reads the reference snapshot, which later pages take from memory
    statements = [];
    await run(contextFor(orm.em.fork()));
    const pageStatements = statements;
    statements = undefined;

    const whole = await cpuPerCall(() => run(contextFor(orm.em.fork())));
    // What the queue resolver asks the list to read for this query.
    const connection = operation.selectionSet.selections[0];
    const fields = selectedFields({ fieldNodes: [connection], fragments: {} }, ['edges', 'node']);
    const projection = { properties: reportPropertiesFor(fields), activeAssignment: fields.has('activeAssignment') };
    const read = await cpuPerCall(() => services.queue.list(orm.em.fork(), viewer, filter, 50, null, projection));
    const barePg = await cpuPerCall(async () => {
      for (const sql of pageStatements) await client.query(sql);
    });
    const page = await services.queue.list(orm.em.fork(), viewer, filter, 50, null, projection);
    const inMemory = { ...services, queue: { list: async () => page } };
    const executionOnly = await cpuPerCall(() => run(contextFor(orm.em.fork(), inMemory)));

    const ms = (value) => `${value.toFixed(2)} ms`;
    return {
      statements: pageStatements,
      lines: [
        `CPU of one queue page in-process (best of 3 × 200, no HTTP): ${ms(whole)} for the whole page (${pageStatements.length} statement${pageStatements.length === 1 ? '' : 's'})`,
        `  queue.list (its statement, and views from the rows): ${ms(read)}; the same statement with bare pg: ${ms(barePg)}`,
        `  execution (graphql-jit + type-graphql) over the page already in memory: ${ms(executionOnly)}`,
      ],
    };
  } finally {
    await client.end();
    await orm.close(true);
  }
}
