import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import { apiKey, crew, fileReport, staff } from './support/factories.js';
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
});
