import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sqlState, UNIQUE_VIOLATION } from '../server/src/common/errors.js';
import { Migration20261203020000CrewOneJob } from '../server/src/db/migrations/Migration20261203020000CrewOneJob.js';
import { assign, crew, fileReport, progress, sql, staff, unique, type AssignmentResult } from './support/factories.js';
import { codeOf, gql, ok, startServer, type App } from './support/server.js';

const MOVE = 'mutation($input: UpdateAssignmentStatusInput!) { updateAssignmentStatus(input: $input) { id status } }';

describe('a crew works one job at a time', () => {
  let app: App;
  let dispatcher: { token: string };

  beforeAll(async () => {
    app = await startServer();
    dispatcher = await staff(app);
  });
  afterAll(() => app.close());

  /** A fresh report given to the crew, accepted by it. */
  const acceptedJob = async (member: { id: string; token: string }): Promise<AssignmentResult & { reference: string }> => {
    const report = await fileReport(app, dispatcher.token, { description: unique('one-job') });
    const job = await assign(app, dispatcher.token, report.id, member.id);
    await progress(app, member.token, job.id, 'ACCEPTED');
    return { ...job, reference: report.reference };
  };
  const move = (token: string, assignmentId: string, status: string) => gql<{ updateAssignmentStatus: { id: string; status: string } }>(app, MOVE, { input: { assignmentId, status } }, token);

  it('refuses a second start with CONFLICT naming the job under way, and allows it once that job is done', async () => {
    const member = await crew(app);
    const [first, second] = [await acceptedJob(member), await acceptedJob(member)];
    await progress(app, member.token, first.id, 'EN_ROUTE');

    for (const status of ['EN_ROUTE', 'ON_SITE']) {
      const refused = await move(member.token, second.id, status);
      expect(codeOf(refused)).toBe('CONFLICT');
      expect(refused.errors?.[0].message).toContain(first.reference);
      expect(refused.errors?.[0].extensions).toMatchObject({ currentAssignmentId: first.id, currentReference: first.reference, currentStatus: 'EN_ROUTE', field: 'input.assignmentId' });
    }
    // A dispatcher recording it on the crew's behalf is refused the same way.
    expect(codeOf(await move(dispatcher.token, second.id, 'EN_ROUTE'))).toBe('CONFLICT');
    expect((await sql<{ status: string }>(app, 'select status from assignment where id = ?', [second.id]))[0].status).toBe('ACCEPTED');

    // Moving on within the job under way is no second start.
    await progress(app, member.token, first.id, 'ON_SITE');
    const stillRefused = await move(member.token, second.id, 'EN_ROUTE');
    expect(stillRefused.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', currentAssignmentId: first.id, currentStatus: 'ON_SITE' });
    await progress(app, member.token, first.id, 'COMPLETED', 'تم ردم الحفرة');
    expect((await move(member.token, second.id, 'EN_ROUTE')).data?.updateAssignmentStatus).toEqual({ id: second.id, status: 'EN_ROUTE' });
  });

  it('lets exactly one of two concurrent starts by one crew through; the other gets CONFLICT', async () => {
    for (let round = 0; round < 4; round++) {
      const member = await crew(app);
      const [a, b] = [await acceptedJob(member), await acceptedJob(member)];
      const results = await Promise.all([move(member.token, a.id, 'EN_ROUTE'), move(member.token, b.id, round % 2 ? 'ON_SITE' : 'EN_ROUTE')]);
      const started = results.filter((result) => !result.errors && result.data?.updateAssignmentStatus);
      const refused = results.filter((result) => codeOf(result) === 'CONFLICT');
      expect(started).toHaveLength(1);
      expect(refused).toHaveLength(1);
      const winner = started[0].data!.updateAssignmentStatus.id;
      expect(refused[0].errors?.[0].extensions).toMatchObject({ currentAssignmentId: winner });
      const working = await sql<{ id: string }>(app, `select id from assignment where crew_id = ? and status in ('EN_ROUTE', 'ON_SITE')`, [member.id]);
      expect(working.map((row) => row.id)).toEqual([winner]);
    }
  });

  it('is held by the database itself: of two transactions starting two jobs of one crew, the second is refused by the unique index', async () => {
    const member = await crew(app);
    const [a, b] = [await acceptedJob(member), await acceptedJob(member)];
    const [one, two] = [new pg.Client({ connectionString: inject('databaseUrl') }), new pg.Client({ connectionString: inject('databaseUrl') })];
    await Promise.all([one.connect(), two.connect()]);
    try {
      await one.query('begin');
      await two.query('begin');
      await one.query(`update assignment set status = 'EN_ROUTE' where id = $1`, [a.id]);
      // The second waits on the first's uncommitted index entry, then fails when the first commits.
      const second = two.query(`update assignment set status = 'ON_SITE' where id = $1`, [b.id]).then(
        () => undefined,
        (err: unknown) => err,
      );
      await one.query('commit');
      const err = (await second) as { constraint?: string } | undefined;
      expect(sqlState(err)).toBe(UNIQUE_VIOLATION);
      expect(err?.constraint).toBe('assignment_one_working_per_crew');
      await two.query('rollback');
    } finally {
      await Promise.all([one.end(), two.end()]);
    }
    const statuses = await sql<{ id: string; status: string }>(app, 'select id, status from assignment where crew_id = ? order by created_at', [member.id]);
    expect(statuses).toEqual([
      { id: a.id, status: 'EN_ROUTE' },
      { id: b.id, status: 'ACCEPTED' },
    ]);
  });

  it("keeps the crew's further jobs waiting in order: accepted ones oldest assigned first, then offers", async () => {
    const member = await crew(app);
    const reports = [];
    for (let i = 0; i < 4; i++) reports.push(await fileReport(app, dispatcher.token, { description: unique('queued') }));
    const jobs = [];
    for (const report of reports) jobs.push(await assign(app, dispatcher.token, report.id, member.id));
    // Accepted out of order; the third is started; the fourth stays an offer.
    for (const index of [2, 0, 1]) await progress(app, member.token, jobs[index].id, 'ACCEPTED');
    await progress(app, member.token, jobs[2].id, 'EN_ROUTE');

    type Jobs = { myJobs: { current: { id: string; status: string } | null; queue: Array<{ id: string; status: string }> } };
    const day = (await ok<Jobs>(app, '{ myJobs { current { id status } queue { id status } } }', {}, member.token)).myJobs;
    expect(day.current).toEqual({ id: jobs[2].id, status: 'EN_ROUTE' });
    expect(day.queue).toEqual([
      { id: jobs[0].id, status: 'ACCEPTED' },
      { id: jobs[1].id, status: 'ACCEPTED' },
      { id: jobs[3].id, status: 'PENDING' },
    ]);
    // Once the current job is done, the first in the queue is next, and may start.
    await progress(app, member.token, jobs[2].id, 'ON_SITE');
    await progress(app, member.token, jobs[2].id, 'COMPLETED', 'أنجز');
    const next = (await ok<Jobs>(app, '{ myJobs { current { id status } queue { id status } } }', {}, member.token)).myJobs;
    expect(next.current).toEqual({ id: jobs[0].id, status: 'ACCEPTED' });
    expect(next.queue.map((job) => job.id)).toEqual([jobs[1].id, jobs[3].id]);
    await progress(app, member.token, jobs[0].id, 'EN_ROUTE');
  });

  it('migrates a database where a crew was under way on several jobs: it keeps the one furthest along and its others wait ACCEPTED', async () => {
    const member = await crew(app);
    const [oldest, onSite, newest] = [await acceptedJob(member), await acceptedJob(member), await acceptedJob(member)];
    const client = new pg.Client({ connectionString: inject('databaseUrl') });
    await client.connect();
    try {
      // The data as it could be before the rule: one crew en route to two jobs and on site at a third.
      await client.query('begin');
      await client.query('drop index assignment_one_working_per_crew');
      await client.query(`update assignment set status = case id when $2 then 'ON_SITE' else 'EN_ROUTE' end where id = any($1)`, [[oldest.id, onSite.id, newest.id], onSite.id]);
      const versions = new Map((await client.query<{ id: string; version: number }>('select id, version from assignment where crew_id = $1', [member.id])).rows.map((row) => [row.id, row.version]));
      const migration = new Migration20261203020000CrewOneJob(app.orm.em.getDriver(), app.orm.config);
      await migration.up();
      for (const query of migration.getQueries()) await client.query(query as string);
      const rows = await client.query<{ id: string; status: string; version: number }>('select id, status, version from assignment where crew_id = $1 order by created_at', [member.id]);
      expect(rows.rows.map(({ id, status }) => ({ id, status }))).toEqual([
        { id: oldest.id, status: 'ACCEPTED' },
        { id: onSite.id, status: 'ON_SITE' },
        { id: newest.id, status: 'ACCEPTED' },
      ]);
      // A client holding the old version of a job sent back learns that it changed.
      expect(rows.rows.map((row) => row.version - versions.get(row.id)!)).toEqual([1, 0, 1]);
      const index = await client.query(`select 1 from pg_indexes where indexname = 'assignment_one_working_per_crew'`);
      expect(index.rowCount).toBe(1);
    } finally {
      await client.query('rollback');
      await client.end();
    }
  });
});
