/**
 * The satisfaction center's claim (issue 12): how fast `claimNextFollowUp` hands an agent the oldest callable
 * follow-up when 100,000 are due at once. Starts one embedded PostgreSQL and the built server on it (which migrates
 * it and seeds the reference data), creates the agents with the CLI (`user:create --role AGENT`), then loads in
 * bulk with set-based SQL: `--due` RESOLVED reports whose follow-ups are PENDING and due (over the last 30 days,
 * some already tried), `--later` PENDING ones due in the next three days, and `--done` CLOSED reports with their
 * REACHED or UNREACHABLE follow-ups (the history the partial index leaves out); then `vacuum analyze`. It measures
 * `claimNextFollowUp` through GraphQL over HTTP with one agent per request in flight (a separate load-generator
 * process, agents.mjs) at each concurrency, in two workloads: `claim` (claim after claim: each gives back the one
 * the agent held) and `claim-record` (claim, then record NO_ANSWER: the head of the queue moves on), and prints
 * EXPLAIN (ANALYZE, BUFFERS) of the claim's two statements, copied from FollowUpsService.claimNext, before and
 * after the load. Each run starts from `vacuum analyze follow_up` and no claims held. PostgreSQL runs with
 * pg_stat_statements, and each run prints the statements that took its time (counters reset before the run).
 *
 *   npm run bench:followups
 *   flags: --due N (100000) --later N (10000) --done N (100000) --agents N (10) --concurrency 10,1
 *          --modes claim,claim-record --duration S (15) --warmup S (3) --keep
 */
import { fork, spawn } from 'node:child_process';
import { createWriteStream, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { cli, DIST, freePort, postgresCpuMs, startBenchDatabase, treeCpuMs, waitHealthy } from '../lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const { values: flags } = parseArgs({
  options: {
    due: { type: 'string', default: '100000' },
    later: { type: 'string', default: '10000' },
    done: { type: 'string', default: '100000' },
    agents: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '10,1' },
    modes: { type: 'string', default: 'claim,claim-record' },
    duration: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '3' },
    keep: { type: 'boolean', default: false },
  },
});
const due = Number(flags.due);
const later = Number(flags.later);
const done = Number(flags.done);
const agentCount = Number(flags.agents);
const concurrencies = flags.concurrency.split(',').map(Number);
const modes = flags.modes.split(',');
const log = (line) => console.log(`[followups] ${line}`);
const PASSWORD = 'bench-agent-password';
const CLAIM_MINUTES = 15;

if (!existsSync(path.join(DIST, 'main.js'))) {
  console.error('Build the server first: npm run build (or npm run bench:followups, which does)');
  process.exit(1);
}
if (Math.max(...concurrencies) > agentCount) {
  console.error(`--agents (${agentCount}) must cover the highest concurrency (${Math.max(...concurrencies)}): one agent per request in flight`);
  process.exit(1);
}

/** The p-th percentile of sorted latencies. */
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** A timestamptz literal, as MikroORM's `em.execute` inlines a Date into the statement the server sends. */
const at = (date) => `'${date.toISOString()}'`;

/**
 * FollowUpsService.claimNext's two statements, with the literals the server would send for `agent` now: first the
 * agent's held follow-up is given back, then the oldest callable one nobody holds is taken.
 */
function claimStatements(agent, now = new Date()) {
  const until = new Date(now.getTime() + CLAIM_MINUTES * 60_000);
  return {
    release: `update follow_up set claimed_by = null, claimed_by_name = null, claimed_until = null, version = version + 1 where claimed_by = '${agent.id}' and status = 'PENDING'`,
    claim: `update follow_up set claimed_by = '${agent.id}', claimed_by_name = '${agent.name}', claimed_until = ${at(until)}, version = version + 1
         where id = (select id from follow_up where status = 'PENDING' and next_attempt_at <= ${at(now)} and (claimed_until is null or claimed_until <= ${at(now)})
                     order by next_attempt_at, id limit 1 for update skip locked)
         returning id`,
  };
}

/** EXPLAIN (ANALYZE, BUFFERS) of both statements in a transaction rolled back, so nothing stays claimed. */
async function explainClaim(client, agent) {
  const { release, claim } = claimStatements(agent);
  await client.query('begin');
  try {
    const plan = async (sql) => (await client.query(`explain (analyze, buffers) ${sql}`)).rows.map((row) => row['QUERY PLAN']).join('\n');
    return { release: await plan(release), claim: await plan(claim) };
  } finally {
    await client.query('rollback');
  }
}

