import type { Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import type { Viewer } from '../server/src/access/access.viewer.js';
import { ReportKind, Channel } from '../server/src/reports/reports.enums.js';
import { apiKey, crew, fileReport, reportInput, staff, unique } from './support/factories.js';
import { outboxBefore, outboxOrder } from './support/outbox.js';
import { gql, ok, startServer, type App } from './support/server.js';
import { connect, ofReport, reportIdOf, subscribeEvents, untilSentinel, untilSubscribed, type DispatchEvent } from './support/ws.js';

const ASSIGN = 'mutation($input: AssignReportInput!) { assignReport(input: $input) { id } }';

/** The REPORT_CREATED events arrived in the outbox's own `(tx_id, id)` order, read from the table, each once. */
async function expectOutboxOrder(app: App, events: DispatchEvent[]): Promise<void> {
  const delivered = events.map(reportIdOf);
  expect(delivered).toEqual(await outboxOrder(app, 'REPORT_CREATED', delivered));
  expect(new Set(events.map((e) => e.cursor)).size).toBe(events.length);
}

/** Files reports straight through the service inside a transaction held open for a random time, so commits interleave out of order. */
async function fileHeldOpen(app: App, viewer: Viewer, marker: string, maxHoldMs: number): Promise<string> {
  return app.orm.em.fork().transactional(async (tx) => {
    const input = reportInput({ description: `${marker} ${unique('held')}` }) as never;
    const report = await app.services.reports.create(tx, viewer, { ...(input as object), kind: ReportKind.INCIDENT, channel: Channel.WHATSAPP } as never);
    await tx.execute('select pg_sleep(?)', [(Math.random() * maxHoldMs) / 1000]);
    return report.id;
  });
}

describe('dispatchEvents delivery', () => {
  let app: App;
  let clients: Client[] = [];
  beforeAll(async () => {
    app = await startServer({ eventPollMs: 100 });
  });
  afterEach(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    clients = [];
    await expect.poll(() => app.fanout.subscriberCount).toBe(0);
  });
  afterAll(() => app.close());

  /** A client closed after each test, so no test sees another's subscribers. */
  function open(token: string | null): Client {
    const client = connect(app, token);
    clients.push(client);
    return client;
  }

  it("8 writers × 200 mutations at once: every event exactly once, in the outbox table's (tx_id, id) order", { timeout: 180_000 }, async () => {
    const dispatcher = await staff(app);
    const marker = unique('burst');
    const client = open(dispatcher.token);
    const received = subscribeEvents(client, { filter: { types: ['REPORT_CREATED'] } });
    await untilSubscribed(app, 1);
    const writers = await Promise.all(Array.from({ length: 8 }, () => apiKey(app, Role.INTAKE)));
    const ids = (
      await Promise.all(
        writers.map(async (key) => {
          const mine: string[] = [];
          for (let i = 0; i < 200; i++) mine.push((await fileReport(app, key, { description: `${marker} ${i}` })).id);
          return mine;
        }),
      )
    ).flat();
    await received.waitFor(1600, 150_000);
    const sentinel = await fileReport(app, writers[0], { description: `${marker} sentinel` });
    await untilSentinel(received, ofReport(sentinel.id));
    expect(received.events).toHaveLength(1601);
    expect(new Set(received.events.slice(0, 1600).map(reportIdOf))).toEqual(new Set(ids));
    expect(received.events[1600].report?.id).toBe(sentinel.id);
    await expectOutboxOrder(app, received.events);
    received.stop();
    await client.dispose();
  });

  it("commits that interleave out of sequence order still arrive exactly once, in the outbox table's (tx_id, id) order", async () => {
    const dispatcher = await staff(app);
    const marker = unique('interleave');
    const client = open(dispatcher.token);
    const received = subscribeEvents(client, { filter: { types: ['REPORT_CREATED'] } });
    await untilSubscribed(app, 1);
    const intake: Viewer = { kind: 'key', id: unique('k'), name: 'held-writer', role: Role.INTAKE, crewId: null, expiresAt: null, credentialId: 'x' };
    const ids = (
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          const mine: string[] = [];
          for (let i = 0; i < 25; i++) mine.push(await fileHeldOpen(app, intake, marker, 80));
          return mine;
        }),
      )
    ).flat();
    await received.waitFor(200, 60_000);
    const sentinel = await fileReport(app, await apiKey(app, Role.INTAKE), { description: `${marker} sentinel` });
    await untilSentinel(received, ofReport(sentinel.id));
    expect(received.events).toHaveLength(201);
    expect(new Set(received.events.slice(0, 200).map(reportIdOf))).toEqual(new Set(ids));
    expect(received.events[200].report?.id).toBe(sentinel.id);
    await expectOutboxOrder(app, received.events);
    received.stop();
    await client.dispose();
  });

  it('resumes after a disconnect with exactly the events it missed', async () => {
    const dispatcher = await staff(app);
    const key = await apiKey(app, Role.INTAKE);
    const marker = unique('resume');
    const first = open(dispatcher.token);
    const before = subscribeEvents(first, { filter: { types: ['REPORT_CREATED'] } });
    await untilSubscribed(app, 1);
    for (let i = 0; i < 5; i++) await fileReport(app, key, { description: `${marker} before ${i}` });
    const seen = await before.waitFor(5);
    const lastCursor = seen[4].cursor;
    before.stop();
    await first.dispose();
    await expect.poll(() => app.fanout.subscriberCount).toBe(0);

    const missed: string[] = [];
    for (let i = 0; i < 50; i++) missed.push((await fileReport(app, key, { description: `${marker} missed ${i}` })).id);

    const second = open(dispatcher.token);
    const after = subscribeEvents(second, { after: lastCursor, filter: { types: ['REPORT_CREATED'] } });
    const replayed = await after.waitFor(50);
    const live = await fileReport(app, key, { description: `${marker} live` });
    await after.waitFor(51);
    const sentinel = await fileReport(app, key, { description: `${marker} sentinel` });
    await untilSentinel(after, ofReport(sentinel.id));
    expect(after.events.map(reportIdOf)).toEqual([...missed, live.id, sentinel.id]);
    expect(await outboxBefore(app, 'REPORT_CREATED', reportIdOf(seen[4]), reportIdOf(replayed[0]))).toBe(true);
    await expectOutboxOrder(app, after.events);
    after.stop();
    await second.dispose();
  });

  it('resumes with no gap or duplicate while writes continue during the replay', async () => {
    const dispatcher = await staff(app);
    const key = await apiKey(app, Role.INTAKE);
    const marker = unique('seam');
    const probe = open(dispatcher.token);
    const anchor = subscribeEvents(probe, { filter: { types: ['REPORT_CREATED'] } });
    await untilSubscribed(app, 1);
    await fileReport(app, key, { description: `${marker} anchor` });
    const [start] = await anchor.waitFor(1);
    anchor.stop();
    await probe.dispose();

    const expected: string[] = [];
    for (let i = 0; i < 40; i++) expected.push((await fileReport(app, key, { description: `${marker} old ${i}` })).id);
    const client = open(dispatcher.token);
    const resumed = subscribeEvents(client, { after: start.cursor, filter: { types: ['REPORT_CREATED'] } });
    for (let i = 0; i < 40; i++) expected.push((await fileReport(app, key, { description: `${marker} new ${i}` })).id);
    await resumed.waitFor(80, 20_000);
    const sentinel = await fileReport(app, key, { description: `${marker} sentinel` });
    await untilSentinel(resumed, ofReport(sentinel.id));
    expect(resumed.events.map(reportIdOf)).toEqual([...expected, sentinel.id]);
    resumed.stop();
    await client.dispose();
  });

  it('shows each role what it may see: integrators masked, a crew only its own work, intake keys nothing', async () => {
    const dispatcher = await staff(app);
    const mine = await crew(app);
    const other = await crew(app);
    const integratorKey = await apiKey(app, Role.INTEGRATOR);
    const intakeKey = await apiKey(app, Role.INTAKE);
    const clients = [open(dispatcher.token), open(integratorKey), open(mine.token), open(intakeKey)];
    const [asStaff, asIntegrator, asCrew, asIntake] = clients.map((client) => subscribeEvents(client));
    await untilSubscribed(app, 3);
    await expect.poll(() => asIntake.errors.length).toBe(1);
    expect((asIntake.errors[0] as { extensions?: { code?: string } }).extensions?.code).toBe('FORBIDDEN');

    const report = await fileReport(app, intakeKey, { reporter: { name: 'Sara Al-Harbi', phone: '+966551234567', beneficiaryType: 'CITIZEN' } });
    const otherReport = await fileReport(app, intakeKey);
    await ok(app, ASSIGN, { input: { reportId: report.id, crewId: mine.id } }, dispatcher.token);
    await ok(app, ASSIGN, { input: { reportId: otherReport.id, crewId: other.id } }, dispatcher.token);

    await asStaff.waitFor(6);
    await asIntegrator.waitFor(6);
    await asCrew.waitFor(2);
    // The sentinel: the crew moves, a CREW_UPDATED all three audiences see, written after everything above.
    const moved = await ok<{ updateCrewLocation: { version: number } }>(app, 'mutation { updateCrewLocation(lat: 26.2795, lng: 50.2084) { version } }', {}, mine.token);
    const isSentinel = (e: DispatchEvent) => e.type === 'CREW_UPDATED' && e.crew?.id === mine.id && e.crew.version === moved.updateCrewLocation.version;
    await Promise.all([asStaff, asIntegrator, asCrew].map((received) => untilSentinel(received, isSentinel)));
    const staffCreated = asStaff.events.find((e) => e.type === 'REPORT_CREATED' && e.report?.id === report.id)!;
    expect(staffCreated.report?.reporter).toEqual({ name: 'Sara Al-Harbi', phone: '+966551234567' });
    const integratorCreated = asIntegrator.events.find((e) => e.type === 'REPORT_CREATED' && e.report?.id === report.id)!;
    expect(integratorCreated.report?.reporter).toEqual({ name: 'S*** A***', phone: '+9665*****567' });
    expect(asCrew.events.map((e) => e.type)).toEqual(['ASSIGNMENT_CREATED', 'CREW_UPDATED', 'CREW_UPDATED']);
    expect(isSentinel(asCrew.events[2])).toBe(true);
    expect(asCrew.events.every((e) => (e.crew?.id ?? mine.id) === mine.id)).toBe(true);
    expect(asCrew.events[0].report?.id).toBe(report.id);
    for (const received of [asStaff, asIntegrator, asCrew]) received.stop();
    await Promise.all(clients.map((client) => client.dispose()));
  });

  it('filters by type, municipality, category and priority', async () => {
    const dispatcher = await staff(app);
    const key = await apiKey(app, Role.INTAKE);
    const client = open(dispatcher.token);
    const dammamOnly = subscribeEvents(client, { filter: { municipalityCodes: ['DAMMAM'] } });
    const criticalOnly = subscribeEvents(client, { filter: { priorities: ['CRITICAL'], types: ['REPORT_CREATED'] } });
    const potholes = subscribeEvents(client, { filter: { categoryCodes: ['POTHOLE'] } });
    await untilSubscribed(app, 3);
    const khobarPothole = await fileReport(app, key);
    const dammamBillboard = await fileReport(app, key, { categoryCode: 'HAZARDOUS_BILLBOARD', location: { lat: 26.4207, lng: 50.0888 } });
    await dammamOnly.waitFor(1);
    await criticalOnly.waitFor(1);
    await potholes.waitFor(1);
    // Sentinels written after both: a Dammam pothole (not CRITICAL) for two filters, a Khobar billboard (CRITICAL) for the third.
    const dammamPothole = await fileReport(app, key, { location: { lat: 26.4207, lng: 50.0888 } });
    const khobarBillboard = await fileReport(app, key, { categoryCode: 'HAZARDOUS_BILLBOARD' });
    await untilSentinel(dammamOnly, ofReport(dammamPothole.id));
    await untilSentinel(potholes, ofReport(dammamPothole.id));
    await untilSentinel(criticalOnly, ofReport(khobarBillboard.id));
    expect(dammamOnly.events.map(reportIdOf)).toEqual([dammamBillboard.id, dammamPothole.id]);
    expect(criticalOnly.events.map(reportIdOf)).toEqual([dammamBillboard.id, khobarBillboard.id]);
    expect(potholes.events.map(reportIdOf)).toEqual([khobarPothole.id, dammamPothole.id]);
    for (const received of [dammamOnly, criticalOnly, potholes]) received.stop();
    await client.dispose();
  });

  it('executes each event once for many identical subscriptions, not once per subscriber', async () => {
    const dispatcher = await staff(app);
    const key = await apiKey(app, Role.INTAKE);
    const clients = Array.from({ length: 20 }, () => open(dispatcher.token));
    const all = clients.map((client) => subscribeEvents(client, { filter: { types: ['REPORT_CREATED'] } }));
    await untilSubscribed(app, 20);
    const executionsBefore = app.fanout.executions;
    const report = await fileReport(app, key);
    await Promise.all(all.map((received) => received.waitFor(1)));
    expect(all.every((received) => received.events[0].report?.id === report.id)).toBe(true);
    expect(app.fanout.executions - executionsBefore).toBe(1);
    for (const received of all) received.stop();
    await Promise.all(clients.map((client) => client.dispose()));
  });

  it('rejects a malformed cursor as bad input naming after', async () => {
    const dispatcher = await staff(app);
    const client = open(dispatcher.token);
    const received = subscribeEvents(client, { after: 'not-a-cursor' });
    await expect.poll(() => received.errors.length).toBe(1);
    expect((received.errors[0] as { extensions?: Record<string, unknown> }).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    await client.dispose();
  });

  it('keeps HTTP mutations unaffected when no one listens', async () => {
    const key = await apiKey(app, Role.INTAKE);
    const result = await gql(app, 'mutation($input: CreateReportInput!) { createReport(input: $input) { id } }', { input: reportInput() }, key);
    expect(result.errors).toBeUndefined();
  });
});
