// What bench/api/run.mjs and bench/peer/run.mjs share: a database of N reports with our server on it, the
// load-generator process (load.mjs), and how a path's slices are summed up.
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { growReports, seedCrews } from './seed.mjs';
import { DIST, ROOT, cli, freePort, waitHealthy } from '../lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The p-th percentile of sorted latencies. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Runs one load job in a fresh load-generator process. */
export function drive(job) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(HERE, 'load.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (message) => (message.ok ? resolve(message.result) : reject(new Error(message.error))));
    child.once('exit', (code) => code !== 0 && reject(new Error(`load generator exited with ${code}`)));
    child.send(job);
  });
}

/**
 * One database with its own server, API key and dispatcher: the server migrates it and seeds the
 * reference data on start, the CLI creates the credentials, and set-based SQL seeds `size` reports (with
 * `histories`, also their histories and follow-ups: bench/indicators).
 */
export async function prepareSize(size, { adminUrl, dir, cleanups, log, histories = false }) {
  const name = `balagh_${size}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const databaseUrl = adminUrl.replace(/\/[^/]+$/, `/${name}`);

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = path.join(dir, `server-${size}.log`);
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

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  cleanups.push(() => client.end());
  const keyId = (await client.query(`select id from api_key where name = 'bench-intake'`)).rows[0].id;
  const userId = (await client.query(`select id from app_user where username = 'bench-dispatcher'`)).rows[0].id;
  const principals = { intakePrincipal: `key:${keyId}`, staffPrincipal: `user:${userId}` };
  await seedCrews(client);
  const started = Date.now();
  await growReports(client, size, principals, { log, histories });
  const open = (await client.query(`select count(*)::int as n from report where status in ('RECEIVED', 'ASSIGNED', 'IN_PROGRESS')`)).rows[0].n;
  log(`${size.toLocaleString('en')} reports (${open.toLocaleString('en')} open) seeded in ${((Date.now() - started) / 1000).toFixed(1)} s; server pid ${server.pid} at ${url}`);
  return { size, databaseUrl, url, server, client, intakeKey, dispatcherToken, principals, open };
}

/** One path's slices merged: latencies pooled, req/s over the measured seconds, CPU over every completed request. */
export function summarize(measured) {
  const latencies = measured.slices.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const seconds = measured.slices.reduce((sum, s) => sum + s.seconds, 0);
  const completed = measured.slices.reduce((sum, s) => sum + s.completed, 0);
  const total = (key) => measured.slices.reduce((sum, s) => sum + s.cpu[key], 0);
  return {
    label: measured.label,
    size: measured.size,
    requests: latencies.length,
    errors: measured.slices.reduce((sum, s) => sum + s.errors, 0),
    errorSamples: measured.slices.flatMap((s) => s.errorSamples).slice(0, 5),
    seconds,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
    meanResponseBytes: measured.slices.at(-1).meanResponseBytes,
    cpuPerRequestMs: { loadGenerator: total('loadGenerator') / completed, server: total('server') / completed, postgres: total('postgres') / completed },
  };
}