/** Runs one job in a fresh load-generator process. */
function drive(job) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(HERE, 'agents.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (message) => (message.ok ? resolve(message.result) : reject(new Error(message.error))));
    child.once('exit', (code) => code !== 0 && reject(new Error(`load generator exited with ${code}`)));
    child.send(job);
  });
}

/**
 * Reports `from`..`to` (one statement): RESOLVED ones with a PENDING follow-up due in the past 30 days (five in
 * eight already tried once or twice), then PENDING ones due in the next three days, then CLOSED ones whose follow-up
 * ended REACHED (85 %) or UNREACHABLE within the last year. Every reporter has a Saudi mobile number.
 */
async function insertBatch(client, from, to, categories, municipalities) {
  await client.query(
    `with src as (
       select g,
              case when g <= $3 then 'due' when g <= $3 + $4 then 'later' else 'done' end as fate,
              ($5::text[])[1 + (g % array_length($5::text[], 1))::int] as cat,
              ($6::text[])[1 + ((g / 7) % array_length($6::text[], 1))::int] as muni,
              random() as u, random() as v
       from generate_series($1::bigint, $2::bigint) g
     ), timed as (
       select s.*, c.default_priority, c.target_hours, m.lat, m.lng,
              case s.fate
                when 'due' then now() - s.u * interval '30 days'
                when 'later' then now() + s.u * interval '3 days'
                else now() - interval '2 days' - s.u * interval '365 days'
              end as next_at
       from src s join category c on c.code = s.cat join municipality m on m.code = s.muni
     ), reports as (
       insert into report (id, reference, kind, channel, category_code, priority, priority_rank, status, description, lat, lng, address, municipality_code,
                           reporter_name, reporter_phone, reporter_phone_e164, beneficiary_type, received_at, target_at, submitted_by, idempotency_key, updated_at, version)
       select gen_random_uuid(), '940-2026-' || to_char(nextval('report_reference_seq'), 'FM000000999999'), 'INCIDENT', 'BALAGHATI_APP', t.cat, t.default_priority,
              case t.default_priority when 'CRITICAL' then 0 when 'HIGH' then 1 when 'NORMAL' then 2 else 3 end,
              case t.fate when 'done' then 'CLOSED' else 'RESOLVED' end,
              'bench follow-up', t.lat + (t.u - 0.5) * 0.04, t.lng + (t.v - 0.5) * 0.04, null, t.muni,
              'bench reporter', '05' || lpad((t.g % 100000000)::text, 8, '0'), '+9665' || lpad((t.g % 100000000)::text, 8, '0'),
              (array['CITIZEN', 'CITIZEN', 'CITIZEN', 'RESIDENT', 'RESIDENT', 'CONTRACTOR', 'INVESTOR'])[1 + (t.g % 7)::int],
              t.next_at - interval '2 days', t.next_at - interval '2 days' + t.target_hours * interval '1 hour', 'key:bench-followups', 'bench-fu-' || t.g,
              t.next_at - interval '2 hours', 5
       from timed t
       returning id, reporter_phone_e164, beneficiary_type, idempotency_key, received_at
     )
     insert into follow_up (id, report_id, status, phone, beneficiary_type, due_at, next_attempt_at, attempts, unanswered, satisfaction, fixed, closed_reason,
                            created_at, completed_at, completed_by, version)
     select gen_random_uuid(), r.id,
            case when t.fate <> 'done' then 'PENDING' when t.v < 0.85 then 'REACHED' else 'UNREACHABLE' end,
            r.reporter_phone_e164, r.beneficiary_type,
            r.received_at + interval '2 days', t.next_at,
            case when t.fate = 'later' then 1 when t.fate = 'due' then (t.v * 4)::int % 3 else 1 end,
            case when t.fate = 'later' then 1 when t.fate = 'due' then (t.v * 4)::int % 3 else 0 end,
            case when t.fate = 'done' and t.v < 0.85 then 1 + (t.g % 5)::int end,
            case when t.fate = 'done' and t.v < 0.85 then (case when t.u < 0.9 then 'YES' else 'PARTLY' end) end,
            case when t.fate = 'done' and t.v >= 0.85 then 'no answer after 3 attempts' end,
            r.received_at + interval '46 hours',
            case when t.fate = 'done' then t.next_at + interval '1 hour' end,
            case when t.fate = 'done' then 'bench-agent-01' end,
            2
     from reports r join timed t on 'bench-fu-' || t.g = r.idempotency_key`,
    [from, to, due, later, categories, municipalities],
  );
}

