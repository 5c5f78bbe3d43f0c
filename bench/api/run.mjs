/**
 * Issue 2's API benchmark. Starts a dedicated embedded PostgreSQL with one database per size (10k, 100k
 * and 1M reports by default, seeded with set-based SQL) and, on each, the built server
 * (dist/server/main.js) as a child process; a separate load-generator process (load.mjs) drives them:
 * the dispatcher's queue query at every size, `createReport` with an intake key at the write size, and in
 * the same run their bare-`pg` baselines at the same concurrency and duration; at the smallest size also
 * `{ __typename }`, the floor every GraphQL request pays.
 *
 * Every path runs in `--slices` slices, taken in turn (path 1, path 2, …, path 1, …), so background load
 * from other work on the machine falls on all paths alike rather than on whichever ran during a burst.
 * Prints req/s, p50 and p99, CPU per request of the load generator, the server and PostgreSQL (from
 * /proc), the GraphQL/bare ratios, the queue's p99 growth from the smallest to the largest size, the
 * plans of the queue page's statements and where a queue page's CPU goes, and writes everything to
 * bench/api/last-run.json.
 *
 *   npm run bench:api                       # 20 s per path in 4 slices, sizes 10k, 100k, 1M
 *   npm run bench:api -- --duration 5       # a quick run
 *   flags: --duration S  --slices N  --warmup S  --concurrency N  --sizes 10000,100000,1000000  --write-size N  --keep
 */
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { explainStatements } from './explain.mjs';
import { queuePageLayers } from './layers.mjs';
import { DIST, postgresCpuMs, sleep, startBenchDatabase, treeCpuMs } from '../lib.mjs';
import { drive, percentile, prepareSize, summarize } from './harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SERVER_POOL = 10;

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '20' },
    slices: { type: 'string', default: '4' },
    warmup: { type: 'string' },
    concurrency: { type: 'string', default: '16' },
    sizes: { type: 'string', default: '10000,100000,1000000' },
    'write-size': { type: 'string', default: '100000' },
    keep: { type: 'boolean', default: false },
  },
});
const durationS = Number(flags.duration);
const slices = Math.max(1, Number(flags.slices));
const sliceS = durationS / slices;
const warmupS = flags.warmup === undefined ? Math.min(2, Math.max(0.5, sliceS * 0.2)) : Number(flags.warmup);
const concurrency = Number(flags.concurrency);
const writeSize = Number(flags['write-size']);
const sizes = [...new Set([...flags.sizes.split(',').map(Number), writeSize])].sort((a, b) => a - b);

const log = (line) => console.log(`[bench] ${line}`);
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const count = (n) => n.toLocaleString('en');

if (!existsSync(path.join(DIST, 'main.js'))) {
  console.error('dist/server/main.js is missing: run `npx tsc -p tsconfig.json` (npm run bench:api does it)');
  process.exit(2);
}

