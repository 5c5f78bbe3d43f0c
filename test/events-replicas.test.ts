import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from '../server/src/db/embedded.js';
import { WS_CLOSE } from '../server/src/events/events.socket.js';
import { freshDatabase } from './support/database.js';
import { apiKey, count, fileReport, reportInput, staff } from './support/factories.js';
import { gql, startServer, type App } from './support/server.js';
import { compileServer, spawnServer, stopServer, type ServerProcess } from './support/process.js';
import { connect, ofReport, reportIdOf, subscribeEvents, untilSentinel, untilSubscribed } from './support/ws.js';

describe('two replicas on one database', () => {
  let outDir: string;
  let a: App;
  let b: ServerProcess;
  beforeAll(async () => {
    outDir = await compileServer('replica');
    const url = await freshDatabase('replicas');
    a = await startServer({ databaseUrl: url, eventPollMs: 200 });
    b = await spawnServer(outDir, { DATABASE_URL: url, PORT: '0', DEMO: 'false', EVENT_POLL_MS: '200' });
  }, 180_000);
  afterAll(async () => {
    if (b) await stopServer(b);
    await a?.close();
    await rm(outDir, { recursive: true, force: true });
  });

  it('a change made through one process reaches a subscriber of the other, both ways', async () => {
    const dispatcher = await staff(a);
    const key = await apiKey(a, Role.INTAKE);
    const onB = connect({ url: b.url }, dispatcher.token);
    const onA = connect(a, dispatcher.token);
    const atB = subscribeEvents(onB, { filter: { types: ['REPORT_CREATED'] } });
    const atA = subscribeEvents(onA, { filter: { types: ['REPORT_CREATED'] } });
    await untilSubscribed(a, 1);
    // B's fan-out is in another process: probe until its subscription is live.
    await expect
      .poll(
        async () => {
          const probe = await fileReport(a, key);
          await new Promise((resolve) => setTimeout(resolve, 500));
          return atB.events.some((event) => event.report?.id === probe.id);
        },
        { timeout: 15_000 },
      )
      .toBe(true);

    // How fast is bench/'s question; the bound here only keeps a lost event from hanging the run.
    const viaA = await fileReport(a, key);
    await expect.poll(() => atB.events.some((event) => event.report?.id === viaA.id), { timeout: 15_000, interval: 20 }).toBe(true);

    const viaB = await fileReport({ url: b.url } as App, key, reportInput({ description: 'filed through replica B' }));
    await expect.poll(() => atA.events.some((event) => event.report?.id === viaB.id), { timeout: 15_000, interval: 20 }).toBe(true);
    await Promise.all([onA.dispose(), onB.dispose()]);
  });
});

describe('the database restarts under live subscribers', () => {
  let dir: string;
  let port: number;
  let db: EmbeddedDatabase;
  let app: App;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'balagh-restart-'));
    await chmod(dir, 0o755);
    port = await freePort();
    db = await startEmbeddedPostgres(path.join(dir, 'data'), { persistent: true, port });
    app = await startServer({ databaseUrl: db.url, eventPollMs: 100 });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await db?.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('tells subscribers (the resumable outage close), refuses writes clearly during the outage, then a resume delivers everything committed before and after', async () => {
    const dispatcher = await staff(app);
    const key = await apiKey(app, Role.INTAKE);
    const closes: number[] = [];
    const client = connect(app, dispatcher.token, { onClosed: (code) => closes.push(code) });
    const received = subscribeEvents(client, { filter: { types: ['REPORT_CREATED'] } });
    await untilSubscribed(app, 1);
    const before = [];
    for (let i = 0; i < 5; i++) before.push((await fileReport(app, key)).id);
    await received.waitFor(5);

    await db.stop();
    await expect.poll(() => closes, { timeout: 10_000 }).toContain(WS_CLOSE.DATABASE_UNAVAILABLE);
    const duringInput = reportInput();
    const during = await gql(app, 'mutation($input: CreateReportInput!) { createReport(input: $input) { id } }', { input: duringInput }, key);
    expect(during.status).toBeLessThan(500);
    expect(during.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(during.errors?.[0]?.message).toMatch(/database is unavailable/);

    db = await startEmbeddedPostgres(path.join(dir, 'data'), { persistent: true, port });
    await expect.poll(async () => (await gql(app, '{ categories { code } }', {}, key)).errors === undefined, { timeout: 30_000, interval: 250 }).toBe(true);
    expect(await count(app, 'select count(*)::int as n from report where idempotency_key = ?', [duringInput.idempotencyKey])).toBe(0);

    const after = [];
    for (let i = 0; i < 5; i++) after.push((await fileReport(app, key)).id);
    const again = connect(app, dispatcher.token);
    const resumed = subscribeEvents(again, { after: received.events.at(-1)!.cursor, filter: { types: ['REPORT_CREATED'] } });
    await resumed.waitFor(5, 20_000);
    const sentinel = await fileReport(app, key);
    await untilSentinel(resumed, ofReport(sentinel.id));
    expect(received.events.map(reportIdOf)).toEqual(before);
    expect(resumed.events.map(reportIdOf)).toEqual([...after, sentinel.id]);
    expect(resumed.errors).toEqual([]);
    await Promise.all([client.dispose(), again.dispose()]);
  });
});
