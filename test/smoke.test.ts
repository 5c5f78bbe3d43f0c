import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import { apiKey, fileReport, staff } from './support/factories.js';
import { ok, startServer, type App } from './support/server.js';

describe('the server answers GraphQL over HTTP on a real database', () => {
  let app: App;
  beforeAll(async () => {
    app = await startServer();
  });
  afterAll(() => app.close());

  it('files a report with an intake key and shows it to a dispatcher', async () => {
    const key = await apiKey(app, Role.INTAKE);
    const report = await fileReport(app, key);
    expect(report.reference).toMatch(/^940-\d{4}-\d{6,}$/);
    expect(report.status).toBe('RECEIVED');
    expect(report.location.municipality.code).toBe('KHOBAR');
    const dispatcher = await staff(app);
    const data = await ok<{ report: { reference: string; timeline: Array<{ action: string; actor: string | null }> } }>(
      app,
      'query($id: ID!) { report(id: $id) { reference timeline { action actor } } }',
      { id: report.id },
      dispatcher.token,
    );
    expect(data.report.reference).toBe(report.reference);
    expect(data.report.timeline.map((t) => t.action)).toEqual(['CREATED']);
  });
});
