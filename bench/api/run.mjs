/**
 * Issue 2's API benchmark. Starts a dedicated embedded PostgreSQL and the built server (dist/server/main.js)
 * as a child process on it, seeds reports with set-based SQL, and drives the server from a separate load
 * generator process (load.mjs): the dispatcher's queue query at each size, `createReport` with an intake
 * key at the write size, and in the same run their bare-`pg` baselines with the same concurrency and
 * duration. Prints req/s, p50 and p99, the GraphQL/bare ratios and the queue's p99 growth from the
 * smallest to the largest size, and writes the figures to bench/api/last-run.json.
 *
 *   npm run bench:api                       # 20 s per path, sizes 10k, 100k, 1M
 *   npm run bench:api -- --duration 5       # a quick run
 *   flags: --duration S  --warmup S  --concurrency N  --sizes 10000,100000,1000000  --write-size N  --keep
 */
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { growReports, seedCrews } from './seed.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const DIST = path.join(ROOT, 'dist/server');
const SERVER_POOL = 10;

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string' },
    concurrency: { type: 'string', default: '16' },
    sizes: { type: 'string', default: '10000,100000,1000000' },
    'write-size': { type: 'string', default: '100000' },
    keep: { type: 'boolean', default: false },
  },
});
const durationS = Number(flags.duration);
const warmupS = flags.warmup === undefined ? Math.min(3, durationS * 0.2) : Number(flags.warmup);
const concurrency = Number(flags.concurrency);
const sizes = flags.sizes.split(',').map(Number).sort((a, b) => a - b);
const writeSize = Number(flags['write-size']);
if (!sizes.includes(writeSize)) sizes.push(writeSize), sizes.sort((a, b) => a - b);

const log = (line) => console.log(`[bench] ${line}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

if (!existsSync(path.join(DIST, 'main.js'))) {
  console.error('dist/server/main.js is missing: run `npx tsc -p tsconfig.json` (npm run bench:api does it)');
  process.exit(2);
}
const { startEmbeddedPostgres, freePort } = await import(path.join(DIST, 'db/embedded.js'));

/** Runs the CLI of the built server against the benchmark database. */
function cli(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(DIST, 'cli.js'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`cli ${args[0]} failed (${code}): ${out}`))));
  });
}

async function waitHealthy(url, server, logFile) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`server exited (${server.exitCode}):\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) return;
    await sleep(250);
  }
  throw new Error('server did not become healthy within 120 s');
}

/** Runs one load job in a fresh load-generator process. */
function drive(job) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(HERE, 'load.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (message) => (message.ok ? resolve(message.result) : reject(new Error(message.error))));
    child.once('exit', (code) => code !== 0 && reject(new Error(`load generator exited with ${code}`)));
    child.send(job);
  });
}

const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

