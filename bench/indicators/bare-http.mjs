/**
 * The baseline of bench/indicators/run.mjs: the same indicators computed by hand-written SQL over the raw tables
 * (report, timeline_entry, assignment, follow_up, follow_up_attempt), with none of the maintained aggregates. A
 * `node:http` server with a `pg` pool of 10 (the server's ORM pool) that answers every POST `{ variables: { from,
 * to, bucket, groupBy } }` with the built server's raw statements (dist/server/indicators/indicators.raw.js,
 * `rawIndicators`: one statement for every figure of the period's happenings, one for the backlog at each bucket's
 * end), then the same null rules and row order as the API (`valuesOf`, `hasData`), written as JSON. No GraphQL, no
 * authentication, no validation, no labels: what any API answering from the raw tables pays at the least.
 * Environment: DATABASE_URL, PORT.
 */
import 'reflect-metadata'; // the service module's GraphQL types are decorated
import { createServer } from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { DIST } from '../lib.mjs';

const { rawIndicators } = await import(path.join(DIST, 'indicators/indicators.raw.js'));
const { bucketsOf, hasData, valuesOf } = await import(path.join(DIST, 'indicators/indicators.service.js'));

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

/** MikroORM's `?` placeholders as pg's `$n` (the raw statements hold no other question mark). */
function numbered(sql) {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

const OPEN = `'RECEIVED', 'ASSIGNED', 'IN_PROGRESS'`;

/**
 * A faster backlog than raw.ts's (which looks up each report's last status before every bucket's end, a subquery per
 * report and bucket): each change into or out of an open status is a +1 or -1 in the first bucket ending after it,
 * and a bucket's backlog is the running sum of its group's deltas up to it. The same number when every report's
 * history starts with its CREATED line at receivedAt, as the server writes it (and the agreement check verifies).
 * Takes raw.ts's statement's parameters (bucket starts, bucket ends, then the filter's) and answers its columns.
 */
function fasterBacklog(sql) {
  const select = /select (.*?),?\s*e\.bucket_start as b, count\(\*\)::int as backlog/s.exec(sql);
  const where = /where (.*?)\s+and coalesce\(/s.exec(sql);
  if (!select || !where) throw new Error(`unexpected backlog statement: ${sql}`);
  const keys = select[1].trim() ? select[1].split(',').map((part) => part.trim()) : [];
  const names = keys.map((_, i) => `d${i}`);
  const groupCols = names.length ? `${names.join(', ')}, ` : '';
  return `
    with ends as (select e.bucket_start, e.end_at, e.ord from unnest(?::text[], ?::timestamptz[]) with ordinality as e(bucket_start, end_at, ord)),
    deltas as (
      select ${keys.length ? `${keys.join(', ')}, ` : ''}(select min(e.ord) from ends e where e.end_at > t.at) as ord,
             sum(case when t.to_status in (${OPEN}) then 1 else -1 end)::int as delta
        from timeline_entry t join report r on r.id = t.report_id join category c on c.code = r.category_code
       where t.to_status is not null and (coalesce(t.from_status, '') in (${OPEN})) <> (t.to_status in (${OPEN}))
         and t.at < (select max(end_at) from ends) and ${where[1]}
       group by ${[...keys, 'ord'].map((_, i) => i + 1).join(', ')}
    ),
    groups as (select distinct ${names.length ? names.join(', ') : '1 as one'} from deltas),
    running as (
      select ${names.map((n) => `g.${n}`).join(', ')}${names.length ? ', ' : ''}e.bucket_start, e.ord,
             sum(coalesce(x.delta, 0)) over (partition by ${names.length ? names.map((n) => `g.${n}`).join(', ') : '1'} order by e.ord)::int as backlog
        from groups g cross join ends e
        left join deltas x on x.ord = e.ord${names.map((n) => ` and x.${n} is not distinct from g.${n}`).join('')}
    )
    select ${groupCols}bucket_start as b, backlog from running where backlog <> 0`;
}

/** What `rawIndicators` needs of an entity manager: `execute(sql, params)` resolving with the rows (the backlog statement replaced by a faster one). */
const em = {
  execute: async (sql, params = []) => {
    const statement = sql.includes('unnest(') && sql.includes('as backlog') ? fasterBacklog(sql) : sql;
    return (await pool.query(numbered(statement), params)).rows;
  },
};

/** The API's row order: bucket, then each key (null last). */
function compare(a, b) {
  if (a.bucketStart !== b.bucketStart) return (a.bucketStart ?? '') < (b.bucketStart ?? '') ? -1 : 1;
  for (let i = 0; i < a.keys.length; i++) {
    if (a.keys[i] === b.keys[i]) continue;
    if (a.keys[i] === null) return 1;
    if (b.keys[i] === null) return -1;
    return a.keys[i] < b.keys[i] ? -1 : 1;
  }
  return 0;
}

async function answer({ from, to, bucket = null, groupBy = [] }) {
  const question = { from: new Date(from), to: new Date(to), now: new Date(), bucket, buckets: bucket ? bucketsOf(new Date(from), new Date(to), bucket) : null, groupBy, filter: null };
  let raw = (await rawIndicators(em, question)).filter(hasData);
  if (!groupBy.length) {
    const byBucket = new Map(raw.map((row) => [row.bucketStart, row]));
    raw = (question.buckets ? question.buckets.map((b) => b.start) : [null]).map((start) => byBucket.get(start) ?? { keys: [], bucketStart: start, figures: null });
  }
  const byCrew = groupBy.includes('CREW');
  return raw.sort(compare).map((row) => ({ bucketStart: row.bucketStart, keys: row.keys.map((code, i) => ({ dimension: groupBy[i], code })), ...valuesOf(row.figures, byCrew) }));
}

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', async () => {
    try {
      const { variables } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const body = JSON.stringify({ data: { rows: await answer(variables) } });
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      response.end(body);
    } catch (err) {
      response.writeHead(500).end(String(err.stack ?? err));
    }
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`bare indicators baseline listening on ${process.env.PORT}`));
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
