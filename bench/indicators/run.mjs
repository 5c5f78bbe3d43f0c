/**
 * Issue 14's indicators benchmark. For each size (100,000, 1,000,000 and 5,000,000 reports by default) it seeds
 * a database of its own with the API benchmark's set-based generator and full histories (bench/api/seed.mjs
 * `histories`: assignments, resolutions late and on time, reopens, closures, rejections, merges, declines,
 * answered inquiries, follow-ups reached or unreachable with satisfaction and fixed, their calls), builds the
 * maintained aggregates with the server's own `indicators:rebuild`, and starts our built server
 * (dist/server/main.js) and the baseline (bench/indicators/bare-http.mjs: node:http + pg pool 10 running the
 * hand-written raw-table SQL of dist/server/indicators/indicators.raw.js, no aggregates).
 *
 * Three questions, each asked of both: one year grouped by municipality (`indicators`); one year by department ×
 * week (`indicatorSeries`, bucket WEEK); today's counters (`indicators`, no grouping). Before timing, ours and the
 * baseline must return the same rows with the same numbers. Then each path runs in slices taken in turn at every
 * concurrency (16 and 1 by default) through bench/api/load.mjs (a process of its own), and the table gives req/s,
 * p50/p99, CPU per request of our server (or the baseline's process) and of PostgreSQL, the ratio ours / baseline,
 * and the targets: p99 under 250 ms at 1,000,000; at 5,000,000 at most 2× the 1,000,000 p99; ours at least as
 * fast as the baseline. Writes bench/indicators/last-run.json.
 *
 *   npm run bench:indicators                                     # 100k, 1M, 5M; 16 s per path in 4 slices; c=16 and c=1
 *   npm run bench:indicators -- --sizes 20000 --duration 4        # a quick run
 *   flags: --sizes N,N  --duration S  --slices N  --concurrency N,N  --keep
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { drive, percentile, prepareSize, summarize } from '../api/harness.mjs';
import { DIST, cli, freePort, postgresCpuMs, sleep, startBenchDatabase, treeCpuMs } from '../lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000,5000000' },
    duration: { type: 'string', default: '16' },
    slices: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '16,1' },
    keep: { type: 'boolean', default: false },
  },
});
const sizes = flags.sizes.split(',').map(Number);
const slices = Math.max(1, Number(flags.slices));
const sliceS = Number(flags.duration) / slices;
const warmupS = Math.min(2, Math.max(0.5, sliceS * 0.2));
const concurrencies = flags.concurrency.split(',').map(Number);
const log = (line) => console.log(`[indicators] ${line}`);
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const count = (n) => n.toLocaleString('en');
const P99_TARGET_MS = 250;

if (!existsSync(path.join(DIST, 'main.js'))) {
  console.error('dist/server/main.js is missing: npm run bench:indicators builds it');
  process.exit(2);
}

const FIELDS = `bucketStart keys { dimension code }
  received resolved closed rejected referred merged backlog overdueNow
  firstAssignmentMedian firstAssignmentP90 resolutionMedian resolutionP90 targetCompliance lifeSafetyAssignedIn15
  reopenRate firstTimeFix followUpsDue followUpsAttempted followUpsReached followUpsUnreachable satisfactionMean satisfiedShare
  callsMade inquiriesAnswered answerMedian jobsCompleted onSiteMedian declines`;
const INDICATORS = `query Indicators($period: PeriodInput!, $groupBy: [IndicatorDimension!]!) { rows: indicators(period: $period, groupBy: $groupBy) { ${FIELDS} } }`;
const SERIES = `query Series($period: PeriodInput!, $groupBy: [IndicatorDimension!]!, $bucket: IndicatorBucket!) { rows: indicatorSeries(period: $period, groupBy: $groupBy, bucket: $bucket) { ${FIELDS} } }`;

/** Asia/Riyadh is UTC+3 all year: the instant a Riyadh day starts, `days` days from today's. */
function riyadhMidnight(days) {
  const RIYADH_MS = 3 * 3_600_000;
  const today = new Date(Date.now() + RIYADH_MS).toISOString().slice(0, 10);
  return new Date(Date.parse(`${today}T00:00:00Z`) - RIYADH_MS + days * 86_400_000);
}

