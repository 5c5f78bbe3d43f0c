import { rm } from 'node:fs/promises';
import type { Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import { freshDatabase } from './support/database.js';
import { apiKey, crew, fileReport, staff } from './support/factories.js';
import { compileServer, exited, spawnServer, stopServer, type ServerProcess } from './support/process.js';
import { ok, startServer, type App, type GqlError } from './support/server.js';
import { connect } from './support/ws.js';

interface Viewer {
  userId: string;
  name: string;
  role: string;
}
interface ReportPresence {
  reportId: string;
  viewers: Viewer[];
}

const PRESENCE_FIELDS = 'reportId viewers { userId name role since }';
const VIEWING = `subscription($id: ID!) { viewingReport(reportId: $id) { ${PRESENCE_FIELDS} } }`;
const FOLLOWING = `subscription($ids: [ID!]) { reportPresence(reportIds: $ids) { ${PRESENCE_FIELDS} } }`;

/** What one presence subscription received: each ReportPresence, or the errors that refused or ended it. */
interface Stream {
  received: ReportPresence[];
  errors: GqlError[];
  completed: boolean;
  /** The viewers of `reportId` as last received (undefined: nothing about it yet). */
  latest(reportId: string): string[] | undefined;
  stop(): void;
}

function subscribe(client: Client, query: string, variables: Record<string, unknown>): Stream {
  const stream: Stream = {
    received: [],
    errors: [],
    completed: false,
    latest: (reportId) =>
      stream.received
        .filter((change) => change.reportId === reportId)
        .at(-1)
        ?.viewers.map((viewer) => viewer.name),
    stop: () => undefined,
  };
  stream.stop = client.subscribe<Record<string, ReportPresence>>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) stream.errors.push(...(result.errors as GqlError[]));
        else stream.received.push(Object.values(result.data!)[0]);
      },
      error: (err) => stream.errors.push(...(Array.isArray(err) ? (err as GqlError[]) : [{ message: String(err) }])),
      complete: () => {
        stream.completed = true;
      },
    },
  );
  return stream;
}

const viewing = (client: Client, reportId: string) => subscribe(client, VIEWING, { id: reportId });
const following = (client: Client, reportIds?: string[]) => subscribe(client, FOLLOWING, { ids: reportIds ?? null });

