/**
 * The load generator: a process of its own, started by run.mjs with `fork`. It receives one job over IPC,
 * keeps `concurrency` requests in flight for `warmupMs + durationMs`, records the latency of every request
 * started after the warm-up, and answers with the count, errors, the sorted latencies, its own CPU time
 * and the number of requests completed in all (warm-up included), so run.mjs can report CPU per request.
 *
 * Modes: `graphql-create`, `graphql-queue`, `graphql-floor` and `http-graphql` (any server; bench/peer) (HTTP/1.1 keep-alive through `node:http`,
 * one socket per request in flight), `pg-write`, `pg-write-one` and `pg-read` (bare `pg` Pool of `poolSize` connections,
 * the same as the server's ORM pool). `node:http` rather than `fetch`: fetch's streams cost the load
 * generator about 1 ms of CPU a request on this machine, which it then takes from the server it measures.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { bareCreate, bareCreateOneStatement, CREATE_MUTATION, FLOOR_QUERY, intakeInput, QUEUE_QUERY, QUEUE_SQL } from './workloads.mjs';

let responseBytes = 0;

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One GraphQL POST; rejects on a non-200 status, a GraphQL error or a missing `data`. */
function graphql(url, token, query, variables) {
  const payload = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${url}/graphql`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${token}` },
      },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          responseBytes += Buffer.byteLength(text);
          let body;
          try {
            body = JSON.parse(text);
          } catch {
            return reject(new Error(`HTTP ${response.statusCode}: ${text.slice(0, 300)}`));
          }
          if (response.statusCode !== 200 || body.errors?.length || !body.data) {
            return reject(new Error(`HTTP ${response.statusCode}: ${JSON.stringify(body.errors ?? body).slice(0, 300)}`));
          }
          resolve(body.data);
        });
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

function operation(job, pool) {
  let n = 0;
  const municipalities = job.municipalities;
  const categories = new Map(job.categories.map((c) => [c.code, c]));
  switch (job.mode) {
    case 'graphql-queue':
      return async () => {
        const data = await graphql(job.url, job.token, QUEUE_QUERY, {});
        if (data.reports.edges.length !== 50) throw new Error(`expected 50 edges, got ${data.reports.edges.length}`);
      };
    case 'graphql-floor':
      return async () => {
        const data = await graphql(job.url, job.token, FLOOR_QUERY, {});
        if (data.__typename !== 'Query') throw new Error('unexpected __typename');
      };
    case 'graphql-create':
      return async () => {
        const input = intakeInput(n++, job.runId, municipalities);
        const data = await graphql(job.url, job.token, CREATE_MUTATION, { input });
        if (data.createReport.status !== 'RECEIVED') throw new Error('created report is not RECEIVED');
      };
    case 'http-graphql':
      // Any GraphQL (or GraphQL-shaped) server: `query` posted as is; `listPath` names the list of 50 it must return, if any.
      return async () => {
        const data = await graphql(job.url, job.token, job.query, job.variables ?? {});
        if (!job.listPath) return;
        const list = job.listPath.reduce((value, key) => value?.[key], data);
        if (!Array.isArray(list) || list.length !== job.listLength) throw new Error(`expected ${job.listLength} at ${job.listPath.join('.')}, got ${list?.length}`);
      };
    case 'pg-read':
      return async () => {
        const { rows } = await pool.query(QUEUE_SQL);
        if (rows.length !== 51) throw new Error(`expected 51 rows, got ${rows.length}`);
      };
    case 'pg-write':
      return async () => {
        const index = n++;
        const input = intakeInput(index, job.runId, municipalities);
        await bareCreate(pool, input, job.submittedBy, job.actor, categories, municipalities[index % municipalities.length]);
      };
    case 'pg-write-one':
      return async () => {
        const index = n++;
        const input = intakeInput(index, job.runId, municipalities);
        await bareCreateOneStatement(pool, input, job.submittedBy, job.actor, categories, municipalities[index % municipalities.length]);
      };
    default:
      throw new Error(`unknown mode ${job.mode}`);
  }
}

async function run(job) {
  const pool = job.mode.startsWith('pg-') ? new pg.Pool({ connectionString: job.databaseUrl, max: job.poolSize }) : undefined;
  const op = operation(job, pool);
  const latencies = [];
  const errorSamples = [];
  let errorCount = 0;
  const cpuBefore = process.cpuUsage();
  let completed = 0;
  const started = performance.now();
  const measureFrom = started + job.warmupMs;
  const end = measureFrom + job.durationMs;
  let lastFinish = measureFrom;

  async function worker() {
    while (performance.now() < end) {
      const t0 = performance.now();
      let failed = false;
      try {
        await op();
      } catch (err) {
        failed = true;
        if (t0 >= measureFrom) errorCount++;
        if (t0 >= measureFrom && errorSamples.length < 5) errorSamples.push(String(err.message ?? err));
      }
      const t1 = performance.now();
      completed++;
      if (t0 < measureFrom) continue;
      if (!failed) latencies.push(t1 - t0);
      lastFinish = Math.max(lastFinish, t1);
    }
  }

  await Promise.all(Array.from({ length: job.concurrency }, worker));
  const cpu = process.cpuUsage(cpuBefore);
  await pool?.end();
  agent.destroy();
  const seconds = (lastFinish - measureFrom) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    mode: job.mode,
    requests: latencies.length,
    errors: errorCount,
    errorSamples,
    seconds,
    completed,
    cpuMs: (cpu.user + cpu.system) / 1000,
    latencies,
    meanResponseBytes: responseBytes / completed,
  };
}

process.once('message', (job) => {
  run(job).then(
    (result) => process.send({ ok: true, result }, () => process.exit(0)),
    (err) => process.send({ ok: false, error: String(err.stack ?? err) }, () => process.exit(1)),
  );
});
