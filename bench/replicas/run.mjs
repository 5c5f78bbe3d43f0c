/**
 * What each server process costs the database for live events (issue 10): every process (a replica, or a
 * worker of one) runs its own outbox reader, which reads each committed batch once, plus a backstop poll.
 * Starts one embedded PostgreSQL, then for N = 1, 2, 4, 8 the built server with WORKERS=N on it (N readers,
 * one port) and one dispatcher subscribed on each worker, files reports at a steady rate through GraphQL, and
 * measures from PostgreSQL's own counters: outbox reads (scans of the outbox's cursor index), PostgreSQL CPU
 * (the postmaster and every backend, from /proc), both per event written, and the same with no writes at all
 * (what N idle readers cost per second). Events reach every subscriber (checked), so the figures are for a
 * working feed, not an idle one.
 *
 *   npm run bench:replicas                      # 1, 2, 4, 8 processes, 20 events/s for 10 s each, 5 s idle
 *   flags: --counts 1,2,4,8  --rate N  --duration S  --idle S
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { cli, DIST, freePort, postgresCpuMs, sleep, startBenchDatabase, waitHealthy } from '../lib.mjs';

const { values: flags } = parseArgs({
  options: {
    counts: { type: 'string', default: '1,2,4,8' },
    rate: { type: 'string', default: '20' },
    duration: { type: 'string', default: '10' },
    idle: { type: 'string', default: '5' },
  },
});
const counts = flags.counts.split(',').map(Number);
const rate = Number(flags.rate);
const durationS = Number(flags.duration);
const idleS = Number(flags.idle);
const log = (line) => console.log(`[replicas] ${line}`);

if (!existsSync(path.join(DIST, 'main.js'))) {
  console.error('Build the server first: npm run build (or npm run bench:replicas, which does)');
  process.exit(1);
}

/** Scans of the outbox by its cursor index (every hub read uses it) and rows written, from PostgreSQL's statistics. */
async function counters(admin) {
  await admin.query('select pg_stat_clear_snapshot()');
  const { rows } = await admin.query(
    `select coalesce((select idx_scan from pg_stat_user_indexes where indexrelname = 'dispatch_event_cursor_index'), 0)::bigint as reads,
            (select count(*) from dispatch_event)::bigint as events`,
  );
  return { reads: Number(rows[0].reads), events: Number(rows[0].events) };
}