async function main() {
  const started = Date.now();
  const cleanups = [];
  const cleanup = async () => {
    while (cleanups.length)
      await cleanups
        .pop()()
        .catch((err) => console.error(err));
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

  try {
    const db = await startBenchDatabase({
      prefix: 'balagh-bench-',
      keep: flags.keep,
      onDir: (dir) => log(`data in ${dir}; ${durationS} s per path in ${slices} slices of ${fmt(sliceS)} s (+${fmt(warmupS)} s warm-up each), concurrency ${concurrency}`),
    });
    cleanups.push(db.stop);
    const { dir, postmasterPid } = db;
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    const postgresVersion = (await admin.query('show server_version')).rows[0].server_version;
    await admin.end();

    const targets = new Map();
    for (const size of sizes) targets.set(size, await prepareSize(size, { adminUrl: db.url, dir, cleanups, log }));
    const smallest = targets.get(sizes[0]);
    const largest = targets.get(sizes.at(-1));
    const municipalities = (await smallest.client.query('select code, lat, lng from municipality order by code')).rows;
    const categories = (await smallest.client.query('select code, default_priority as "defaultPriority", target_hours as "targetHours" from category')).rows;
    const runId = `bench-${Date.now().toString(36)}`;

    const paths = [];
    for (const size of sizes) {
      const t = targets.get(size);
      paths.push({ label: 'queue (GraphQL)', size, target: t, job: { mode: 'graphql-queue', url: t.url, token: t.dispatcherToken } });
      paths.push({ label: 'queue (bare pg)', size, target: t, job: { mode: 'pg-read', databaseUrl: t.databaseUrl } });
    }
    paths.push({ label: 'floor (GraphQL)', size: smallest.size, target: smallest, job: { mode: 'graphql-floor', url: smallest.url, token: smallest.dispatcherToken } });
    const writer = targets.get(writeSize);
    paths.push({ label: 'createReport (GraphQL)', size: writeSize, target: writer, job: { mode: 'graphql-create', url: writer.url, token: writer.intakeKey, runId: `${runId}-gql` } });
    paths.push({
      label: 'create (bare pg)',
      size: writeSize,
      target: writer,
      job: { mode: 'pg-write', databaseUrl: writer.databaseUrl, submittedBy: writer.principals.intakePrincipal, actor: 'bench-intake', runId: `${runId}-pg` },
    });
    paths.push({
      label: 'create (bare pg, 1 statement)',
      size: writeSize,
      target: writer,
      job: { mode: 'pg-write-one', databaseUrl: writer.databaseUrl, submittedBy: writer.principals.intakePrincipal, actor: 'bench-intake', runId: `${runId}-pg1` },
    });
    for (const p of paths) p.slices = [];

    const common = { concurrency, poolSize: SERVER_POOL, durationMs: sliceS * 1000, warmupMs: warmupS * 1000, municipalities, categories };
    for (let slice = 0; slice < slices; slice++) {
      for (const p of paths) {
        await smallest.client.query('checkpoint');
        await sleep(300);
        const serverBefore = treeCpuMs(p.target.server.pid);
        const postgresBefore = postgresCpuMs(postmasterPid);
        const result = await drive({ ...common, ...p.job, runId: `${p.job.runId ?? runId}-${slice}` });
        await sleep(300);
        const cpu = {
          loadGenerator: result.cpuMs,
          server: p.job.mode.startsWith('graphql-') ? treeCpuMs(p.target.server.pid) - serverBefore : 0,
          postgres: postgresCpuMs(postmasterPid) - postgresBefore,
        };
        p.slices.push({ ...result, cpu });
        log(
          `slice ${slice + 1}/${slices} ${p.label.padEnd(22)} ${count(p.size).padStart(9)}: ${fmt(result.requests / result.seconds)} req/s, ` +
            `p99 ${fmt(percentile(result.latencies, 99), 1)} ms${result.meanResponseBytes ? `, ${count(Math.round(result.meanResponseBytes))} B a response` : ''}, errors ${result.errors}${result.errors ? ` ${JSON.stringify(result.errorSamples)}` : ''}`,
        );
      }
    }
    const results = paths.map(summarize);

    const { lines: layers, statements } = await queuePageLayers(largest.databaseUrl, DIST);
    const plans = await explainStatements(largest.client, statements);

    const nproc = os.availableParallelism();
    const cpuModel = os.cpus()[0]?.model ?? 'unknown';
    const memGiB = (os.totalmem() / 2 ** 30).toFixed(0);
    const find = (label, size) => results.find((r) => r.label === label && r.size === size);
    const lines = [];
    lines.push('', `Machine: ${nproc} cores (${cpuModel}), ${memGiB} GiB; Node ${process.version}; PostgreSQL ${postgresVersion}`);
    lines.push(
      `Concurrency ${concurrency}; ${durationS} s per path in ${slices} interleaved slices (+${fmt(warmupS)} s warm-up each); server ORM pool ${SERVER_POOL}, bare pg pool ${SERVER_POOL}`,
      `Open reports: ${sizes.map((size) => `${count(targets.get(size).open)} of ${count(size)}`).join(', ')}`,
      '',
    );
    lines.push('| path | reports | req/s | p50 ms | p99 ms | errors | GraphQL / bare (req/s) | target ≥ 50% | CPU ms/req: load gen, server, PostgreSQL |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|---|---|');
    for (const row of results) {
      const bareLabel = { 'queue (GraphQL)': 'queue (bare pg)', 'createReport (GraphQL)': 'create (bare pg)' }[row.label];
      const bare = bareLabel && find(bareLabel, row.size);
      const ratio = bare ? row.rps / bare.rps : undefined;
      let target = '';
      if (ratio !== undefined) target = ratio >= 0.5 ? 'met' : 'MISSED';
      const cpu = row.cpuPerRequestMs;
      const cpuText = `${fmt(cpu.loadGenerator, 2)}, ${row.label.includes('GraphQL') ? fmt(cpu.server, 2) : '–'}, ${fmt(cpu.postgres, 2)}`;
      lines.push(
        `| ${row.label} | ${count(row.size)} | ${fmt(row.rps)} | ${fmt(row.p50, 2)} | ${fmt(row.p99, 2)} | ${row.errors} | ${ratio === undefined ? '' : `${(ratio * 100).toFixed(0)}%`} | ${target} | ${cpuText} |`,
      );
    }
    const createGraphql = find('createReport (GraphQL)', writeSize);
    const createOne = find('create (bare pg, 1 statement)', writeSize);
    lines.push('', `createReport against the one-statement bare pg create (the server's own SQL, hand-written): ${((createGraphql.rps / createOne.rps) * 100).toFixed(0)}%`);
    const small = find('queue (GraphQL)', sizes[0]);
    const large = find('queue (GraphQL)', sizes.at(-1));
    const growth = large.p99 / small.p99;
    const bareGrowth = find('queue (bare pg)', sizes.at(-1)).p99 / find('queue (bare pg)', sizes[0]).p99;
    const cpuOf = (row) => row.cpuPerRequestMs.server + row.cpuPerRequestMs.postgres;
    lines.push('');
    lines.push(
      `Queue query p99: ${fmt(small.p99, 2)} ms at ${count(sizes[0])} → ${fmt(large.p99, 2)} ms at ${count(sizes.at(-1))} reports = ${fmt(growth, 2)}× ` +
        `(target ≤ 1.5×: ${growth <= 1.5 ? 'met' : 'MISSED'}); bare pg ${fmt(bareGrowth, 2)}×; server + PostgreSQL CPU per request ${fmt(cpuOf(small), 2)} → ${fmt(cpuOf(large), 2)} ms`,
    );
    lines.push('', `Queue page statements at ${count(sizes.at(-1))} reports (EXPLAIN ANALYZE, warm):`, ...plans);
    lines.push('', ...layers, '');
    lines.push(`Total errors: ${results.reduce((sum, r) => sum + r.errors, 0)}; wall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
    console.log(lines.join('\n'));
    writeFileSync(
      path.join(HERE, 'last-run.json'),
      JSON.stringify(
        {
          at: new Date().toISOString(),
          machine: { nproc, cpu: cpuModel, memGiB, node: process.version, postgres: postgresVersion },
          flags: { durationS, slices, warmupS, concurrency, sizes, writeSize },
          results,
          queueP99Growth: growth,
          plans,
          layers,
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    await cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
