/**
 * The writer: a process of its own, started by run.mjs with `fork`. For each `run` command it commits
 * changes at a fixed rate (open loop: the n-th change starts at start + n/rate whatever the previous ones
 * are doing, up to `maxInFlight` at once) for `durationMs`, and answers with the key (`report.id:version`)
 * of every change that committed, so the subscribers can prove every one of them arrived everywhere.
 *
 * - target `graphql`: `triageReport` over GraphQL HTTP with a dispatcher token, round robin over the
 *   pre-created reports, alternating HIGH and NORMAL priority (each is one REPORT_UPDATED event);
 * - target `bare`: POST /publish `{ id, version, at }` to the bare broadcast server, `at` being the time
 *   the request leaves: a bare broadcast has no commit, so the change exists from then on.
 */
import { performance } from 'node:perf_hooks';

const TRIAGE = `mutation Triage($id: ID!, $priority: Priority!) { triageReport(id: $id, input: { priority: $priority }) { id version } }`;

let version = 0;

async function commitGraphql(job, n) {
  const id = job.reportIds[n % job.reportIds.length];
  const response = await fetch(job.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${job.token}` },
    body: JSON.stringify({ query: TRIAGE, variables: { id, priority: n % 2 ? 'HIGH' : 'NORMAL' } }),
  });
  const body = await response.json();
  const report = body.data?.triageReport;
  if (!report) throw new Error(JSON.stringify(body.errors ?? body).slice(0, 300));
  return `${report.id}:${report.version}`;
}

async function commitBare(job, n) {
  const id = job.reportIds[n % job.reportIds.length];
  const v = ++version;
  const at = new Date(performance.timeOrigin + performance.now()).toISOString();
  const response = await fetch(job.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, version: v, at }) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  await response.arrayBuffer();
  return `${id}:${v}`;
}

async function run(job) {
  const commit = job.target === 'graphql' ? commitGraphql : commitBare;
  const keys = [];
  /** Per committed key: when its request left and when its response (after the commit) arrived. */
  const timings = [];
  const errors = [];
  let failed = 0;
  let skipped = 0;
  let inFlight = 0;
  let maxSlipMs = 0;
  const pending = new Set();
  const started = performance.now();
  const total = Math.max(1, Math.round((job.rate * job.durationMs) / 1000));
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / job.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    maxSlipMs = Math.max(maxSlipMs, performance.now() - due);
    if (inFlight >= (job.maxInFlight ?? 64)) {
      skipped++;
      continue;
    }
    inFlight++;
    const sentAt = performance.timeOrigin + performance.now();
    const attempt = commit(job, n)
      .then((key) => {
        keys.push(key);
        timings.push([sentAt, performance.timeOrigin + performance.now()]);
      })
      .catch((err) => {
        failed++;
        if (errors.length < 5) errors.push(err.message);
      })
      .finally(() => {
        inFlight--;
        pending.delete(attempt);
      });
    pending.add(attempt);
  }
  await Promise.all(pending);
  return { keys, timings, failed, errors, skipped, attempted: total, elapsedMs: performance.now() - started, maxSlipMs };
}

process.on('message', async ({ id, cmd, args }) => {
  try {
    if (cmd === 'exit') {
      process.send({ id, ok: true, result: {} });
      setImmediate(() => process.exit(0));
      return;
    }
    process.send({ id, ok: true, result: await run(args) });
  } catch (err) {
    process.send({ id, ok: false, error: err instanceof Error ? err.stack : String(err) });
  }
});