/** A graphql-ws client whose socket the test can cut without a close handshake (a pulled cable, a killed tab). */
function cuttable(url: string, token: string): { client: Client; cut(): void } {
  const sockets: WebSocket[] = [];
  class Tracked extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols);
      sockets.push(this);
    }
  }
  const client = createClient({ url: `${url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: Tracked, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0, lazy: true });
  return { client, cut: () => sockets.forEach((socket) => socket.terminate()) };
}

async function viewersOver(app: Pick<App, 'url'>, reportId: string, token: string): Promise<string[]> {
  const data = await ok<{ report: { viewers: Viewer[] } | null }>(app, 'query($id: ID!) { report(id: $id) { viewers { userId name role } } }', { id: reportId }, token);
  return data.report!.viewers.map((viewer) => viewer.name);
}

const POLL = { timeout: 10_000, interval: 20 };

describe('who has a report open', () => {
  let app: App;
  let intake: string;
  beforeAll(async () => {
    app = await startServer({ presence: { ttlMs: 30_000, maxReports: 3 } });
    intake = await apiKey(app, Role.INTAKE);
  });
  afterAll(() => app?.close());

  it("a dispatcher sees a colleague's presence appear when they open the report and go when they leave it, live and on the report", async () => {
    const [a, b] = [await staff(app), await staff(app, Role.SUPERVISOR)];
    const report = await fileReport(app, intake);
    const other = await fileReport(app, intake);
    const atA = connect(app, a.token);
    const atB = connect(app, b.token);
    const queue = following(atB);
    const detail = following(atB, [report.id]);
    await expect.poll(() => detail.latest(report.id), POLL).toEqual([]);

    const page = viewing(atA, report.id);
    await expect.poll(() => page.latest(report.id), POLL).toEqual([a.username]);
    await expect.poll(() => detail.latest(report.id), POLL).toEqual([a.username]);
    await expect.poll(() => queue.latest(report.id), POLL).toEqual([a.username]);
    expect(await viewersOver(app, report.id, b.token)).toEqual([a.username]);
    expect(await viewersOver(app, other.id, b.token)).toEqual([]);
    expect(queue.received.some((change) => change.reportId === other.id)).toBe(false);

    // B opens it too: A's page hears of B, and a newcomer's first answer lists both, earliest first.
    const bPage = viewing(atB, report.id);
    await expect.poll(() => page.latest(report.id), POLL).toEqual([a.username, b.username]);
    const late = following(connect(app, (await staff(app)).token));
    await expect.poll(() => late.latest(report.id), POLL).toEqual([a.username, b.username]);
    bPage.stop();
    await expect.poll(() => page.latest(report.id), POLL).toEqual([a.username]);

    page.stop();
    await expect.poll(() => detail.latest(report.id), POLL).toEqual([]);
    await expect.poll(() => queue.latest(report.id), POLL).toEqual([]);
    expect(await viewersOver(app, report.id, b.token)).toEqual([]);
    expect([queue.errors, detail.errors, page.errors]).toEqual([[], [], []]);
    await Promise.all([atA.dispose(), atB.dispose()]);
  });

  it('a dropped socket ends its presence without the client saying goodbye', async () => {
    const [a, b] = [await staff(app), await staff(app)];
    const report = await fileReport(app, intake);
    const watcher = connect(app, b.token);
    const seen = following(watcher, [report.id]);
    const tab = cuttable(app.url, a.token);
    viewing(tab.client, report.id);
    await expect.poll(() => seen.latest(report.id), POLL).toEqual([a.username]);

    tab.cut();
    await expect.poll(() => seen.latest(report.id), POLL).toEqual([]);
    expect(await viewersOver(app, report.id, b.token)).toEqual([]);
    await watcher.dispose();
  });

  it('one person in two tabs is one viewer, there until the last tab closes', async () => {
    const [a, b] = [await staff(app), await staff(app)];
    const report = await fileReport(app, intake);
    const seen = following(connect(app, b.token), [report.id]);
    const first = viewing(connect(app, a.token), report.id);
    const second = viewing(connect(app, a.token), report.id);
    await expect.poll(() => second.latest(report.id), POLL).toEqual([a.username]);
    await expect.poll(() => seen.latest(report.id), POLL).toEqual([a.username]);
    first.stop();
    // The second tab still holds it: B hears of no change, and the report still lists A.
    expect(await viewersOver(app, report.id, b.token)).toEqual([a.username]);
    second.stop();
    await expect.poll(() => seen.latest(report.id), POLL).toEqual([]);
  });

  it('crews, gateways and integrators neither announce nor see presence', async () => {
    const a = await staff(app);
    const member = await crew(app);
    const integrator = await apiKey(app, Role.INTEGRATOR);
    const report = await fileReport(app, intake);
    const page = viewing(connect(app, a.token), report.id);
    await expect.poll(() => page.latest(report.id), POLL).toEqual([a.username]);

    for (const token of [member.token, intake, integrator]) {
      const client = connect(app, token);
      const announce = viewing(client, report.id);
      const follow = following(client);
      await expect.poll(() => announce.errors.length && follow.errors.length, POLL).toBeTruthy();
      expect(announce.errors[0].extensions?.code).toBe('FORBIDDEN');
      expect(follow.errors[0].extensions?.code).toBe('FORBIDDEN');
      expect(announce.received).toEqual([]);
      expect(follow.received).toEqual([]);
      await client.dispose();
    }
    expect(await viewersOver(app, report.id, integrator)).toEqual([]);
    expect(await viewersOver(app, report.id, a.token)).toEqual([a.username]);
    // Nobody saw the crew or the keys as viewers.
    expect(page.latest(report.id)).toEqual([a.username]);
    page.stop();
  });

  it('one person may have at most PRESENCE_MAX_REPORTS reports open; a bad or unknown report is refused by name', async () => {
    const a = await staff(app);
    const reports = await Promise.all([1, 2, 3, 4].map(() => fileReport(app, intake)));
    const client = connect(app, a.token);
    const pages = reports.slice(0, 3).map((report) => viewing(client, report.id));
    await expect.poll(() => pages.every((page, i) => page.latest(reports[i].id)?.length === 1), POLL).toBe(true);
    // Another tab on a report already open is no new report.
    const again = viewing(connect(app, a.token), reports[0].id);
    await expect.poll(() => again.latest(reports[0].id), POLL).toEqual([a.username]);

    const fourth = viewing(client, reports[3].id);
    await expect.poll(() => fourth.errors.length, POLL).toBe(1);
    expect(fourth.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 3 });
    expect(await viewersOver(app, reports[3].id, a.token)).toEqual([]);

    pages[1].stop();
    await expect.poll(() => viewersOver(app, reports[1].id, a.token), POLL).toEqual([]);
    const retried = viewing(client, reports[3].id);
    await expect.poll(() => retried.latest(reports[3].id), POLL).toEqual([a.username]);

    const unknown = viewing(client, '00000000-0000-4000-8000-000000000000');
    const malformed = viewing(client, 'not-a-report');
    const tooMany = following(
      client,
      Array.from({ length: 201 }, () => reports[0].id),
    );
    await expect.poll(() => unknown.errors.length + malformed.errors.length + tooMany.errors.length, POLL).toBe(3);
    expect(unknown.errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'reportId' });
    expect(malformed.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reportId' });
    expect(tooMany.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reportIds' });
    await client.dispose();
  });
});

describe('presence across server processes', () => {
  let database: string;
  let first: App;
  let second: App;
  /** How far the first process's clock runs ahead of the real one. */
  let ahead = 0;
  let outDir: string | undefined;
  let spawned: ServerProcess | undefined;
  beforeAll(async () => {
    database = await freshDatabase('presence');
    first = await startServer({ databaseUrl: database, presence: { ttlMs: 1_500, maxReports: 10 } }, { clock: () => new Date(Date.now() + ahead) });
    second = await startServer({ databaseUrl: database });
  }, 60_000);
  afterAll(async () => {
    if (spawned) await stopServer(spawned);
    await second?.close();
    await first?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('a page open through one process shows on the other, and goes when it closes there', async () => {
    const intake = await apiKey(first, Role.INTAKE);
    const [a, b] = [await staff(first), await staff(first)];
    const report = await fileReport(first, intake);
    const seen = following(connect(first, b.token), [report.id]);
    await expect.poll(() => seen.latest(report.id), POLL).toEqual([]);

    const page = viewing(connect(second, a.token), report.id);
    await expect.poll(() => seen.latest(report.id), POLL).toEqual([a.username]);
    expect(await viewersOver(first, report.id, b.token)).toEqual([a.username]);
    page.stop();
    await expect.poll(() => seen.latest(report.id), POLL).toEqual([]);
  });

  it('a process that dies without a word loses its pages when their time runs out, swept by a live process', async () => {
    outDir = await compileServer('presence');
    spawned = await spawnServer(outDir, { DATABASE_URL: database, PORT: '0', DEMO: 'false' });
    const intake = await apiKey(first, Role.INTAKE);
    const [a, b] = [await staff(first), await staff(first)];
    const report = await fileReport(first, intake);
    const seen = following(connect(first, b.token), [report.id]);
    viewing(connect({ url: spawned.url }, a.token), report.id);
    await expect.poll(() => seen.latest(report.id), POLL).toEqual([a.username]);

    spawned.child.kill('SIGKILL');
    await exited(spawned.child);
    spawned = undefined;
    // Nobody withdrew the page: it stays until its time is up (PRESENCE_TTL_MS, 30 s on the dead process) …
    expect(await viewersOver(first, report.id, b.token)).toEqual([a.username]);
    // … which the live process's clock then passes.
    ahead = 31_000;
    await expect.poll(() => seen.latest(report.id), POLL).toEqual([]);
    expect(await viewersOver(first, report.id, b.token)).toEqual([]);
  }, 240_000);
});
