import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKER_HEADER } from '../server/src/app.js';
import { DEMO_KEYS, DEMO_PASSWORD } from '../server/src/db/seed/demo.seed.js';
import { reportInput } from './support/factories.js';
import { compileServer, exited, spawnServer, stopServer, type ServerProcess } from './support/process.js';
import { postOnNewConnection } from './support/server.js';
import { connect, subscribeEvents } from './support/ws.js';

/** One POST on a connection of its own: the worker that answered, and the body. */
async function postAlone(url: string, query: string, variables: Record<string, unknown>, token?: string) {
  const { headers, body } = await postOnNewConnection(url, query, variables, token);
  return { worker: headers[WORKER_HEADER] as string | undefined, body };
}

/** The worker processes under the primary (Linux: the kernel lists a process's children). */
function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text ? text.split(/\s+/).map(Number) : [];
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const CREATE = 'mutation($input: CreateReportInput!) { createReport(input: $input) { id } }';

describe('WORKERS=2: two server processes on one port, as `npm start` runs them', () => {
  let outDir: string;
  let dataDir: string;
  let server: ServerProcess;
  let token: string;

  beforeAll(async () => {
    outDir = await compileServer('workers');
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'balagh-workers-'));
    await chmod(dataDir, 0o755);
    // No DATABASE_URL: the primary alone starts the embedded PostgreSQL, migrates and seeds the demo once, then forks.
    server = await spawnServer(outDir, { PORT: '0', WORKERS: '2', DATA_DIR: dataDir, DEMO: 'true', EVENT_POLL_MS: '200' });
    const signedIn = await postAlone(server.url, 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', { u: 'dispatcher', p: DEMO_PASSWORD });
    token = (signedIn.body.data!.login as { token: string }).token;
  }, 240_000);
  afterAll(async () => {
    if (server) await stopServer(server, 20_000);
    await rm(outDir, { recursive: true, force: true });
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('starts the workers it was asked for, says so, and both answer on the one port', async () => {
    expect(server.output()).toContain('(2 worker processes)');
    expect(childrenOf(server.child.pid!).length).toBeGreaterThanOrEqual(2); // the workers, and the embedded PostgreSQL
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 2; i++) seen.add((await postAlone(server.url, '{ __typename }', {})).worker ?? 'none');
    expect([...seen].sort()).toEqual(['1', '2']);
  });

  it('a subscriber on one worker sees a report filed through the other', async () => {
    let subscriberWorker: string | undefined;
    const client = connect(server, token, { onUpgrade: (headers) => (subscriberWorker = headers[WORKER_HEADER] as string | undefined) });
    const received = subscribeEvents(client, { filter: { types: ['REPORT_CREATED'] } });
    // Probe until the subscription is live (its fan-out is in a process of its own).
    await expect
      .poll(
        async () => {
          const probe = await postAlone(server.url, CREATE, { input: reportInput({ description: 'probe through any worker' }) }, DEMO_KEYS.intake);
          await new Promise((resolve) => setTimeout(resolve, 300));
          return received.events.some((event) => event.report?.id === (probe.body.data?.createReport as { id: string }).id);
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    expect(subscriberWorker).toMatch(/^[12]$/);

    let filed: { worker: string | undefined; id: string } | undefined;
    for (let i = 0; i < 40 && !filed; i++) {
      const answer = await postAlone(server.url, CREATE, { input: reportInput({ description: 'filed through the other worker' }) }, DEMO_KEYS.intake);
      if (answer.worker !== subscriberWorker) filed = { worker: answer.worker, id: (answer.body.data!.createReport as { id: string }).id };
    }
    expect(filed?.worker).toMatch(/^[12]$/);
    expect(filed!.worker).not.toBe(subscriberWorker);
    await expect.poll(() => received.events.some((event) => event.report?.id === filed!.id), { timeout: 15_000, interval: 20 }).toBe(true);
    await client.dispose();
  });

  it('a worker that dies is replaced, and the port keeps answering meanwhile', async () => {
    const workers = childrenOf(server.child.pid!).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('main.js'));
    expect(workers).toHaveLength(2);
    process.kill(workers[0], 'SIGKILL');
    await expect.poll(() => alive(workers[0])).toBe(false);
    // The survivor answers at once; a third worker (cluster ids count up) joins once the primary restarts it.
    expect((await postAlone(server.url, '{ __typename }', {})).body.data).toEqual({ __typename: 'Query' });
    await expect.poll(async () => (await postAlone(server.url, '{ __typename }', {})).worker, { timeout: 30_000, interval: 100 }).toBe('3');
    expect(server.output()).toMatch(/worker \d exited \(SIGKILL\); starting another/);
  });

  it('a signal stops the workers, then the database, and the primary exits', async () => {
    const children = childrenOf(server.child.pid!);
    await stopServer(server, 20_000);
    await exited(server.child);
    expect(server.child.exitCode).toBe(0);
    for (const pid of children) await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false);
  });
});
