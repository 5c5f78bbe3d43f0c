import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import { freePort } from '../server/src/db/embedded.js';
import { freshDatabase } from './support/database.js';
import { apiKey, reportInput, staff } from './support/factories.js';
import { compileServer, exited, spawnServer, stopServer, type ServerProcess } from './support/process.js';
import { postOnNewConnection, startServer, type App } from './support/server.js';
import { connect, subscribeEvents } from './support/ws.js';

/** The header the compose profile's HAProxy adds: which replica answered. */
const REPLICA_HEADER = 'x-balagh-replica';

/**
 * The compose profile's own HAProxy configuration (deploy/haproxy.cfg), with its frontend on `port` and its
 * two replicas at the given local addresses instead of the compose service names.
 */
function haproxyConfig(port: number, replicas: [string, string]): string {
  const committed = readFileSync(path.resolve('deploy/haproxy.cfg'), 'utf8');
  const config = committed
    .replace(/bind :9400/, `bind 127.0.0.1:${port}`)
    .replace(/server replica-1 server:9400/, `server replica-1 ${replicas[0]}`)
    .replace(/server replica-2 server-2:9400/, `server replica-2 ${replicas[1]}`);
  if (config.includes('server:9400') || !config.includes(`bind 127.0.0.1:${port}`)) throw new Error('deploy/haproxy.cfg no longer has the lines this test rewrites');
  return config;
}

/** One POST through the balancer on a connection of its own: the replica that answered, and the body. */
async function postAlone(url: string, query: string, variables: Record<string, unknown>, token: string) {
  const { headers, body } = await postOnNewConnection<{ createReport?: { id: string } }>(url, query, variables, token);
  return { replica: headers[REPLICA_HEADER] as string | undefined, body };
}

const CREATE = 'mutation($input: CreateReportInput!) { createReport(input: $input) { id } }';

describe("the compose scale-out profile's load balancer in front of two replicas", () => {
  let outDir: string;
  let dir: string;
  let factoryApp: App;
  let replicas: ServerProcess[] = [];
  let balancer: ChildProcess;
  let url: string;
  let token: string;
  let key: string;

  beforeAll(async () => {
    outDir = await compileServer('scale-out');
    const databaseUrl = await freshDatabase('scaleout');
    factoryApp = await startServer({ databaseUrl });
    token = (await staff(factoryApp)).token;
    key = await apiKey(factoryApp, Role.INTAKE);
    replicas = await Promise.all([1, 2].map(() => spawnServer(outDir, { DATABASE_URL: databaseUrl, PORT: '0', DEMO: 'false', EVENT_POLL_MS: '200', TRUST_PROXY: '1' })));
    const port = await freePort();
    dir = await mkdtemp(path.join(os.tmpdir(), 'balagh-haproxy-'));
    const configFile = path.join(dir, 'haproxy.cfg');
    await writeFile(configFile, haproxyConfig(port, [replicas[0].url.replace('http://', ''), replicas[1].url.replace('http://', '')]));
    balancer = spawn('haproxy', ['-db', '-f', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let balancerOutput = '';
    balancer.stdout!.on('data', (chunk: Buffer) => (balancerOutput += chunk.toString()));
    balancer.stderr!.on('data', (chunk: Buffer) => (balancerOutput += chunk.toString()));
    url = `http://127.0.0.1:${port}`;
    // Ready once both replicas passed their health checks: answers come from each.
    const deadline = Date.now() + 30_000;
    const seen = new Set<string>();
    while (seen.size < 2) {
      if (Date.now() > deadline) throw new Error(`the balancer did not reach both replicas (saw ${[...seen].join(', ') || 'none'}):\n${balancerOutput}`);
      const answer = await postAlone(url, '{ __typename }', {}, token).catch(() => ({ replica: undefined }));
      if (answer.replica) seen.add(answer.replica);
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect([...seen].sort()).toEqual(['replica-1', 'replica-2']);
  }, 240_000);
  afterAll(async () => {
    balancer?.kill('SIGTERM');
    if (balancer) await exited(balancer);
    await Promise.all(replicas.map((replica) => stopServer(replica)));
    await factoryApp?.close();
    await rm(outDir, { recursive: true, force: true });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a subscriber connected through the balancer to one replica sees a report filed through it on the other', async () => {
    let subscriberReplica: string | undefined;
    const client = connect({ url }, token, { onUpgrade: (headers) => (subscriberReplica = headers[REPLICA_HEADER] as string | undefined) });
    const received = subscribeEvents(client, { filter: { types: ['REPORT_CREATED'] } });
    await expect
      .poll(
        async () => {
          const probe = await postAlone(url, CREATE, { input: reportInput({ description: 'probe through the balancer' }) }, key);
          await new Promise((resolve) => setTimeout(resolve, 300));
          return received.events.some((event) => event.report?.id === probe.body.data?.createReport?.id);
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    expect(subscriberReplica).toMatch(/^replica-[12]$/);

    let filed: { replica: string | undefined; id: string } | undefined;
    for (let i = 0; i < 40 && !filed; i++) {
      const answer = await postAlone(url, CREATE, { input: reportInput({ description: 'filed through the other replica' }) }, key);
      if (answer.replica !== subscriberReplica) filed = { replica: answer.replica, id: answer.body.data!.createReport!.id };
    }
    expect(filed?.replica).toMatch(/^replica-[12]$/);
    await expect.poll(() => received.events.some((event) => event.report?.id === filed!.id), { timeout: 15_000, interval: 20 }).toBe(true);
    await client.dispose();
  });

  it('when a replica stops, the balancer sends everything to the other and nothing fails', async () => {
    await stopServer(replicas[1]);
    // After the health check marks it down (two failed checks two seconds apart), every answer comes from replica-1.
    await expect.poll(async () => (await postAlone(url, '{ __typename }', {}, token)).replica, { timeout: 15_000, interval: 250 }).toBe('replica-1');
    const answers = await Promise.all(Array.from({ length: 10 }, () => postAlone(url, CREATE, { input: reportInput() }, key)));
    expect(answers.map((answer) => answer.replica)).toEqual(Array(10).fill('replica-1'));
    expect(answers.every((answer) => typeof answer.body.data?.createReport?.id === 'string')).toBe(true);
  });
});