async function gql(url, query, variables, token) {
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const db = await startBenchDatabase({ prefix: 'balagh-bench-replicas-' });
const admin = new pg.Client({ connectionString: db.url });
await admin.connect();
const results = [];
try {
  // Users and a key once, through the CLI (migrating the database on the way).
  const env = { DATABASE_URL: db.url };
  await cli(['user:create', '--username', 'bench-dispatcher', '--role', 'DISPATCHER'], { ...env, BALAGH_PASSWORD: 'bench-password-1' });
  const keyOut = await cli(['apikey:create', '--name', 'bench-intake', '--role', 'INTAKE'], env);
  const key = /: (\S+)\n/.exec(keyOut)[1];

  for (const workers of counts) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const logFile = path.join(db.dir, `server-${workers}.log`);
    const out = createWriteStream(logFile);
    const server = spawn(process.execPath, [path.join(DIST, 'main.js')], {
      env: { ...process.env, DATABASE_URL: db.url, DEMO: 'false', PORT: String(port), HOST: '127.0.0.1', WORKERS: String(workers), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout.pipe(out);
    server.stderr.pipe(out);
    await waitHealthy(url, server, logFile);
    const { login } = await gql(url, 'mutation { login(username: "bench-dispatcher", password: "bench-password-1") { token } }', {}, '');

    // One subscriber per worker: new sockets until each worker has one (the upgrade names its worker).
    const clients = [];
    const received = new Map();
    const onWorkers = new Set();
    for (let attempt = 0; attempt < workers * 20 && onWorkers.size < workers; attempt++) {
      let worker;
      const Tracked = class extends WebSocket {
        constructor(address, protocols) {
          super(address, protocols);
          this.on('upgrade', (response) => (worker = response.headers['x-balagh-worker'] ?? '1'));
        }
      };
      const client = createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: Tracked, connectionParams: { authorization: `Bearer ${login.token}` }, retryAttempts: 0 });
      const seen = new Set();
      await new Promise((resolve) => {
        client.on('connected', resolve);
        client.subscribe(
          { query: 'subscription { dispatchEvents(filter: { types: [REPORT_CREATED] }) { report { id } } }' },
          { next: (r) => seen.add(r.data.dispatchEvents.report.id), error: () => undefined, complete: () => undefined },
        );
      });
      if (onWorkers.has(worker)) {
        await client.dispose();
        continue;
      }
      onWorkers.add(worker);
      clients.push(client);
      received.set(worker, seen);
    }
    await sleep(1000);

    // Idle: what N readers cost with nothing to read.
    const idleBefore = { ...(await counters(admin)), cpu: postgresCpuMs(db.postmasterPid) };
    await sleep(idleS * 1000);
    const idleAfter = { ...(await counters(admin)), cpu: postgresCpuMs(db.postmasterPid) };

    // Working: reports filed at `rate` a second.
    const before = { ...(await counters(admin)), cpu: postgresCpuMs(db.postmasterPid) };
    const filed = [];
    const started = Date.now();
    const total = Math.round(rate * durationS);
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / rate;
      await sleep(Math.max(0, due - Date.now()));
      const { createReport } = await gql(
        url,
        'mutation($input: CreateReportInput!) { createReport(input: $input) { id } }',
        {
          input: {
            idempotencyKey: `replicas-${workers}-${i}-${Date.now()}`,
            kind: 'INCIDENT',
            channel: 'BALAGHATI_APP',
            categoryCode: 'POTHOLE',
            description: 'bench replicas',
            location: { lat: 26.2794, lng: 50.2083 },
          },
        },
        key,
      );
      filed.push(createReport.id);
    }
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && [...received.values()].some((seen) => filed.some((id) => !seen.has(id)))) await sleep(50);
    const after = { ...(await counters(admin)), cpu: postgresCpuMs(db.postmasterPid) };
    const missing = [...received.values()].reduce((sum, seen) => sum + filed.filter((id) => !seen.has(id)).length, 0);
    const events = after.events - before.events;
    const row = {
      workers,
      subscribedWorkers: onWorkers.size,
      events,
      readsPerEvent: (after.reads - before.reads) / events,
      pgCpuMsPerEvent: (after.cpu - before.cpu) / events,
      idleReadsPerSecond: (idleAfter.reads - idleBefore.reads) / idleS,
      idlePgCpuPercent: ((idleAfter.cpu - idleBefore.cpu) / (idleS * 1000)) * 100,
      missing,
    };
    results.push(row);
    log(
      `${workers} processes (${onWorkers.size} with a subscriber): ${events} events, ${row.readsPerEvent.toFixed(2)} outbox reads and ${row.pgCpuMsPerEvent.toFixed(2)} ms PostgreSQL CPU per event; idle ${row.idleReadsPerSecond.toFixed(1)} reads/s, PostgreSQL ${row.idlePgCpuPercent.toFixed(1)} % CPU; missed deliveries ${missing}`,
    );
    await Promise.all(clients.map((client) => client.dispose()));
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  }
} finally {
  await admin.end();
  await db.stop();
}

console.log(`\n${rate} reports/s for ${durationS} s per row; each row a new server with WORKERS=N on the same database\n`);
console.log('| server processes | events | outbox reads / event | PostgreSQL CPU ms / event | idle outbox reads / s | idle PostgreSQL CPU | missed deliveries |');
console.log('|---:|---:|---:|---:|---:|---:|---:|');
for (const row of results) {
  console.log(
    `| ${row.workers} | ${row.events} | ${row.readsPerEvent.toFixed(2)} | ${row.pgCpuMsPerEvent.toFixed(2)} | ${row.idleReadsPerSecond.toFixed(1)} | ${row.idlePgCpuPercent.toFixed(1)} % | ${row.missing} |`,
  );
}
const first = results[0];
const last = results.at(-1);
if (first && last && last !== first) {
  console.log(
    `\nFrom ${first.workers} to ${last.workers} processes: outbox reads per event ×${(last.readsPerEvent / first.readsPerEvent).toFixed(1)}, PostgreSQL CPU per event ×${(last.pgCpuMsPerEvent / first.pgCpuMsPerEvent).toFixed(2)}`,
  );
}
