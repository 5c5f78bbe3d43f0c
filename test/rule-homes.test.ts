import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVE_ASSIGNMENT_STATUSES, WORKING_ASSIGNMENT_STATUSES } from '../server/src/assignments/assignments.enums.js';
import { leadingOrderSql, PROGRESS } from '../server/src/assignments/assignments.leading.js';
import { activeAssignmentSql } from '../server/src/assignments/assignments.mapper.js';
import { queueOrderSql } from '../server/src/reports/reports.mapper.js';
import { OPEN_STATUSES } from '../server/src/reports/reports.enums.js';
import { crewRow, sql } from './support/factories.js';
import { startServer, type App } from './support/server.js';

/**
 * Migrations are history: their SQL is written once and never edited. The indexes they made must still say
 * what the rules in code say, or the planner stops using them (or a unique index enforces an old rule), so
 * each is read back from PostgreSQL and compared with the rule's one home.
 */
describe('indexes agree with the rules they serve', () => {
  let app: App;
  beforeAll(async () => {
    app = await startServer();
  });
  afterAll(() => app.close());

  const definition = async (name: string) => (await sql<{ def: string }>(app, 'select pg_get_indexdef(indexrelid) as def from pg_index where indexrelid = ?::regclass', [name]))[0].def;
  /** The status literals of an index's WHERE clause. */
  const predicateStatuses = (def: string) => [...(def.split(' WHERE ')[1] ?? '').matchAll(/'([A-Z_]+)'/g)].map((match) => match[1]).sort();

  it('the queue and overdue indexes cover exactly the open statuses, in the queue order', async () => {
    const queue = await definition('report_queue_index');
    expect(predicateStatuses(queue)).toEqual([...OPEN_STATUSES].sort());
    expect(queue).toContain(`(${queueOrderSql('r').replaceAll('r.', '')})`);
    expect(predicateStatuses(await definition('report_overdue_scan_index'))).toEqual([...OPEN_STATUSES].sort());
  });

  it('one active assignment per report, and the crew leading index, cover exactly the active statuses', async () => {
    expect(predicateStatuses(await definition('assignment_one_active_per_report'))).toEqual([...ACTIVE_ASSIGNMENT_STATUSES].sort());
    expect(predicateStatuses(await definition('assignment_crew_leading_index'))).toEqual([...ACTIVE_ASSIGNMENT_STATUSES].sort());
    expect(Object.keys(PROGRESS).sort()).toEqual([...ACTIVE_ASSIGNMENT_STATUSES].sort());
  });

  it('one job under way per crew: the unique index on a crew covers exactly the working statuses', async () => {
    const def = await definition('assignment_one_working_per_crew');
    expect(def).toContain('CREATE UNIQUE INDEX');
    expect(def).toContain('(crew_id)');
    expect(predicateStatuses(def)).toEqual([...WORKING_ASSIGNMENT_STATUSES].sort());
  });

  it("the crew leading index sorts by the same CASE as leadingOrderSql, so a crew's leading assignment is one index read", async () => {
    const def = await definition('assignment_crew_leading_index');
    const indexed = [...def.matchAll(/WHEN '([A-Z_]+)'::text THEN (\d+)/g)].map((match) => [match[1], Number(match[2])]);
    const ordered = [...leadingOrderSql('a').matchAll(/when '([A-Z_]+)' then (\d+)/g)].map((match) => [match[1], Number(match[2])]);
    expect(indexed).toEqual(ordered);
    expect(ordered.length).toBeGreaterThan(0);
    // And the planner does use it for the order the code asks for.
    const crew = await crewRow(app);
    // The test table is small and shared by the suite's files, so a sequential scan may be cheapest today and not
    // at production sizes: with it ruled out, the question is which index serves the order, and it must be this one.
    const plan = await app.orm.em.fork().transactional(async (tx) => {
      await tx.execute('set local enable_seqscan = off');
      // And with a sort ruled out too: for a crew with one assignment a sort is as cheap as any index, so the
      // question is which index gives the order by itself.
      await tx.execute('set local enable_sort = off');
      return tx.execute<{ 'QUERY PLAN': string }[]>(`explain select a.id from assignment a where a.crew_id = ? and ${activeAssignmentSql('a')} order by ${leadingOrderSql('a')} limit 1`, [crew.id]);
    });
    expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toContain('assignment_crew_leading_index');
  });
});
