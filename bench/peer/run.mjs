/**
 * Issue 10's peer benchmark: our server, PostGraphile 5 and a bare HTTP server on the same database, driven
 * by the same load generator (bench/api/load.mjs, a process of its own) in alternating slices.
 *
 * For each size (100,000 and 1,000,000 reports by default, the API benchmark's generator) it starts our built
 * server (dist/server/main.js), PostGraphile 5 (bench/peer/postgraphile.mjs: amber preset, grafserv on
 * node:http, pool 10, production mode) and the bare baseline (bench/peer/bare-http.mjs: node:http + pg running
 * the page's one statement, rows written as JSON). PostGraphile gets only what it needs to express the same
 * page, in a schema of its own (`peer`): a view of the open reports with a primary key and foreign keys as
 * smart tags, and one computed column for the active assignment. Before measuring, all three must return the
 * same 50 references in the same order. Then each path runs in slices taken in turn at every concurrency
 * (10 and 1 by default), and the table gives req/s, p50/p99, CPU per request of the load generator, the
 * server and PostgreSQL, response bytes, and the ratios; the same for `{ __typename }` (ours and PostGraphile).
 *
 *   npm run bench:peer                                # 100k and 1M reports, 16 s per path in 4 slices, c=10 and c=1
 *   npm run bench:peer -- --sizes 100000 --duration 8 # a quick run
 *   flags: --sizes N,N  --duration S  --slices N  --concurrency N,N
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { drive, percentile, prepareSize, summarize } from '../api/harness.mjs';
import { QUEUE_QUERY } from '../api/workloads.mjs';
import { DIST, freePort, postgresCpuMs, sleep, startBenchDatabase, treeCpuMs } from '../lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000' },
    duration: { type: 'string', default: '16' },
    slices: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '10,1' },
  },
});
const sizes = flags.sizes.split(',').map(Number);
const slices = Math.max(1, Number(flags.slices));
const sliceS = Number(flags.duration) / slices;
const warmupS = Math.min(2, Math.max(0.5, sliceS * 0.2));
const concurrencies = flags.concurrency.split(',').map(Number);
const log = (line) => console.log(`[peer] ${line}`);
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

if (!existsSync(path.join(DIST, 'main.js'))) {
  console.error('dist/server/main.js is missing: npm run bench:peer builds it');
  process.exit(2);
}

/** What PostGraphile needs to express the queue page, in a schema of its own. */
const PEER_SCHEMA = `
  create schema if not exists peer;
  create or replace view peer.queue_report as
    select id, reference, priority, status, target_at, priority_rank, lat, lng, category_code, municipality_code
    from public.report where status in ('RECEIVED', 'ASSIGNED', 'IN_PROGRESS');
  comment on view peer.queue_report is E'@primaryKey id\\n@foreignKey (category_code) references public.category (code)\\n@foreignKey (municipality_code) references public.municipality (code)';
  create or replace function peer.queue_report_active_assignment(r peer.queue_report) returns public.assignment language sql stable as $$
    select a.* from public.assignment a where a.report_id = r.id and a.status in ('PENDING', 'ACCEPTED', 'EN_ROUTE', 'ON_SITE') limit 1
  $$;`;

/**
 * The same page asked of PostGraphile: the same fields, the same order, the same 50. PostGraphile names a table's
 * `id` column `rowId` (its `id` is the global Node id) and prefixes the public schema's types and relations.
 */
const PEER_QUERY = /* GraphQL */ `
  query Queue {
    allQueueReports(first: 50, orderBy: [PRIORITY_RANK_ASC, TARGET_AT_ASC, ROW_ID_ASC]) {
      edges {
        cursor
        node {
          rowId reference priority status targetAt lat lng
          publicCategoryByCategoryCode { code nameAr nameEn }
          publicMunicipalityByMunicipalityCode { code nameAr }
          activeAssignment { rowId status publicCrewByCrewId { rowId name } }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }`;
const FLOOR = 'query Floor { __typename }';

function startChild(label, script, env, dir, cleanups) {
  const out = openSync(path.join(dir, `${label}.log`), 'a');
  const child = spawn(process.execPath, [script], { env: { ...process.env, NODE_ENV: 'production', ...env }, stdio: ['ignore', out, out] });
  cleanups.push(async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await Promise.race([new Promise((resolve) => child.once('exit', resolve)), sleep(5000).then(() => child.kill('SIGKILL'))]);
  });
  return child;
}

async function post(url, query, token) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return response.json();
}

async function answering(url, query, token, logFile) {
  const deadline = Date.now() + 120_000;
  let last;
  while (Date.now() < deadline) {
    const body = await post(url, query, token).catch((err) => ({ failed: String(err) }));
    if (body?.data) return body;
    last = body;
    await sleep(500);
  }
  const tail = logFile && existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-3000) : '';
  throw new Error(`${url} did not answer within 120 s: ${JSON.stringify(last).slice(0, 1000)}\n${tail}`);
}

