/**
 * The bare HTTP baseline of bench/peer/run.mjs: what any HTTP API of the queue page pays at the least. A
 * `node:http` server that answers every POST with the page's one statement (bench/api/workloads.mjs QUEUE_SQL,
 * the same joins our server runs) through `pg` (pool 10), written as JSON: no GraphQL, no auth, no validation.
 * Environment: DATABASE_URL, PORT.
 */
import { createServer } from 'node:http';
import pg from 'pg';
import { QUEUE_SQL } from '../api/workloads.mjs';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const server = createServer((request, response) => {
  request.resume();
  request.on('end', async () => {
    try {
      const { rows } = await pool.query(QUEUE_SQL);
      const body = JSON.stringify({ data: { queue: rows.slice(0, 50), hasNextPage: rows.length > 50 } });
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      response.end(body);
    } catch (err) {
      response.writeHead(500).end(String(err));
    }
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`bare http listening on ${process.env.PORT}`));
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