/** The three questions, over periods fixed once for the run: the last 365 Riyadh days (today included), and today. */
function questions() {
  const year = { from: riyadhMidnight(-364).toISOString(), to: riyadhMidnight(1).toISOString() };
  const today = { from: riyadhMidnight(0).toISOString(), to: riyadhMidnight(1).toISOString() };
  return [
    { name: 'year × municipality', query: INDICATORS, variables: { period: year, groupBy: ['MUNICIPALITY'] }, bare: { ...year, groupBy: ['MUNICIPALITY'] } },
    { name: 'year × department × week', query: SERIES, variables: { period: year, groupBy: ['DEPARTMENT'], bucket: 'WEEK' }, bare: { ...year, groupBy: ['DEPARTMENT'], bucket: 'WEEK' } },
    { name: "today's counters", query: INDICATORS, variables: { period: today, groupBy: [] }, bare: { ...today, groupBy: [] } },
  ];
}

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

async function post(url, query, variables, token) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return { failed: `HTTP ${response.status}: ${text.slice(0, 500)}` };
  }
}

async function answering(url, query, variables, token) {
  const deadline = Date.now() + 120_000;
  let last;
  while (Date.now() < deadline) {
    const body = await post(url, query, variables, token).catch((err) => ({ failed: String(err) }));
    if (body?.data) return body.data;
    last = body;
    if (body?.errors) break;
    await sleep(500);
  }
  throw new Error(`${url} did not answer: ${JSON.stringify(last).slice(0, 1500)}`);
}

/** Where two answers differ (rows in order, every key and figure; shares within 1e-9), at most `limit` lines. */
function differences(ours, bare, limit = 8) {
  const out = [];
  if (ours.length !== bare.length) out.push(`${ours.length} rows against ${bare.length}`);
  for (let i = 0; i < Math.min(ours.length, bare.length) && out.length < limit; i++) {
    const a = ours[i];
    const b = bare[i];
    const label = `row ${i} (${a.bucketStart ?? ''} ${a.keys.map((k) => k.code).join('/')})`;
    if (a.bucketStart !== b.bucketStart || JSON.stringify(a.keys.map((k) => k.code)) !== JSON.stringify(b.keys.map((k) => k.code))) {
      out.push(`${label}: key ${JSON.stringify([a.bucketStart, a.keys])} against ${JSON.stringify([b.bucketStart, b.keys])}`);
      continue;
    }
    for (const field of Object.keys(b)) {
      if (field === 'bucketStart' || field === 'keys') continue;
      const same = a[field] === b[field] || (typeof a[field] === 'number' && typeof b[field] === 'number' && Math.abs(a[field] - b[field]) < 1e-9);
      if (!same && out.length < limit) out.push(`${label}: ${field} ${a[field]} against ${b[field]}`);
    }
  }
  return out;
}

const SLOW_REQUESTS = 3;