const cleanups = [];
const rows = [];
let db;
try {
  db = await startBenchDatabase({ prefix: 'balagh-bench-peer-' });
  cleanups.push(db.stop);
  for (const size of sizes) {
    const ours = await prepareSize(size, { adminUrl: db.url, dir: db.dir, cleanups, log });
    await ours.client.query(PEER_SCHEMA);
    await ours.client.query('vacuum analyze');
    const peerPort = await freePort();
    const barePort = await freePort();
    const peer = startChild(`postgraphile-${size}`, path.join(HERE, 'postgraphile.mjs'), { DATABASE_URL: ours.databaseUrl, PORT: String(peerPort) }, db.dir, cleanups);
    const bare = startChild(`bare-${size}`, path.join(HERE, 'bare-http.mjs'), { DATABASE_URL: ours.databaseUrl, PORT: String(barePort) }, db.dir, cleanups);
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const bareUrl = `http://127.0.0.1:${barePort}`;

    // The same 50 references in the same order, or nothing is measured.
    const oursPage = (await answering(ours.url, QUEUE_QUERY, ours.dispatcherToken)).data.reports.edges.map((edge) => edge.node.reference);
    const peerPage = (await answering(peerUrl, PEER_QUERY, undefined, path.join(db.dir, `postgraphile-${size}.log`))).data.allQueueReports.edges.map((edge) => edge.node.reference);
    const barePage = (await answering(bareUrl, '{}', undefined, path.join(db.dir, `bare-${size}.log`))).data.queue.map((row) => row.reference);
    if (oursPage.length !== 50 || JSON.stringify(oursPage) !== JSON.stringify(peerPage) || JSON.stringify(oursPage) !== JSON.stringify(barePage)) {
      throw new Error(`the three pages differ at ${size}:\nours ${oursPage.join(',')}\npeer ${peerPage.join(',')}\nbare ${barePage.join(',')}`);
    }
    log(`${size.toLocaleString('en')} reports: the three servers return the same 50 references in the same order (${oursPage[0]} … ${oursPage.at(-1)})`);

    const paths = [
      { label: 'queue: ours', pid: ours.server.pid, job: { mode: 'http-graphql', url: ours.url, token: ours.dispatcherToken, query: QUEUE_QUERY, listPath: ['reports', 'edges'], listLength: 50 } },
      { label: 'queue: PostGraphile', pid: peer.pid, job: { mode: 'http-graphql', url: peerUrl, token: 'none', query: PEER_QUERY, listPath: ['allQueueReports', 'edges'], listLength: 50 } },
      { label: 'queue: bare HTTP', pid: bare.pid, job: { mode: 'http-graphql', url: bareUrl, token: 'none', query: '{}', listPath: ['queue'], listLength: 50 } },
    ];
    if (size === sizes[0]) {
      paths.push({ label: 'floor: ours', pid: ours.server.pid, job: { mode: 'http-graphql', url: ours.url, token: ours.dispatcherToken, query: FLOOR } });
      paths.push({ label: 'floor: PostGraphile', pid: peer.pid, job: { mode: 'http-graphql', url: peerUrl, token: 'none', query: FLOOR } });
    }
    for (const concurrency of concurrencies) {
      const measured = paths.map((p) => ({ ...p, size, concurrency, slices: [] }));
      for (let slice = 0; slice < slices; slice++) {
        for (const p of measured) {
          await sleep(300);
          const serverBefore = treeCpuMs(p.pid);
          const postgresBefore = postgresCpuMs(db.postmasterPid);
          const result = await drive({ ...p.job, concurrency, durationMs: sliceS * 1000, warmupMs: warmupS * 1000, municipalities: [], categories: [] });
          await sleep(300);
          p.slices.push({ ...result, cpu: { loadGenerator: result.cpuMs, server: treeCpuMs(p.pid) - serverBefore, postgres: postgresCpuMs(db.postmasterPid) - postgresBefore } });
          log(
            `slice ${slice + 1}/${slices} c=${concurrency} ${p.label.padEnd(20)} ${size.toLocaleString('en')}: ${fmt(result.requests / result.seconds)} req/s, p99 ${fmt(percentile(result.latencies, 99))} ms, errors ${result.errors}${result.errors ? ` ${JSON.stringify(result.errorSamples)}` : ''}`,
          );
        }
      }
      for (const p of measured) rows.push({ ...summarize(p), label: p.label, size, concurrency });
    }
  }
} finally {
  while (cleanups.length)
    await cleanups
      .pop()()
      .catch((err) => console.error(err));
}

const find = (label, size, concurrency) => rows.find((r) => r.label === label && r.size === size && r.concurrency === concurrency);
console.log(`\nMachine: ${os.availableParallelism()} cores (${os.cpus()[0]?.model}); Node ${process.version}; ${Number(flags.duration)} s per path in ${slices} alternating slices\n`);
console.log('| path | reports | concurrency | req/s | p50 ms | p99 ms | errors | bytes | CPU ms/req: load gen, server, PostgreSQL | ours / PostGraphile | ours / bare |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|');
for (const row of rows) {
  const kind = row.label.split(':')[0];
  const oursRow = find(`${kind}: ours`, row.size, row.concurrency);
  const peerRow = find(`${kind}: PostGraphile`, row.size, row.concurrency);
  const bareRow = find(`${kind}: bare HTTP`, row.size, row.concurrency);
  const isOurs = row.label.endsWith('ours');
  const cpu = row.cpuPerRequestMs;
  console.log(
    `| ${row.label} | ${row.size.toLocaleString('en')} | ${row.concurrency} | ${fmt(row.rps)} | ${fmt(row.p50, 2)} | ${fmt(row.p99, 2)} | ${row.errors} | ${Math.round(row.meanResponseBytes || 0)} | ${fmt(cpu.loadGenerator, 2)}, ${fmt(cpu.server, 2)}, ${fmt(cpu.postgres, 2)} | ${isOurs && peerRow ? `${fmt(oursRow.rps / peerRow.rps, 2)}×` : ''} | ${isOurs && bareRow ? `${fmt((oursRow.rps / bareRow.rps) * 100, 0)} %` : ''} |`,
  );
}
