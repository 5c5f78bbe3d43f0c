/**
 * Issue 3's fan-out benchmark. Starts a dedicated embedded PostgreSQL (with track_commit_timestamp), the
 * built server (dist/server/main.js) on it and, as the baseline, a bare `ws` broadcast server
 * (bare-ws-server.mjs), each as a child process; then, from separate processes, subscribers
 * (subscribers.mjs, sockets spread over --procs processes) while a writer (writer.mjs) commits report
 * changes at a fixed rate (`triageReport` over HTTP; for the baseline, a POST to the bare server).
 *
 * 1. Memory per idle subscribed connection at the large size, for each server: RSS before and after
 *    connecting, after a 5 s pause, and again after a forced full GC (memory-probe.mjs).
 * 2. The large size at --large-rate for --duration s per server, in alternating 10 s windows (bare,
 *    server, bare, …) after a 3 s warm-up, so the other engineers' load falls on both alike.
 * 3. A ramp of event rates at the large size, --step s a step, alternating servers, each until a step
 *    (after up to 3 attempts) loses, duplicates or reorders an event, closes a socket, falls behind the
 *    offered rate or has p99 above --max-p99-ms: the highest sustained delivery rate of each.
 * 4. The server alone with the large size split into --groups distinct subscriptions at --large-rate.
 * 5. The small size at --small-rate for --duration s per server, alternating as in 2.
 *
 * Latency is commit to receive: the subscriber's clock minus the commit timestamp PostgreSQL recorded for
 * the event's transaction (same machine, same clock); for the bare server, minus the moment the writer
 * sent the event. Loss is checked per event key and socket. Prints one table per scenario with each
 * target met or missed, and writes bench/fanout/last-run.json.
 *
 *   npm run bench:fanout                                # the full run (about 10 minutes)
 *   npm run bench:fanout -- --quick                     # 10 s windows, 5 s ramp steps, 2,000 / 200 subscribers
 *   flags: --duration S  --step S  --large N  --small N  --large-rate R  --small-rate R  --ramp 2,3,4,…
 *          --groups G  --procs P  --max-p99-ms MS  --only bare|graphql  --skip ramp,groups,small,large
 *          --cpu-prof (writes the server's CPU profile to bench/fanout/profiles/)  --keep
 */
import { fork, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { DIST, ROOT, cli, freePort, postgresCpuMs, processCpuMs, sleep, startBenchDatabase } from '../lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    duration: { type: 'string' },
    step: { type: 'string' },
    large: { type: 'string' },
    small: { type: 'string' },
    'large-rate': { type: 'string', default: '4' },
    'small-rate': { type: 'string', default: '20' },
    ramp: { type: 'string', default: '2,3,4,4.5,5,5.5,6,6.5,7,8,9,10,12,14,16,20,25,30,40' },
    groups: { type: 'string', default: '20' },
    procs: { type: 'string', default: '4' },
    'max-p99-ms': { type: 'string', default: '1000' },
    only: { type: 'string' },
    skip: { type: 'string', default: '' },
    'cpu-prof': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const quick = flags.quick;
const durationS = Number(flags.duration ?? (quick ? 10 : 30));
const stepS = Number(flags.step ?? (quick ? 5 : 10));
const large = Number(flags.large ?? (quick ? 2000 : 10_000));
const small = Number(flags.small ?? (quick ? 200 : 1000));
const largeRate = Number(flags['large-rate']);
const smallRate = Number(flags['small-rate']);
const rampRates = flags.ramp.split(',').map(Number);
const groupCount = Number(flags.groups);
const procs = Number(flags.procs);
const maxP99 = Number(flags['max-p99-ms']);
const skip = new Set(flags.skip.split(',').filter(Boolean));
const targets = flags.only ? [flags.only] : ['bare', 'graphql'];

const SUBSCRIPTION = (name) => `subscription ${name} { dispatchEvents(filter: { types: [REPORT_UPDATED] }) { cursor type occurredAt report { id version status priority } } }`;
const REPORTS = 64;
/** Longest single window when both servers alternate. */
const ROUND_S = 10;
/** An unmeasured window at the scenario's rate first, so neither server is measured while it warms up. */
const WARM_UP_S = 3;
/** Attempts at a ramp step before it counts as not sustained (the machine is shared and noisy). */
const STEP_ATTEMPTS = 3;

const log = (line) => console.log(`[fanout] ${line}`);
const clock = () => performance.timeOrigin + performance.now();
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const int = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : '–');