/** A slow path timed over SLOW_REQUESTS requests one after another, as one slice. */
async function sequential(p, url, postmasterPid) {
  const serverBefore = treeCpuMs(p.pid);
  const postgresBefore = postgresCpuMs(postmasterPid);
  const latencies = [];
  const started = performance.now();
  for (let i = 0; i < SLOW_REQUESTS; i++) {
    const t0 = performance.now();
    await answering(url, 'baseline', p.job.variables);
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const cpu = { loadGenerator: 0, server: treeCpuMs(p.pid) - serverBefore, postgres: postgresCpuMs(postmasterPid) - postgresBefore };
  return { requests: SLOW_REQUESTS, errors: 0, errorSamples: [], seconds, completed: SLOW_REQUESTS, cpuMs: 0, latencies, meanResponseBytes: 0, cpu };
}

const cleanups = [];
const rows = [];
const seeds = [];
const agreement = [];
let db;
let postgresVersion;
const started = Date.now();
try {
  db = await startBenchDatabase({ prefix: 'balagh-bench-indicators-', keep: flags.keep, onDir: (dir) => log(`data in ${dir}`) });
  cleanups.push(db.stop);
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  cleanups.push(() => admin.end());
  postgresVersion = (await admin.query('show server_version')).rows[0].server_version;

  for (const size of sizes) {
    const seedStarted = Date.now();
    const ours = await prepareSize(size, { adminUrl: db.url, dir: db.dir, cleanups, log, histories: true });
    const seedS = (Date.now() - seedStarted) / 1000;
    const rebuildStarted = Date.now();
    const rebuilt = await cli(['indicators:rebuild'], { DATABASE_URL: ours.databaseUrl, LOG_LEVEL: 'warn' });
    await ours.client.query('vacuum analyze indicator_fact, indicator_rollup, indicator_histogram');
    const rebuildS = (Date.now() - rebuildStarted) / 1000;
    const tables = (
      await ours.client.query(`
        select relname as name, (select reltuples::bigint from pg_class c where c.oid = t.relid) as rows, pg_total_relation_size(relid) as bytes
          from pg_stat_user_tables t
         where relname in ('report', 'timeline_entry', 'assignment', 'follow_up', 'follow_up_attempt', 'indicator_fact', 'indicator_rollup', 'indicator_histogram')
         order by pg_total_relation_size(relid) desc`)
    ).rows.map((row) => ({ name: row.name, rows: Number(row.rows), mib: Number(row.bytes) / 2 ** 20 }));
    const seed = { size, seedS, rebuildS, rebuilt: rebuilt.trim(), tables };
    seeds.push(seed);
    log(`${count(size)} reports with histories seeded in ${fmt(seedS)} s (server start and credentials included); indicators:rebuild ${fmt(rebuildS)} s: ${rebuilt.trim()}`);
    log(`  tables: ${tables.map((t) => `${t.name} ${count(t.rows)} rows ${fmt(t.mib, 0)} MiB`).join('; ')}`);

    const barePort = await freePort();
    const bare = startChild(`bare-${size}`, path.join(HERE, 'bare-http.mjs'), { DATABASE_URL: ours.databaseUrl, PORT: String(barePort) }, db.dir, cleanups);
    const bareUrl = `http://127.0.0.1:${barePort}`;

    // The same rows with the same numbers from both, or the difference is printed and recorded.
    const asked = questions();
    for (const q of asked) {
      const oursRows = (await answering(ours.url, q.query, q.variables, ours.dispatcherToken)).rows;
      const bareStarted = performance.now();
      const bareRows = (await answering(bareUrl, 'baseline', q.bare)).rows;
      q.bareMs = performance.now() - bareStarted;
      const diff = differences(oursRows, bareRows);
      q.rowCount = oursRows.length;
      agreement.push({ size, question: q.name, rows: oursRows.length, agree: diff.length === 0, differences: diff });
      log(`${count(size)} ${q.name}: ${diff.length === 0 ? `ours and the baseline agree on all ${oursRows.length} rows` : `DIFFER:\n    ${diff.join('\n    ')}`}`);
    }

    for (const concurrency of concurrencies) {
      const paths = asked.flatMap((q) => [
        {
          question: q.name,
          side: 'ours',
          pid: ours.server.pid,
          job: { mode: 'http-graphql', url: ours.url, token: ours.dispatcherToken, query: q.query, variables: q.variables, listPath: ['rows'], listLength: q.rowCount },
        },
        {
          question: q.name,
          side: 'baseline',
          pid: bare.pid,
          job: { mode: 'http-graphql', url: bareUrl, token: 'none', query: 'baseline', variables: q.bare, listPath: ['rows'], listLength: q.rowCount },
        },
      ]);
      // A baseline whose one request takes longer than half a slice cannot be loaded in a slice: it is timed over
      // SLOW_REQUESTS requests one after another at c=1 (once), and not at all at higher concurrency.
      const slow = (p) => p.side === 'baseline' && asked.find((q) => q.name === p.question).bareMs > (sliceS * 1000) / 2;
      const measured = paths.map((p) => ({ ...p, label: `${p.question}: ${p.side}`, size, concurrency, slices: [], slow: slow(p) }));
      for (const p of measured.filter((m) => m.slow)) {
        if (concurrency !== 1) {
          log(`c=${concurrency} ${p.label}: not loaded (one request took ${fmt(asked.find((q) => q.name === p.question).bareMs / 1000)} s)`);
          continue;
        }
        p.slices.push(await sequential(p, bareUrl, db.postmasterPid));
        log(`c=1 ${p.label} ${count(size)}: ${SLOW_REQUESTS} requests one after another, p50 ${fmt(percentile(p.slices[0].latencies, 50))} ms`);
      }
      for (let slice = 0; slice < slices; slice++) {
        for (const p of measured.filter((m) => !m.slow)) {
          await sleep(300);
          const serverBefore = treeCpuMs(p.pid);
          const postgresBefore = postgresCpuMs(db.postmasterPid);
          const result = await drive({ ...p.job, concurrency, durationMs: sliceS * 1000, warmupMs: warmupS * 1000, municipalities: [], categories: [] });
          await sleep(300);
          p.slices.push({ ...result, cpu: { loadGenerator: result.cpuMs, server: treeCpuMs(p.pid) - serverBefore, postgres: postgresCpuMs(db.postmasterPid) - postgresBefore } });
          log(
            `slice ${slice + 1}/${slices} c=${concurrency} ${p.label.padEnd(36)} ${count(size)}: ${fmt(result.requests / result.seconds)} req/s, p99 ${fmt(percentile(result.latencies, 99))} ms, errors ${result.errors}${result.errors ? ` ${JSON.stringify(result.errorSamples)}` : ''}`,
          );
        }
      }
      for (const p of measured) if (p.slices.length) rows.push({ ...summarize(p), label: p.label, question: p.question, side: p.side, size, concurrency, sequential: p.slow });
    }
    // Free the disk for the next size: this size's processes and database go now.
    while (cleanups.length > 2)
      await cleanups
        .pop()()
        .catch((err) => console.error(err));
    await admin.query(`drop database balagh_${size}`);
  }
} finally {
  while (cleanups.length)
    await cleanups
      .pop()()
      .catch((err) => console.error(err));
}

const find = (question, side, size, concurrency) => rows.find((r) => r.question === question && r.side === side && r.size === size && r.concurrency === concurrency);
const load = os.loadavg();
const lines = [];
lines.push(
  '',
  `Machine: ${os.availableParallelism()} cores (${os.cpus()[0]?.model}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; PostgreSQL ${postgresVersion}; load average at the end ${load.map((n) => n.toFixed(2)).join(', ')}`,
  `${Number(flags.duration)} s per path in ${slices} alternating slices (+${fmt(warmupS)} s warm-up each); ours: the built server (ORM pool 10); baseline: node:http + pg pool 10 running the raw-table SQL`,
  '',
  '| size | reports seeded in | indicators:rebuild | tables (rows, MiB) |',
  '|---:|---:|---:|---|',
  ...seeds.map((s) => `| ${count(s.size)} | ${fmt(s.seedS)} s | ${fmt(s.rebuildS)} s | ${s.tables.map((t) => `${t.name} ${count(t.rows)}, ${fmt(t.mib, 0)}`).join('; ')} |`),
  '',
  `Agreement before timing: ${agreement.map((a) => `${count(a.size)} ${a.question} ${a.agree ? `agree (${a.rows} rows)` : 'DIFFER'}`).join('; ')}`,
  '',
  '| question | reports | c | path | req/s | p50 ms | p99 ms | errors | CPU ms/req: server, PostgreSQL | ours / baseline req/s | p99 < 250 ms (1M) |',
  '|---|---:|---:|---|---:|---:|---:|---:|---|---:|---|',
);
for (const row of rows) {
  const baseline = find(row.question, 'baseline', row.size, row.concurrency);
  const isOurs = row.side === 'ours';
  const cpu = row.cpuPerRequestMs;
  const p99Target = isOurs && row.size === 1_000_000 ? (row.p99 < P99_TARGET_MS ? 'met' : 'MISSED') : '';
  lines.push(
    `| ${row.question} | ${count(row.size)} | ${row.concurrency} | ${row.side}${row.sequential ? ` (${SLOW_REQUESTS} in a row)` : ''} | ${fmt(row.rps)} | ${fmt(row.p50, 1)} | ${fmt(row.p99, 1)} | ${row.errors} | ${fmt(cpu.server, 2)}, ${fmt(cpu.postgres, 2)} | ${isOurs && baseline ? `${fmt(row.rps / baseline.rps, 2)}×` : ''} | ${p99Target} |`,
  );
}
const targets = [];
for (const q of questions().map((q) => q.name)) {
  for (const concurrency of concurrencies) {
    const at1m = find(q, 'ours', 1_000_000, concurrency);
    const at5m = find(q, 'ours', 5_000_000, concurrency);
    if (at1m) targets.push(`${q}, c=${concurrency}: p99 ${fmt(at1m.p99)} ms at 1,000,000 (target < ${P99_TARGET_MS}: ${at1m.p99 < P99_TARGET_MS ? 'met' : 'MISSED'})`);
    if (at1m && at5m) targets.push(`${q}, c=${concurrency}: p99 at 5,000,000 / 1,000,000 = ${fmt(at5m.p99 / at1m.p99, 2)}× (target ≤ 2×: ${at5m.p99 <= 2 * at1m.p99 ? 'met' : 'MISSED'})`);
    for (const size of sizes) {
      const oursRow = find(q, 'ours', size, concurrency);
      const bareRow = find(q, 'baseline', size, concurrency);
      if (oursRow && bareRow && !(bareRow.requests > 0))
        targets.push(
          `${q}, c=${concurrency}, ${count(size)}: the baseline completed no request inside its slices (each takes longer than a slice), ours ${fmt(oursRow.rps)} req/s (at least as fast: met)`,
        );
      else if (oursRow && !bareRow && concurrency !== 1)
        targets.push(`${q}, c=${concurrency}, ${count(size)}: the baseline was too slow to load (one request longer than half a slice), ours ${fmt(oursRow.rps)} req/s (at least as fast: met)`);
      else if (oursRow && bareRow)
        targets.push(
          `${q}, c=${concurrency}, ${count(size)}: ours ${fmt(oursRow.rps)} req/s against the baseline's ${fmt(bareRow.rps)} (${fmt(oursRow.rps / bareRow.rps, 2)}×; at least as fast: ${oursRow.rps >= bareRow.rps ? 'met' : 'MISSED'})`,
        );
    }
  }
}
lines.push('', 'Targets:', ...targets.map((t) => `- ${t}`), '', `Wall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(lines.join('\n'));
writeFileSync(
  path.join(HERE, 'last-run.json'),
  JSON.stringify(
    {
      at: new Date().toISOString(),
      machine: {
        nproc: os.availableParallelism(),
        cpu: os.cpus()[0]?.model,
        memGiB: Number((os.totalmem() / 2 ** 30).toFixed(0)),
        node: process.version,
        postgres: postgresVersion,
        loadAverage: load,
      },
      flags: { sizes, durationS: Number(flags.duration), slices, warmupS, concurrencies },
      questions: questions().map(({ name, variables }) => ({ name, variables })),
      seeds,
      agreement,
      results: rows.map(({ errorSamples, ...row }) => ({ ...row, errorSamples })),
      targets,
    },
    null,
    2,
  ) + '\n',
);