/** Where each run's PostgreSQL time went: the statements by total execution time, from pg_stat_statements (reset before the run). */
async function topStatements(client, limit = 6) {
  const { rows } = await client.query(
    `select calls::int, total_exec_time, mean_exec_time, rows::int, regexp_replace(query, '\\s+', ' ', 'g') as query
     from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database()) and query not ilike '%pg_stat_statements%'
     order by total_exec_time desc limit $1`,
    [limit],
  );
  return rows.map((row) => ({ calls: row.calls, totalMs: row.total_exec_time, meanMs: row.mean_exec_time, rows: row.rows, query: row.query.slice(0, 240) }));
}

const db = await startBenchDatabase({
  prefix: 'balagh-bench-followups-',
  keep: flags.keep,
  settings: { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' },
  onDir: (dir) => log(`database and logs in ${dir}`),
});
const admin = new pg.Client({ connectionString: db.url });
let server;
const results = [];
const plans = {};
let versions;
try {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = path.join(db.dir, 'server.log');
  const out = createWriteStream(logFile);
  server = spawn(process.execPath, [path.join(DIST, 'main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      DEMO: 'false',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      CONSOLE_DIR: path.join(db.dir, 'no-console'),
      FOLLOWUP_CLAIM_MINUTES: String(CLAIM_MINUTES),
      // Calls around the clock, every day: the claim hands out nothing outside calling hours, and a benchmark runs whenever it is run.
      FOLLOWUP_CALL_HOURS: '00:00-24:00',
      FOLLOWUP_CLOSED_WEEKDAYS: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.pipe(out);
  server.stderr.pipe(out);
  await waitHealthy(url, server, logFile);
  await admin.connect();
  await admin.query('create extension if not exists pg_stat_statements');

  // The agents, through the CLI, and a session each.
  const agents = [];
  for (let i = 1; i <= agentCount; i++) {
    const name = `bench-agent-${String(i).padStart(2, '0')}`;
    await cli(['user:create', '--username', name, '--role', 'AGENT'], { DATABASE_URL: db.url, BALAGH_PASSWORD: PASSWORD });
    const login = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', variables: { u: name, p: PASSWORD } }),
    }).then((r) => r.json());
    if (!login.data?.login?.token) throw new Error(`login of ${name} failed: ${JSON.stringify(login)}`);
    const { rows } = await admin.query('select id from app_user where username = $1', [name]);
    agents.push({ name, id: rows[0].id, token: login.data.login.token });
  }
  log(`${agentCount} agents created and signed in`);

  // The follow-ups and their reports, in batches, foreign-key triggers off (the rows are valid by construction).
  const categories = (await admin.query(`select code from category where department_code <> 'CALL_CENTER' order by code`)).rows.map((row) => row.code);
  const municipalities = (await admin.query('select code from municipality order by code')).rows.map((row) => row.code);
  const total = due + later + done;
  const started = Date.now();
  await admin.query('set session_replication_role = replica');
  for (let from = 1; from <= total; from += 50_000) await insertBatch(admin, from, Math.min(total, from + 49_999), categories, municipalities);
  await admin.query('set session_replication_role = origin');
  await admin.query('vacuum analyze report, follow_up');
  const counts = (
    await admin.query(`select status, count(*)::int as n, count(*) filter (where status = 'PENDING' and next_attempt_at <= now())::int as due_now from follow_up group by status order by status`)
  ).rows;
  log(
    `${total.toLocaleString('en')} reports and follow-ups in ${((Date.now() - started) / 1000).toFixed(1)} s: ${counts.map((row) => `${row.status} ${row.n.toLocaleString('en')}${row.status === 'PENDING' ? ` (${row.due_now.toLocaleString('en')} due now)` : ''}`).join(', ')}`,
  );
  versions = {
    node: process.version,
    postgres: (await admin.query('show server_version')).rows[0].server_version,
  };

  plans.before = await explainClaim(admin, agents[0]);
  log(`claim statement before the load:\n${plans.before.claim}`);
  log(`release statement before the load:\n${plans.before.release}`);

  for (const mode of modes) {
    for (const concurrency of concurrencies) {
      await admin.query('update follow_up set claimed_by = null, claimed_by_name = null, claimed_until = null where claimed_by is not null');
      await admin.query('vacuum analyze follow_up');
      const dueBefore = (await admin.query(`select count(*)::int as n from follow_up where status = 'PENDING' and next_attempt_at <= now()`)).rows[0].n;
      await admin.query('select pg_stat_statements_reset()');
      const cpu = { server: treeCpuMs(server.pid), postgres: postgresCpuMs(db.postmasterPid) };
      const result = await drive({ mode, url, tokens: agents.map((agent) => agent.token), concurrency, warmupMs: Number(flags.warmup) * 1000, durationMs: Number(flags.duration) * 1000 });
      const serverMs = treeCpuMs(server.pid) - cpu.server;
      const postgresMs = postgresCpuMs(db.postmasterPid) - cpu.postgres;
      const requests = result.completed;
      const row = {
        mode,
        concurrency,
        dueBefore,
        claims: result.claims.length,
        claimsPerSecond: result.claims.length / result.seconds,
        p50: percentile(result.claims, 50),
        p90: percentile(result.claims, 90),
        p99: percentile(result.claims, 99),
        max: result.claims.at(-1),
        records: result.records.length,
        recordP50: percentile(result.records, 50),
        recordP99: percentile(result.records, 99),
        empty: result.empty,
        errors: result.errors,
        errorSamples: result.errorSamples,
        cpuMsPerRequest: { loadGenerator: result.cpuMs / requests, server: serverMs / requests, postgres: postgresMs / requests },
        statements: await topStatements(admin),
      };
      results.push(row);
      log(
        `${mode} c=${concurrency}: ${row.claims} claims, ${row.claimsPerSecond.toFixed(1)}/s, p50 ${row.p50.toFixed(2)} ms, p99 ${row.p99.toFixed(2)} ms, max ${row.max.toFixed(2)} ms` +
          (row.records ? `; ${row.records} records, p50 ${row.recordP50.toFixed(2)} ms, p99 ${row.recordP99.toFixed(2)} ms` : '') +
          `; empty ${row.empty}, errors ${row.errors}${row.errors ? ` (${row.errorSamples[0]})` : ''}; CPU ms/request: load gen ${row.cpuMsPerRequest.loadGenerator.toFixed(2)}, server ${row.cpuMsPerRequest.server.toFixed(2)}, PostgreSQL ${row.cpuMsPerRequest.postgres.toFixed(2)}`,
      );
      for (const statement of row.statements) log(`    ${statement.calls} × ${statement.meanMs.toFixed(3)} ms = ${statement.totalMs.toFixed(0)} ms: ${statement.query.slice(0, 150)}`);
    }
  }

  plans.after = await explainClaim(admin, agents[0]);
  log(`claim statement after the load (no vacuum since the last run):\n${plans.after.claim}`);
} finally {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  }
  await admin.end().catch(() => undefined);
  await db.stop();
}

const usesIndex = (plan) => plan.includes('follow_up_callable_index');
console.log(`\n${due.toLocaleString('en')} due follow-ups (+${later.toLocaleString('en')} later, ${done.toLocaleString('en')} done); one agent per request in flight\n`);
console.log('| workload | concurrency | claims/s | claim p50 ms | claim p90 ms | claim p99 ms | claim max ms | record p50 / p99 ms | CPU ms/request: load gen, server, PostgreSQL | errors |');
console.log('|---|---:|---:|---:|---:|---:|---:|---|---|---:|');
for (const row of results) {
  const record = row.records ? `${row.recordP50.toFixed(2)} / ${row.recordP99.toFixed(2)}` : '';
  const cpu = row.cpuMsPerRequest;
  console.log(
    `| ${row.mode} | ${row.concurrency} | ${row.claimsPerSecond.toFixed(1)} | ${row.p50.toFixed(2)} | ${row.p90.toFixed(2)} | ${row.p99.toFixed(2)} | ${row.max.toFixed(2)} | ${record} | ${cpu.loadGenerator.toFixed(2)}, ${cpu.server.toFixed(2)}, ${cpu.postgres.toFixed(2)} | ${row.errors} |`,
  );
}
const worstP99 = Math.max(...results.map((row) => row.p99));
console.log(
  `\nTarget: p99 under 20 ms (worst ${worstP99.toFixed(2)} ms: ${worstP99 < 20 ? 'met' : 'MISSED'}); the claim uses follow_up_callable_index: before the load ${usesIndex(plans.before.claim) ? 'yes' : 'NO'}, after ${usesIndex(plans.after?.claim ?? '') ? 'yes' : 'NO'}`,
);
writeFileSync(path.join(HERE, 'last-run.json'), JSON.stringify({ at: new Date().toISOString(), flags, versions, results, plans }, null, 2) + '\n');