function rssKiB(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : NaN;
}

if (!existsSync(path.join(DIST, 'main.js'))) {
  console.error('dist/server/main.js is missing: run `npx tsc -p tsconfig.json` (npm run bench:fanout does it)');
  process.exit(2);
}

async function graphqlHttp(url, query, variables, token) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors?.length || !body.data) throw new Error(JSON.stringify(body.errors ?? body).slice(0, 500));
  return body.data;
}

/** A forked helper answering `{ id, cmd, args }` with `{ id, ok, result | error }`. */
function helper(file, name) {
  const child = fork(path.join(HERE, file), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--max-old-space-size=2048'] });
  const waiting = new Map();
  let seq = 0;
  child.on('message', ({ id, ok, result, error }) => {
    const pending = waiting.get(id);
    waiting.delete(id);
    if (ok) pending?.resolve(result);
    else pending?.reject(new Error(`${name}: ${error}`));
  });
  child.on('exit', (code) => {
    for (const pending of waiting.values()) pending.reject(new Error(`${name} exited with ${code}`));
    waiting.clear();
  });
  return {
    child,
    call(cmd, args) {
      const id = ++seq;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        child.send({ id, cmd, args });
      });
    },
  };
}

function percentileOf(hist, total, p) {
  if (total === 0) return NaN;
  const rank = Math.ceil((p / 100) * total);
  let seen = 0;
  for (const [bucket, count] of hist) {
    seen += count;
    if (seen >= rank) return (bucket + 1) * 0.1;
  }
  return NaN;
}

