import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import { apiKey, assign, crew, fileReport, progress, staff } from './support/factories.js';
import { ok, startServer, type App } from './support/server.js';
import { connect, subscribeEvents, untilSubscribed } from './support/ws.js';

describe('live dispatch events over graphql-ws', () => {
  let app: App;
  beforeAll(async () => {
    app = await startServer({ eventPollMs: 100 });
  });
  afterAll(() => app.close());

  it('delivers a created report to a dispatcher live', async () => {
    const dispatcher = await staff(app);
    const client = connect(app, dispatcher.token);
    const received = subscribeEvents(client);
    await untilSubscribed(app, 1);
    const key = await apiKey(app, Role.INTAKE);
    const report = await fileReport(app, key);
    const [event] = await received.waitFor(1);
    expect(event.type).toBe('REPORT_CREATED');
    expect(event.report?.id).toBe(report.id);
    expect(event.report?.version).toBe(1);
    received.stop();
    await client.dispose();
  });

  it('shows an assignment and the crew change in order', async () => {
    const dispatcher = await staff(app);
    const team = await crew(app);
    const client = connect(app, dispatcher.token);
    const key = await apiKey(app, Role.INTAKE);
    const report = await fileReport(app, key);
    const received = subscribeEvents(client);
    await untilSubscribed(app, 1);
    await ok(app, 'mutation($input: AssignReportInput!) { assignReport(input: $input) { id } }', { input: { reportId: report.id, crewId: team.id } }, dispatcher.token);
    const events = await received.waitFor(2);
    expect(events.map((e) => e.type)).toEqual(['ASSIGNMENT_CREATED', 'CREW_UPDATED']);
    expect(events[0].report?.status).toBe('ASSIGNED');
    expect(events[1].crew?.status).toBe('ASSIGNED');
    received.stop();
    await client.dispose();
  });

  it("publishes each change of the crew's own status as the crew takes its steps, with a new version each time", async () => {
    const dispatcher = await staff(app);
    const team = await crew(app);
    const key = await apiKey(app, Role.INTAKE);
    const report = await fileReport(app, key);
    const job = await assign(app, dispatcher.token, report.id, team.id);
    const client = connect(app, dispatcher.token);
    const received = subscribeEvents(client);
    await untilSubscribed(app, 1);
    // ACCEPTED leaves the crew ASSIGNED (no crew event); going and arriving change what it is doing.
    for (const step of ['ACCEPTED', 'EN_ROUTE', 'ON_SITE'] as const) await progress(app, team.token, job.id, step);
    const events = await received.waitFor(5);
    expect(events.map((e) => [e.type, e.assignment?.status ?? e.crew?.status])).toEqual([
      ['ASSIGNMENT_UPDATED', 'ACCEPTED'],
      ['ASSIGNMENT_UPDATED', 'EN_ROUTE'],
      ['CREW_UPDATED', 'EN_ROUTE'],
      ['ASSIGNMENT_UPDATED', 'ON_SITE'],
      ['CREW_UPDATED', 'ON_SITE'],
    ]);
    const versions = events.filter((e) => e.type === 'CREW_UPDATED').map((e) => e.crew!.version);
    expect(versions[1]).toBeGreaterThan(versions[0]);
    received.stop();
    await client.dispose();
  });
});
