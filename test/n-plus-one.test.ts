import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assign, crewRow, fileReport, progress, staff, unique } from './support/factories.js';
import { ok, startServer, type App } from './support/server.js';

const LIST = `query($text: String!, $first: Int!) {
  reports(filter: { text: $text }, first: $first) {
    totalCount
    edges {
      node {
        id reference status
        category { code nameEn department { code } }
        location { lat lng municipality { code nameEn } }
        reporter { name phone }
        activeAssignment { status crew { name status municipality { code } department { code } } }
        possibleDuplicates { reference distanceMeters report { id } }
      }
    }
  }
}`;

/**
 * The dispatcher's queue must cost the same number of SQL statements whatever the page size: every
 * relation is loaded in one batch per request, never once per row.
 */
describe('listing reports with their relations', () => {
  let app: App;
  let statements = 0;
  let dispatcher: { token: string };

  beforeAll(async () => {
    // No periodic overdue check during the count: it would add its own statements to a request's.
    app = await startServer({ overdueCheckMs: 3_600_000 }, { onQuery: () => statements++ });
    dispatcher = await staff(app);
  });
  afterAll(() => app.close());

  /** N reports under a fresh marker word, a third of them with an active assignment (some accepted) to several crews. */
  async function seed(n: number): Promise<string> {
    const marker = unique('nplusone').replace('-', '');
    const crews = await Promise.all(Array.from({ length: 4 }, (_, i) => crewRow(app, { municipality: i % 2 ? 'DAMMAM' : 'KHOBAR' })));
    const categories = ['POTHOLE', 'HAZARDOUS_BILLBOARD', 'WASTE_ACCUMULATION', 'FALLEN_TREE', 'STREETLIGHT_OUTAGE'];
    const places = [
      { lat: 26.4207, lng: 50.0888 },
      { lat: 26.2794, lng: 50.2083 },
      { lat: 26.556, lng: 50.005 },
    ];
    for (let start = 0; start < n; start += 10) {
      const batch = Array.from({ length: Math.min(10, n - start) }, (_, j) => start + j);
      await Promise.all(
        batch.map(async (i) => {
          const report = await fileReport(app, dispatcher.token, { description: `${marker} report ${i}`, categoryCode: categories[i % categories.length], location: places[i % places.length] });
          if (i % 3 !== 0) return;
          const assignment = await assign(app, dispatcher.token, report.id, crews[i % crews.length].id);
          if (i % 2 === 0) await progress(app, dispatcher.token, assignment.id, 'ACCEPTED');
        }),
      );
    }
    return marker;
  }

  /**
   * Statements run by one list request, after a warm-up request has cached the token and read the
   * reference data (served from a snapshot at most 30 s old, so seeding may have outlived it).
   */
  async function statementsToList(marker: string, first: number): Promise<{ statements: number; rows: number; assigned: number }> {
    await ok(app, 'query { me { id } reports(first: 1) { edges { node { category { code } } } } }', {}, dispatcher.token);
    const before = statements;
    const data = await ok<{ reports: { edges: Array<{ node: { activeAssignment: object | null } }> } }>(app, LIST, { text: marker, first }, dispatcher.token);
    const used = statements - before;
    const nodes = data.reports.edges.map((edge) => edge.node);
    return { statements: used, rows: nodes.length, assigned: nodes.filter((node) => node.activeAssignment).length };
  }

  it('runs the same small number of statements for 10 and for 100 reports', async () => {
    const [small, large] = [await seed(10), await seed(100)];
    const ten = await statementsToList(small, 100);
    const hundred = await statementsToList(large, 100);

    expect(ten).toMatchObject({ rows: 10, assigned: 4 });
    expect(hundred).toMatchObject({ rows: 100, assigned: 34 });
    expect(hundred.statements).toBe(ten.statements);
    expect(hundred.statements).toBeLessThanOrEqual(5);
  });
});