async function waitFor(predicate, what, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
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
    const db = await startBenchDatabase({ prefix: 'balagh-fanout-', keep: flags.keep, settings: { track_commit_timestamp: 'on' }, onDir: (dir) => log(`data in ${dir}`) });
    cleanups.push(db.stop);
    const { dir, postmasterPid } = db;
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    cleanups.push(() => admin.end());
    const postgresVersion = (await admin.query('show server_version')).rows[0].server_version;
    if ((await admin.query('show track_commit_timestamp')).rows[0].track_commit_timestamp !== 'on') throw new Error('track_commit_timestamp is off');

    const probeFile = (name) => path.join(dir, `${name}-memory.json`);
    const profileDir = path.join(HERE, 'profiles');
    const nodeArgs = (name) => ['--expose-gc', '--import', path.join(HERE, 'memory-probe.mjs'), ...(flags['cpu-prof'] && name === 'graphql' ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])];
    if (flags['cpu-prof']) mkdirSync(profileDir, { recursive: true });

    const startChild = (name, args, env) => {
      const out = openSync(path.join(dir, `${name}.log`), 'a');
      const child = spawn(process.execPath, [...nodeArgs(name), ...args], { cwd: ROOT, env: { ...process.env, ...env, BENCH_PROBE_FILE: probeFile(name) }, stdio: ['ignore', 'pipe', out] });
      cleanups.push(async () => {
        if (child.exitCode !== null) return;
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      });
      return child;
    };

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const server = startChild('graphql', [path.join(DIST, 'main.js')], {
      DATABASE_URL: db.url,
      DEMO: 'false',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
      CONSOLE_DIR: path.join(dir, 'no-console'),
    });
    server.stdout.resume();
    await waitFor(async () => {
      if (server.exitCode !== null) throw new Error(`server exited (${server.exitCode}): ${readFileSync(path.join(dir, 'graphql.log'), 'utf8').slice(-3000)}`);
      return fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
    }, 'the server');
    log(`server (pid ${server.pid}) up at ${url}`);

    const password = randomBytes(12).toString('hex');
    await cli(['user:create', '--username', 'bench-dispatcher', '--role', 'DISPATCHER'], { DATABASE_URL: db.url, BALAGH_PASSWORD: password });
    const token = (await graphqlHttp(url, 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', { u: 'bench-dispatcher', p: password })).login.token;
    const reportIds = [];
    for (let i = 0; i < REPORTS; i++) {
      const input = {
        idempotencyKey: randomUUID(),
        kind: 'INCIDENT',
        channel: 'BALAGHATI_APP',
        categoryCode: 'POTHOLE',
        description: `fan-out bench report ${i}`,
        location: { lat: 26.2794, lng: 50.2083 },
      };
      reportIds.push((await graphqlHttp(url, 'mutation($input: CreateReportInput!) { createReport(input: $input) { id } }', { input }, token)).createReport.id);
    }
    log(`dispatcher signed in; ${REPORTS} reports to triage`);

    const bare = startChild('bare', [path.join(HERE, 'bare-ws-server.mjs')], { PORT: '0' });
    const barePort = await new Promise((resolve, reject) => {
      bare.stdout.once('data', (chunk) => resolve(Number(/listening (\d+)/.exec(String(chunk))?.[1])));
      bare.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
    });
    bare.stdout.resume();
    log(`bare ws server (pid ${bare.pid}) on port ${barePort}`);

    const subscribers = Array.from({ length: procs }, (_, i) => helper('subscribers.mjs', `subscribers ${i}`));
    const writer = helper('writer.mjs', 'writer');
    cleanups.push(async () => {
      await Promise.all([...subscribers, writer].map((h) => h.call('exit').catch(() => undefined)));
    });

    const servers = {
      bare: { pid: bare.pid, wsUrl: `ws://127.0.0.1:${barePort}/`, writerUrl: `http://127.0.0.1:${barePort}/publish` },
      graphql: { pid: server.pid, wsUrl: `ws://127.0.0.1:${port}/graphql`, writerUrl: `${url}/graphql` },
    };
    const all = (cmd, args) => Promise.all(subscribers.map((s, i) => s.call(cmd, typeof args === 'function' ? args(i) : args)));
    const write = (target, rate, durationMs) => writer.call('run', { target, url: servers[target].writerUrl, token, reportIds, rate, durationMs });

    /** Opens `n` more subscribed sockets to `target`, spread evenly over the subscriber processes. */
    const connect = async (target, n, queries = [SUBSCRIPTION('Bench')]) => {
      const t0 = Date.now();
      const per = Math.ceil(n / procs);
      const replies = await all('connect', (i) => ({
        target,
        url: servers[target].wsUrl,
        token,
        queries,
        count: Math.max(0, Math.min(per, n - i * per)),
        offset: i * per,
        localAddress: `127.0.0.${10 + i}`,
        concurrency: 50,
      }));
      const connected = replies.reduce((sum, r) => sum + r.connected, 0);
      const failures = replies.flatMap((r) => r.failures);
      log(
        `${target}: ${connected.toLocaleString('en')}/${n.toLocaleString('en')} sockets subscribed in ${((Date.now() - t0) / 1000).toFixed(1)} s${failures.length ? ` (failures: ${failures.join('; ')})` : ''}`,
      );
      if (connected < n) throw new Error(`${target}: only ${connected}/${n} sockets connected`);
      await live(target);
    };

    /** Reconnects sockets a failed step closed, so the next step has `n` again. */
    const topUp = async (target, n) => {
      const open = (await all('count', { target })).reduce((sum, r) => sum + r.open, 0);
      if (open >= n) return;
      log(`${target}: reconnecting ${n - open} closed sockets`);
      await all('close', { target });
      await connect(target, n);
    };

    /** Commits one event at a time until every socket has received one: all subscriptions are live. */
    const live = async (target) => {
      for (let attempt = 1; attempt <= 10; attempt++) {
        await all('reset', { target });
        const { keys, timings } = await write(target, 1, 1000);
        const replies = await all('waitEach', { target, timeoutMs: 5000 });
        const missing = replies.reduce((sum, r) => sum + r.missing, 0);
        await all('drain', { target, keys, origins: timings.map(([sentAt]) => sentAt), timeoutMs: 5000 });
        if (missing === 0) return;
        log(`${target}: ${missing} sockets not live yet (probe ${attempt})`);
      }
      throw new Error(`${target}: subscriptions did not all go live`);
    };

    /** When each written event's transaction committed (track_commit_timestamp), in the writer's order. */
    const commitTimes = async (afterId, keys) => {
      const { rows } = await admin.query(
        `select report_id::text || ':' || (payload->'report'->>'version') as key, extract(epoch from pg_xact_commit_timestamp(xmin)) * 1000 as committed
         from dispatch_event where id > $1 and type = 'REPORT_UPDATED'`,
        [afterId],
      );
      const committed = new Map(rows.map((row) => [row.key, Number(row.committed)]));
      return keys.map((key) => {
        const at = committed.get(key);
        if (at === undefined || !Number.isFinite(at)) throw new Error(`no commit timestamp for ${key}`);
        return at;
      });
    };

    const close = async (target) => {
      await all('close', { target });
      await sleep(2000);
    };

    /** One measured window: `rate` events a second for `seconds` to every open socket of `target`. */
    const window = async (target, rate, seconds) => {
      await all('reset', { target });
      const pid = servers[target].pid;
      const cpu0 = { server: processCpuMs(pid), postgres: postgresCpuMs(postmasterPid) };
      const before = target === 'graphql' ? (await admin.query('select coalesce(max(id), 0)::text as id from dispatch_event')).rows[0].id : null;
      const t0 = clock();
      const written = await write(target, rate, seconds * 1000);
      const origins = target === 'graphql' ? await commitTimes(before, written.keys) : written.timings.map(([sentAt]) => sentAt);
      const replies = await all('drain', { target, keys: written.keys, origins, timeoutMs: Math.max(10_000, maxP99 * 5) });
      const t1 = clock();
      const cpu1 = { server: processCpuMs(pid), postgres: postgresCpuMs(postmasterPid) };
      const hist = new Map();
      for (const reply of replies) for (const [bucket, count] of reply.hist) hist.set(bucket, (hist.get(bucket) ?? 0) + count);
      const sum = (field) => replies.reduce((total, r) => total + r[field], 0);
      const closed = {};
      for (const reply of replies) for (const [code, count] of Object.entries(reply.closed)) closed[code] = (closed[code] ?? 0) + count;
      const lastReceive = Math.max(...replies.map((r) => r.lastReceive));
      const firsts = [];
      const roundTrips = [];
      written.keys.forEach((_, i) => {
        const seen = replies.map((r) => r.firsts[i]).filter(Boolean);
        if (seen.length > 0) firsts.push(Math.min(...seen.map(([, receivedAt]) => receivedAt)) - origins[i]);
        roundTrips.push(written.timings[i][1] - written.timings[i][0]);
      });
      return summarize([
        {
          target,
          subscribers: sum('expected'),
          rate,
          seconds,
          events: written.keys.length,
          attempted: written.attempted,
          writerFailed: written.failed,
          writerSkipped: written.skipped,
          writerErrors: written.errors,
          deliveries: sum('deliveries'),
          spanMs: Math.max(seconds * 1000, lastReceive - t0),
          wallMs: t1 - t0,
          hist: [...hist],
          firsts,
          roundTrips,
          max: Math.max(...replies.map((r) => r.maxLatency)),
          lost: sum('lost'),
          duplicates: sum('duplicates'),
          outOfOrder: sum('outOfOrder'),
          unknown: sum('unknown'),
          closed,
          protocolErrors: replies.flatMap((r) => r.protocolErrors).slice(0, 3),
          serverCpuMs: cpu1.server - cpu0.server,
          postgresCpuMs: cpu1.postgres - cpu0.postgres,
          clientCpuMs: sum('cpuMs'),
        },
      ]);
    };

    /**
     * Measures both servers at the same size and rate in alternating windows (bare, server, bare, …), so
     * the other engineers' load on the machine falls on both alike; `seconds` in all per server.
     */
    const alternate = async (rate, seconds, only = targets) => {
      const rounds = Math.max(1, Math.round(seconds / Math.min(seconds, ROUND_S)));
      const parts = { bare: [], graphql: [] };
      for (const target of only) await window(target, rate, WARM_UP_S);
      for (let round = 0; round < rounds; round++) {
        for (const target of only) {
          await sleep(1000);
          const part = await window(target, rate, seconds / rounds);
          log(`  window ${round + 1}/${rounds}: ${target} p50 ${fmt(part.p50)} ms, p99 ${fmt(part.p99)} ms, max ${fmt(part.max)} ms, ${int(part.deliveriesPerS)} deliveries/s, lost ${part.lost}`);
          parts[target].push(part);
        }
      }
      return Object.fromEntries(only.map((target) => [target, summarize(parts[target])]));
    };

    const describe = (r) =>
      `${r.target} ${int(r.subscribers)} subs × ${r.rate}/s: ${r.events} events, ${int(r.deliveriesPerS)} deliveries/s, p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms, max ${fmt(r.max)} ms ` +
      `(first socket p50 ${fmt(r.firstP50)} p99 ${fmt(r.firstP99)}; writer round trip p50 ${fmt(r.roundTripP50)} p99 ${fmt(r.roundTripP99)}), lost ${r.lost}, ` +
      `dup ${r.duplicates}, order ${r.outOfOrder}, closed ${JSON.stringify(r.closed)}, writer failed ${r.writerFailed} skipped ${r.writerSkipped}; CPU server ${fmt(r.serverCpuPct, 0)}%` +
      `${r.target === 'graphql' ? ` PostgreSQL ${fmt(r.postgresCpuPct, 0)}%` : ''} subscribers ${fmt(r.clientCpuPct, 0)}%${r.protocolErrors.length ? ` errors ${JSON.stringify(r.protocolErrors)}` : ''}`;

    /** Memory of a server process: RSS from /proc after a pause, and the probe's figures after a full GC. */
    const memory = async (target) => {
      await sleep(5000);
      const pid = servers[target].pid;
      const file = probeFile(target);
      rmSync(file, { force: true });
      const rss = rssKiB(pid);
      process.kill(pid, 'SIGUSR2');
      await waitFor(() => existsSync(file), `${target} memory probe`, 10_000);
      await sleep(100);
      const probe = JSON.parse(readFileSync(file, 'utf8'));
      await sleep(1000);
      return { rssKiB: rss, rssAfterGcKiB: rssKiB(pid), heapUsedKiB: probe.after.heapUsed / 1024 };
    };

    const results = { large: {}, ramp: {}, groups: null, small: {}, memory: {} };
    if (!skip.has('large') || !skip.has('ramp')) {
      for (const target of targets) {
        const before = await memory(target);
        await connect(target, large);
        const after = await memory(target);
        const perConnection = (field) => ((after[field] - before[field]) * 1024) / large;
        results.memory[target] = {
          before,
          after,
          perConnectionBytes: perConnection('rssKiB'),
          perConnectionAfterGcBytes: perConnection('rssAfterGcKiB'),
          heapPerConnectionBytes: perConnection('heapUsedKiB'),
        };
        const m = results.memory[target];
        log(
          `${target}: memory per idle subscribed connection ${fmt(m.perConnectionBytes / 1024)} KiB RSS (${fmt(m.perConnectionAfterGcBytes / 1024)} KiB after a full GC; JS heap ${fmt(m.heapPerConnectionBytes / 1024)} KiB)`,
        );
      }
      if (!skip.has('large')) {
        results.large = await alternate(largeRate, durationS);
        for (const target of targets) log(describe(results.large[target]));
      }
      if (!skip.has('ramp')) {
        const steps = { bare: [], graphql: [] };
        const running = new Set(targets);
        for (const rate of rampRates) {
          if (running.size === 0) break;
          for (const target of [...running]) {
            let step;
            for (let attempt = 1; attempt <= STEP_ATTEMPTS && !step?.sustained; attempt++) {
              if (attempt > 1) {
                log(`${target}: ${rate}/s not sustained; settling and retrying`);
                await sleep(5000);
                await topUp(target, large);
              }
              await sleep(1500);
              step = await window(target, rate, stepS);
              step.attempts = attempt;
              log(`ramp ${describe(step)}`);
            }
            steps[target].push(step);
            if (!step.sustained) running.delete(target);
            await topUp(target, large);
          }
        }
        for (const target of targets) {
          const best = steps[target].filter((step) => step.sustained).at(-1) ?? null;
          results.ramp[target] = { steps: steps[target], best };
          log(`${target}: highest sustained ${best ? `${int(best.deliveriesPerS)} deliveries/s at ${best.rate} events/s` : 'none'}`);
        }
      }
      for (const target of targets) await close(target);
    }
    if (targets.includes('graphql') && !skip.has('groups') && groupCount > 1) {
      await connect(
        'graphql',
        large,
        Array.from({ length: groupCount }, (_, g) => SUBSCRIPTION(`Bench${g}`)),
      );
      results.groups = { ...(await window('graphql', largeRate, durationS)), groups: groupCount };
      log(`${groupCount} groups: ${describe(results.groups)}`);
      await close('graphql');
    }
    if (!skip.has('small')) {
      for (const target of targets) await connect(target, small);
      results.small = await alternate(smallRate, durationS);
      for (const target of targets) log(describe(results.small[target]));
      for (const target of targets) await close(target);
    }

    const machine = {
      nproc: os.availableParallelism(),
      cpu: os.cpus()[0]?.model ?? 'unknown',
      memGiB: Number((os.totalmem() / 2 ** 30).toFixed(0)),
      node: process.version,
      postgres: postgresVersion,
      loadavg: os.loadavg().map((l) => Number(l.toFixed(2))),
    };
    const report = render(results, machine);
    console.log(report);
    const strip = (r) => (r ? { ...r, hist: undefined, firsts: undefined, roundTrips: undefined } : r);
    const slim = {
      ...results,
      large: Object.fromEntries(Object.entries(results.large).map(([k, v]) => [k, strip(v)])),
      small: Object.fromEntries(Object.entries(results.small).map(([k, v]) => [k, strip(v)])),
      groups: strip(results.groups),
      ramp: Object.fromEntries(Object.entries(results.ramp).map(([k, v]) => [k, { steps: v.steps.map(strip), best: strip(v.best) }])),
    };
    writeFileSync(
      path.join(HERE, 'last-run.json'),
      JSON.stringify(
        {
          at: new Date().toISOString(),
          machine,
          flags: { durationS, stepS, large, small, largeRate, smallRate, rampRates, groupCount, procs, maxP99 },
          results: slim,
          wallS: (Date.now() - started) / 1000,
        },
        null,
        2,
      ) + '\n',
    );
    log(`wall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await cleanup();
  }
}

/**
 * Combines windows of one server at one size and rate into one result: deliveries, loss, CPU and the
 * latency histogram add up; percentiles come from the merged histogram.
 */
function summarize(parts) {
  const first = parts[0];
  const add = (field) => parts.reduce((total, part) => total + part[field], 0);
  const hist = new Map();
  for (const part of parts) for (const [bucket, count] of part.hist) hist.set(bucket, (hist.get(bucket) ?? 0) + count);
  const sorted = [...hist].sort((a, b) => a[0] - b[0]);
  const received = sorted.reduce((total, [, count]) => total + count, 0);
  const closed = {};
  for (const part of parts) for (const [code, count] of Object.entries(part.closed)) closed[code] = (closed[code] ?? 0) + count;
  const wallMs = add('wallMs');
  const r = {
    target: first.target,
    subscribers: first.subscribers,
    rate: first.rate,
    seconds: add('seconds'),
    windows: parts.length,
    events: add('events'),
    attempted: add('attempted'),
    writerFailed: add('writerFailed'),
    writerSkipped: add('writerSkipped'),
    writerErrors: parts.flatMap((part) => part.writerErrors).slice(0, 3),
    deliveries: add('deliveries'),
    spanMs: add('spanMs'),
    wallMs,
    hist: sorted,
    firsts: parts.flatMap((part) => part.firsts),
    roundTrips: parts.flatMap((part) => part.roundTrips),
    max: Math.max(...parts.map((part) => part.max)),
    lost: add('lost'),
    duplicates: add('duplicates'),
    outOfOrder: add('outOfOrder'),
    unknown: add('unknown'),
    closed,
    protocolErrors: parts.flatMap((part) => part.protocolErrors).slice(0, 3),
    serverCpuMs: add('serverCpuMs'),
    postgresCpuMs: add('postgresCpuMs'),
    clientCpuMs: add('clientCpuMs'),
  };
  r.deliveriesPerS = (r.deliveries / r.spanMs) * 1000;
  r.p50 = percentileOf(sorted, received, 50);
  r.p99 = percentileOf(sorted, received, 99);
  const pick = (values, p) => [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil(values.length * p) - 1)];
  r.firstP50 = pick(r.firsts, 0.5);
  r.firstP99 = pick(r.firsts, 0.99);
  r.roundTripP50 = pick(r.roundTrips, 0.5);
  r.roundTripP99 = pick(r.roundTrips, 0.99);
  r.serverCpuPct = (r.serverCpuMs / wallMs) * 100;
  r.postgresCpuPct = (r.postgresCpuMs / wallMs) * 100;
  r.clientCpuPct = (r.clientCpuMs / wallMs) * 100;
  r.serverCpuUsPerDelivery = (r.serverCpuMs * 1000) / r.deliveries;
  r.offeredPerS = r.rate * r.subscribers;
  r.sustained =
    r.lost === 0 &&
    r.duplicates === 0 &&
    r.outOfOrder === 0 &&
    Object.keys(closed).length === 0 &&
    r.writerFailed === 0 &&
    r.writerSkipped === 0 &&
    r.events >= 0.97 * r.attempted &&
    r.deliveriesPerS >= 0.9 * r.offeredPerS &&
    r.p99 <= maxP99;
  return r;
}

const closedCount = (r) => Object.values(r.closed).reduce((sum, n) => sum + n, 0);

function row(label, r, bare, memoryBytes) {
  const ratio = bare ? `${fmt(r.p99 / bare.p99, 2)}× p99` : '';
  return `| ${label} | ${int(r.subscribers)} | ${r.rate} | ${int(r.deliveriesPerS)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.max)} | ${r.lost} | ${closedCount(r)} | ${fmt(r.serverCpuPct, 0)}% | ${fmt(r.serverCpuUsPerDelivery, 1)} | ${fmt(r.clientCpuPct, 0)}% | ${memoryBytes === undefined ? '' : fmt(memoryBytes / 1024, 1)} | ${ratio} |`;
}

const HEADER = [
  '| server | subscribers | events/s | deliveries/s | p50 ms | p99 ms | max ms | lost | closed | server CPU | server µs/delivery | subscribers CPU | KiB/conn idle | vs bare ws |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
];
const verdict = (ok) => (ok ? 'met' : 'MISSED');

/** The results as Markdown: one table per scenario, each target met or missed. */
function render(results, machine) {
  const lines = [
    '',
    `Machine: ${machine.nproc} cores (${machine.cpu}), ${machine.memGiB} GiB; Node ${machine.node}; PostgreSQL ${machine.postgres}; load average at the end ${machine.loadavg.join(', ')}`,
  ];
  const { small: s, large: l, ramp, groups, memory } = results;
  if (s.graphql || s.bare) {
    const any = s.graphql ?? s.bare;
    lines.push('', `### ${int(any.subscribers)} subscribers at ${any.rate} events/s (${any.seconds} s each, ${any.windows} alternating windows)`, '', ...HEADER);
    if (s.bare) lines.push(row('bare ws', s.bare));
    if (s.graphql) lines.push(row('server', s.graphql, s.bare));
    if (s.graphql && s.bare) {
      const ok = s.graphql.p99 < 100 && s.graphql.p99 <= 2 * s.bare.p99 && s.graphql.lost === 0;
      lines.push(
        '',
        `Target p99 < 100 ms and within 2× of bare ws, nothing lost: ${verdict(ok)} (p99 ${fmt(s.graphql.p99)} ms vs ${fmt(s.bare.p99)} ms = ${fmt(s.graphql.p99 / s.bare.p99, 2)}×, lost ${s.graphql.lost})`,
      );
    }
  }
  if (l.graphql || l.bare || groups) {
    const any = l.graphql ?? l.bare ?? groups;
    lines.push('', `### ${int(any.subscribers)} subscribers at ${any.rate} events/s (${any.seconds} s each, ${any.windows} alternating windows)`, '', ...HEADER);
    if (l.bare) lines.push(row('bare ws', l.bare, undefined, memory.bare?.perConnectionBytes));
    if (l.graphql) lines.push(row('server', l.graphql, l.bare, memory.graphql?.perConnectionBytes));
    if (groups) lines.push(row(`server, ${groups.groups} groups`, groups, l.bare));
    if (l.graphql && l.bare) {
      const ok = l.graphql.p99 <= 2 * l.bare.p99 && l.graphql.lost === 0;
      lines.push(
        '',
        `Target p99 within 2× of bare ws, nothing lost: ${verdict(ok)} (p99 ${fmt(l.graphql.p99)} ms vs ${fmt(l.bare.p99)} ms = ${fmt(l.graphql.p99 / l.bare.p99, 2)}×, lost ${l.graphql.lost})`,
      );
    }
  }
  if (ramp.graphql || ramp.bare) {
    const any = (ramp.graphql ?? ramp.bare).steps[0];
    lines.push(
      '',
      `### Ramp at ${int(any.subscribers)} subscribers, ${any.seconds} s a step (sustained: nothing lost, duplicated, reordered or closed, every change committed on schedule, deliveries/s ≥ 90% of events/s × subscribers, p99 ≤ ${maxP99} ms)`,
      '',
      '| server | events/s | deliveries/s | p50 ms | p99 ms | max ms | lost | closed | server CPU | server µs/delivery | subscribers CPU | sustained |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    );
    for (const target of ['bare', 'graphql']) {
      for (const step of ramp[target]?.steps ?? []) {
        lines.push(
          `| ${target === 'bare' ? 'bare ws' : 'server'} | ${step.rate} | ${int(step.deliveriesPerS)} | ${fmt(step.p50)} | ${fmt(step.p99)} | ${fmt(step.max)} | ${step.lost} | ${closedCount(step)} | ${fmt(step.serverCpuPct, 0)}% | ${fmt(step.serverCpuUsPerDelivery, 1)} | ${fmt(step.clientCpuPct, 0)}% | ${step.sustained ? 'yes' : 'no'} |`,
        );
      }
    }
    const bestBare = ramp.bare?.best;
    const bestServer = ramp.graphql?.best;
    if (bestBare && bestServer) {
      const ratio = bestServer.deliveriesPerS / bestBare.deliveriesPerS;
      lines.push(
        '',
        `Highest sustained: bare ws ${int(bestBare.deliveriesPerS)} deliveries/s (${bestBare.rate} events/s), server ${int(bestServer.deliveriesPerS)} (${bestServer.rate} events/s) = ${fmt(ratio * 100, 0)}%. Target ≥ 80% of bare ws: ${verdict(ratio >= 0.8)}`,
      );
    }
  }
  for (const target of ['bare', 'graphql']) {
    const m = memory[target];
    if (!m) continue;
    const name = target === 'bare' ? 'bare ws' : 'server';
    const target16 = target === 'graphql' ? `. Target ≤ 16 KB: ${verdict(m.perConnectionBytes <= 16_000)}` : '';
    lines.push(
      '',
      `Memory per idle subscribed connection, ${name}: ${fmt(m.perConnectionBytes / 1024)} KiB RSS after a 5 s pause (${fmt(m.before.rssKiB / 1024, 0)} → ${fmt(m.after.rssKiB / 1024, 0)} MiB), ${fmt(m.perConnectionAfterGcBytes / 1024)} KiB after a full GC, of which JS heap ${fmt(m.heapPerConnectionBytes / 1024)} KiB${target16}`,
    );
  }
  return lines.join('\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
