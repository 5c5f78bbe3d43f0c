/**
 * PostGraphile 5 as the peer of bench/peer/run.mjs: the amber preset, grafserv on node:http, a pool of 10,
 * production mode (NODE_ENV=production, no GraphiQL, no explain). It serves the `peer` schema (the views and
 * the one function the queue page needs, made by run.mjs) and `public` (our tables, for the foreign keys).
 * Environment: DATABASE_URL, PORT.
 */
import { createServer } from 'node:http';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';

const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL, schemas: ['peer', 'public'], poolConfig: { max: 10 } })],
  grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.keepAliveTimeout = 65_000;
serv.addTo(server).then(
  () => server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`postgraphile listening on ${process.env.PORT}`)),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
process.on('SIGTERM', () => server.close(() => pgl.release().then(() => process.exit(0))));