async function main() {
  const started = Date.now();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'balagh-bench-'));
  await chmod(dir, 0o755);
  log(`data in ${dir}`);
  const cleanups = [];
  const cleanup = async () => {
    while (cleanups.length) await cleanups.pop()().catch((err) => console.error(err));
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

  try {
    const db = await startEmbeddedPostgres(path.join(dir, 'pg'), { persistent: flags.keep });
    cleanups.push(async () => {
      await db.stop();
      if (!flags.keep) await rm(dir, { recursive: true, force: true });
    });
    const databaseUrl = db.url;
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    cleanups.push(() => admin.end());
    const versionRow = (await admin.query('show server_version')).rows[0];

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const logFile = path.join(dir, 'server.log');
    const out = openSync(logFile, 'a');
    const server = spawn(process.execPath, [path.join(DIST, 'main.js')], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, DEMO: 'false', LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1', CONSOLE_DIR: path.join(dir, 'no-console') },
      stdio: ['ignore', out, out],
    });
    cleanups.push(async () => {
      if (server.exitCode !== null) return;
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    });
    await waitHealthy(url, server, logFile);
    log(`server (pid ${server.pid}) up at ${url} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const intakeKey = `bench-intake-${randomBytes(12).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    await cli(['apikey:create', '--name', 'bench-intake', '--role', 'INTAKE'], { DATABASE_URL: databaseUrl, BALAGH_API_KEY: intakeKey });
    await cli(['user:create', '--username', 'bench-dispatcher', '--role', 'DISPATCHER'], { DATABASE_URL: databaseUrl, BALAGH_PASSWORD: password });
    const login = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', variables: { u: 'bench-dispatcher', p: password } }),
    }).then((r) => r.json());
    const dispatcherToken = login.data?.login?.token;
    if (!dispatcherToken) throw new Error(`login failed: ${JSON.stringify(login)}`);
    const keyId = (await admin.query(`select id from api_key where name = 'bench-intake'`)).rows[0].id;
    const userId = (await admin.query(`select id from app_user where username = 'bench-dispatcher'`)).rows[0].id;
    const principals = { intakePrincipal: `key:${keyId}`, staffPrincipal: `user:${userId}` };

    await seedCrews(admin);
    const municipalities = (await admin.query('select code, lat, lng from municipality order by code')).rows;
    const categories = (await admin.query('select code, default_priority as "defaultPriority", target_hours as "targetHours" from category')).rows;
    const runId = `bench-${Date.now().toString(36)}`;
    const common = { url, databaseUrl, concurrency, poolSize: SERVER_POOL, durationMs: durationS * 1000, warmupMs: warmupS * 1000, municipalities, categories, runId };

    const results = [];
    const measure = async (label, size, job) => {
      await admin.query('checkpoint');
      await sleep(500);
      const result = await drive({ ...common, ...job });
      const row = { label, size, ...result };
      results.push(row);
      log(`${label.padEnd(22)} ${String(size).padStart(8)} reports: ${fmt(result.rps)} req/s, p50 ${fmt(result.p50, 2)} ms, p99 ${fmt(result.p99, 2)} ms, errors ${result.errors}${result.errors ? ` ${JSON.stringify(result.errorSamples)}` : ''}`);
      return row;
    };

    for (const size of sizes) {
      const t0 = Date.now();
      const have = await growReports(admin, size, principals, { log });
      log(`${have.toLocaleString('en')} reports ready (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      const open = (await admin.query(`select count(*)::int as n from report where status in ('RECEIVED', 'ASSIGNED', 'IN_PROGRESS')`)).rows[0].n;
      log(`  ${open.toLocaleString('en')} open`);
      await measure('queue (GraphQL)', size, { mode: 'graphql-queue', token: dispatcherToken });
      await measure('queue (bare pg)', size, { mode: 'pg-read' });
      if (size === writeSize) {
        await measure('createReport (GraphQL)', size, { mode: 'graphql-create', token: intakeKey });
        await measure('create (bare pg)', size, { mode: 'pg-write', submittedBy: principals.intakePrincipal, actor: 'bench-intake', runId: `${runId}-pg` });
      }
    }

    const nproc = os.availableParallelism();
    const cpu = os.cpus()[0]?.model ?? 'unknown';
    const memGiB = (os.totalmem() / 2 ** 30).toFixed(0);
    const find = (label, size) => results.find((r) => r.label === label && r.size === size);
    const lines = [];
    lines.push('', `Machine: ${nproc} cores (${cpu}), ${memGiB} GiB; Node ${process.version}; PostgreSQL ${versionRow.server_version}`);
    lines.push(`Concurrency ${concurrency}, ${durationS} s per path after ${warmupS} s warm-up; server ORM pool ${SERVER_POOL}, bare pg pool ${SERVER_POOL}`, '');
    lines.push('| path | reports | req/s | p50 ms | p99 ms | errors | GraphQL / bare (req/s) | target ≥ 50% |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|---|');
    for (const row of results) {
      const bareLabel = row.label === 'queue (GraphQL)' ? 'queue (bare pg)' : row.label === 'createReport (GraphQL)' ? 'create (bare pg)' : undefined;
      const bare = bareLabel && find(bareLabel, row.size);
      const ratio = bare ? row.rps / bare.rps : undefined;
      const target = ratio === undefined ? '' : ratio >= 0.5 ? 'met' : 'MISSED';
      lines.push(`| ${row.label} | ${row.size.toLocaleString('en')} | ${fmt(row.rps)} | ${fmt(row.p50, 2)} | ${fmt(row.p99, 2)} | ${row.errors} | ${ratio === undefined ? '' : `${(ratio * 100).toFixed(0)}%`} | ${target} |`);
    }
    const small = find('queue (GraphQL)', sizes[0]);
    const large = find('queue (GraphQL)', sizes.at(-1));
    const growth = large.p99 / small.p99;
    const bareGrowth = find('queue (bare pg)', sizes.at(-1)).p99 / find('queue (bare pg)', sizes[0]).p99;
    lines.push('');
    lines.push(`Queue query p99: ${fmt(small.p99, 2)} ms at ${sizes[0].toLocaleString('en')} → ${fmt(large.p99, 2)} ms at ${sizes.at(-1).toLocaleString('en')} reports = ${fmt(growth, 2)}× (target ≤ 1.5×: ${growth <= 1.5 ? 'met' : 'MISSED'}); bare pg ${fmt(bareGrowth, 2)}×`);
    lines.push(`Total errors: ${results.reduce((sum, r) => sum + r.errors, 0)}; wall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
    console.log(lines.join('\n'));
    writeFileSync(
      path.join(HERE, 'last-run.json'),
      JSON.stringify({ at: new Date().toISOString(), machine: { nproc, cpu, memGiB, node: process.version, postgres: versionRow.server_version }, flags: { durationS, warmupS, concurrency, sizes, writeSize }, results, queueP99Growth: growth }, null, 2) + '\n',
    );
  } finally {
    await cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
