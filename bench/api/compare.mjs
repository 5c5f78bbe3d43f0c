/**
 * Two builds of the server side by side, in one run: the queue page and the `{ __typename }` floor through
 * GraphQL over HTTP, against a built checkout of an earlier commit (`--base DIR`, a worktree whose
 * `dist/server` is built) and this checkout's `dist/server`. Each gets its own database on one embedded
 * PostgreSQL, seeded alike (the API benchmark's generator, `--size` reports), and the same load generator
 * drives both in alternating slices (old, new; then new, old), so background load falls on both alike.
 * Prints req/s and the server's CPU per request for each, and the ratio: what a change costs per request.
 *
 *   git worktree add /tmp/base <commit> && (cd /tmp/base && ln -s "$PWD/node_modules" . && npx tsc -p tsconfig.json)
 *   npm run build && node bench/api/compare.mjs --base /tmp/base
 *   flags: --base DIR  --size N  --slices N  --slice-s S  --concurrency N
 */
import { fork, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ROOT, freePort, processCpuMs, startBenchDatabase, waitHealthy } from '../lib.mjs';
import { growReports, seedCrews } from './seed.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const { values: flags } = parseArgs({
  options: {
    base: { type: 'string' },
    size: { type: 'string', default: '10000' },
    slices: { type: 'string', default: '6' },
    'slice-s': { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '16' },
  },
});
if (!flags.base) throw new Error('--base DIR: a checkout of the commit to compare with, built (dist/server)');
const sliceMs = Number(flags['slice-s']) * 1000;

/** Runs a built CLI to completion. */
function runCli(root, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'dist/server/cli.js'), ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(out))));
  });
}

/** One load-generator slice (bench/api/load.mjs) against one server. */
function drive(job) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(HERE, 'load.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (message) => (message.ok ? resolve(message.result) : reject(new Error(message.error))));
    child.send(job);
  });
}

const db = await startBenchDatabase({ prefix: 'balagh-compare-' });
const { dir } = db;
const builds = { base: path.resolve(flags.base), this: ROOT };
const servers = {};
try {
  for (const [name, root] of Object.entries(builds)) {
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`create database compare_${name}`);
    await admin.end();
    const databaseUrl = db.url.replace(/\/[^/]+$/, `/compare_${name}`);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const logFile = path.join(dir, `${name}.log`);
    const server = spawn(process.execPath, [path.join(root, 'dist/server/main.js')], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl, DEMO: 'false', LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1', CONSOLE_DIR: path.join(dir, 'no-console') },
      stdio: ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')],
    });
    servers[name] = { url, server };
    await waitHealthy(url, server, logFile);
    const password = 'compare-password-1';
    await runCli(root, ['user:create', '--username', 'bench-dispatcher', '--role', 'DISPATCHER'], { DATABASE_URL: databaseUrl, BALAGH_PASSWORD: password });
    const login = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', variables: { u: 'bench-dispatcher', p: password } }),
    }).then((response) => response.json());
    servers[name].token = login.data.login.token;
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await seedCrews(client);
    await growReports(client, Number(flags.size), { intakePrincipal: 'key:compare', staffPrincipal: 'user:compare' });
    await client.query('analyze');
    await client.end();
  }

  const totals = new Map();
  for (let slice = 0; slice < Number(flags.slices); slice++) {
    for (const mode of ['graphql-queue', 'graphql-floor']) {
      for (const name of slice % 2 ? ['this', 'base'] : ['base', 'this']) {
        const { url, token, server } = servers[name];
        const cpuBefore = processCpuMs(server.pid);
        const result = await drive({ mode, url, token, concurrency: Number(flags.concurrency), durationMs: sliceMs, warmupMs: 500, categories: [], municipalities: [] });
        const key = `${mode} ${name}`;
        const total = totals.get(key) ?? { requests: 0, completed: 0, ms: 0, cpu: 0 };
        total.requests += result.requests;
        total.completed += result.completed;
        total.ms += sliceMs;
        total.cpu += processCpuMs(server.pid) - cpuBefore;
        totals.set(key, total);
      }
    }
  }
  console.log(`\n${flags.size} reports, concurrency ${flags.concurrency}, ${flags.slices} alternating slices of ${flags['slice-s']} s; base ${builds.base}\n`);
  console.log('| path | build | req/s | server CPU ms/req | this / base (req/s) |\n|---|---|---:|---:|---:|');
  for (const mode of ['graphql-queue', 'graphql-floor']) {
    const base = totals.get(`${mode} base`);
    const current = totals.get(`${mode} this`);
    const rate = (total) => (total.requests / total.ms) * 1000;
    for (const [name, total] of [
      ['base', base],
      ['this', current],
    ]) {
      const ratio = name === 'this' ? `${((rate(current) / rate(base)) * 100).toFixed(0)} %` : '';
      console.log(`| ${mode.replace('graphql-', '')} | ${name} | ${rate(total).toFixed(1)} | ${(total.cpu / total.completed).toFixed(3)} | ${ratio} |`);
    }
  }
} finally {
  for (const { server } of Object.values(servers)) server.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await db.stop();
}
