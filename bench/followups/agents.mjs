/**
 * The load generator of bench:followups: a process of its own, started by run.mjs with `fork`, so its CPU is not
 * the server's. It receives one job over IPC: `concurrency` agents (one token each: an agent holds one follow-up
 * at a time, so two requests in flight are two agents), each in a loop for `warmupMs + durationMs`:
 *
 * - `claim`: `claimNextFollowUp` again and again (each claim first gives back the one the agent held, as an agent
 *   passing over calls does);
 * - `claim-record`: `claimNextFollowUp`, then `recordFollowUpAttempt` NO_ANSWER on it (a working center: the
 *   follow-up leaves the due set until its retry on another calling day).
 *
 * It answers with the sorted latencies of every claim (and record) started after the warm-up, the errors, the
 * seconds measured, the requests completed in all and its own CPU time. HTTP/1.1 keep-alive through `node:http`,
 * one socket per agent (fetch's streams cost about 1 ms of CPU a request on this machine, see bench/api/load.mjs).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const CLAIM = 'mutation { claimNextFollowUp { id status nextAttemptAt attempts claimedBy claimedUntil report { id reference status } } }';
const RECORD = 'mutation($input: RecordFollowUpInput!) { recordFollowUpAttempt(input: $input) { id status attempts nextAttemptAt } }';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One GraphQL POST; rejects on a non-200 status, a GraphQL error or a missing `data`. */
function graphql(url, token, query, variables) {
  const payload = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${url}/graphql`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${token}` } },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body;
          try {
            body = JSON.parse(text);
          } catch {
            return reject(new Error(`HTTP ${response.statusCode}: ${text.slice(0, 300)}`));
          }
          if (response.statusCode !== 200 || body.errors?.length || !body.data) return reject(new Error(`HTTP ${response.statusCode}: ${JSON.stringify(body.errors ?? body).slice(0, 300)}`));
          resolve(body.data);
        });
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

async function run(job) {
  const claims = [];
  const records = [];
  const errorSamples = [];
  const claimedIds = new Set();
  let errors = 0;
  let completed = 0;
  let empty = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const measureFrom = started + job.warmupMs;
  const end = measureFrom + job.durationMs;
  let lastFinish = measureFrom;

  /** Times one request; a failure is counted (after the warm-up) and yields undefined. */
  async function timed(into, request) {
    const t0 = performance.now();
    try {
      const data = await request();
      const t1 = performance.now();
      completed++;
      if (t0 >= measureFrom) {
        into.push(t1 - t0);
        lastFinish = Math.max(lastFinish, t1);
      }
      return data;
    } catch (err) {
      completed++;
      if (t0 >= measureFrom) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(String(err.message ?? err));
      }
      return undefined;
    }
  }

  async function agentLoop(token) {
    while (performance.now() < end) {
      const data = await timed(claims, () => graphql(job.url, token, CLAIM, {}));
      const followUp = data?.claimNextFollowUp;
      if (data && !followUp) empty++;
      if (!followUp) continue;
      if (job.mode === 'claim') continue;
      claimedIds.add(followUp.id);
      await timed(records, () => graphql(job.url, token, RECORD, { input: { followUpId: followUp.id, outcome: 'NO_ANSWER', note: 'bench' } }));
    }
  }

  await Promise.all(job.tokens.slice(0, job.concurrency).map(agentLoop));
  const cpu = process.cpuUsage(cpuBefore);
  agent.destroy();
  claims.sort((a, b) => a - b);
  records.sort((a, b) => a - b);
  return { claims, records, errors, errorSamples, empty, distinctRecorded: claimedIds.size, seconds: (lastFinish - measureFrom) / 1000, completed, cpuMs: (cpu.user + cpu.system) / 1000 };
}

process.once('message', (job) => {
  run(job).then(
    (result) => process.send({ ok: true, result }, () => process.exit(0)),
    (err) => process.send({ ok: false, error: String(err.stack ?? err) }, () => process.exit(1)),
  );
});
