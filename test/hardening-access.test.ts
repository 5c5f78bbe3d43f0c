import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import { apiKey, assign, crew, fileReport, progress, staff, unique, type FiledReport } from './support/factories.js';
import { ok, startServer, type App } from './support/server.js';
import { connect, subscribeEvents, untilSubscribed } from './support/ws.js';

const TIMELINE = 'query($id: ID!) { report(id: $id) { id timeline { at actor action fromStatus toStatus note params { crewId crewNameAr } } } }';

interface Line {
  at: string;
  actor: string | null;
  action: string;
  fromStatus: string | null;
  toStatus: string | null;
  note: string | null;
  /** What the server knows besides a person's note (the crew an assignment went to), shown only where the note is. */
  params: { crewId: string | null; crewNameAr: string | null } | null;
}

type Member = Awaited<ReturnType<typeof crew>>;

describe('the timeline, filtered by role like every other field', () => {
  let app: App;
  let dispatcher: Awaited<ReturnType<typeof staff>>;
  let intake: string;
  let otherIntake: string;
  let integrator: string;
  let first: Member;
  let second: Member;
  let report: FiledReport;
  /** Free text only staff (and the crew whose work it is) may read: notes, names, usernames. */
  let secrets: Record<string, string>;

  beforeAll(async () => {
    app = await startServer();
    [dispatcher, intake, otherIntake, integrator, first, second] = await Promise.all([
      staff(app),
      apiKey(app, Role.INTAKE),
      apiKey(app, Role.INTAKE),
      apiKey(app, Role.INTEGRATOR),
      crew(app, { name: unique('Crew Alpha') }),
      crew(app, { name: unique('Crew Beta') }),
    ]);
    secrets = {
      triage: `caller Fahad said his son fell in it, call him on 0551239876 ${unique('triage')}`,
      decline: `no asphalt truck, Khalid knows ${unique('decline')}`,
      accept: `on our way ${unique('accept')}`,
    };
    report = await fileReport(app, intake, { description: 'حفرة عميقة أمام المدرسة' });
    await ok(app, 'mutation($id: ID!, $note: String!) { triageReport(id: $id, input: { priority: HIGH, note: $note }) { id } }', { id: report.id, note: secrets.triage }, dispatcher.token);
    const declined = await assign(app, dispatcher.token, report.id, first.id);
    await progress(app, first.token, declined.id, 'DECLINED', secrets.decline);
    const accepted = await assign(app, dispatcher.token, report.id, second.id);
    await progress(app, second.token, accepted.id, 'ACCEPTED', secrets.accept);
  });
  afterAll(() => app.close());

  const timeline = async (token: string): Promise<Line[] | null> => (await ok<{ report: { id: string; timeline: Line[] } | null }>(app, TIMELINE, { id: report.id }, token)).report?.timeline ?? null;
  const leaks = (lines: Line[], forbidden: string[]) => forbidden.filter((text) => JSON.stringify(lines).includes(text));

  it('shows the intake key that filed it the public status history only: statuses and times, no usernames, notes or crew names', async () => {
    const lines = (await timeline(intake))!;
    expect(lines.map(({ action, fromStatus, toStatus, actor, note }) => ({ action, fromStatus, toStatus, actor, note }))).toEqual([
      { action: 'STATUS_CHANGED', fromStatus: null, toStatus: 'RECEIVED', actor: null, note: null },
      { action: 'STATUS_CHANGED', fromStatus: 'RECEIVED', toStatus: 'ASSIGNED', actor: null, note: null },
      { action: 'STATUS_CHANGED', fromStatus: 'ASSIGNED', toStatus: 'RECEIVED', actor: null, note: null },
      { action: 'STATUS_CHANGED', fromStatus: 'RECEIVED', toStatus: 'ASSIGNED', actor: null, note: null },
      { action: 'STATUS_CHANGED', fromStatus: 'ASSIGNED', toStatus: 'IN_PROGRESS', actor: null, note: null },
    ]);
    for (const line of lines) expect(Number.isNaN(Date.parse(line.at))).toBe(false);
    expect(leaks(lines, [...Object.values(secrets), first.name, second.name, first.username, second.username, dispatcher.username])).toEqual([]);
    expect(await timeline(otherIntake)).toBeNull();
  });

  it('shows staff every line whole, and an integrator the same lines as codes, statuses and times, never a note or an actor', async () => {
    const whole = (await timeline(dispatcher.token))!;
    expect(whole.map((line) => line.action)).toEqual(['CREATED', 'TRIAGED', 'ASSIGNED', 'ASSIGNMENT_DECLINED', 'ASSIGNED', 'ASSIGNMENT_ACCEPTED']);
    expect(whole.map((line) => line.actor)).toEqual([expect.any(String), dispatcher.username, dispatcher.username, first.username, dispatcher.username, second.username]);
    expect(whole.map((line) => line.note)).toEqual([null, secrets.triage, null, secrets.decline, null, secrets.accept]);
    expect(whole.map((line) => line.params?.crewNameAr ?? null)).toEqual([null, null, first.name, null, second.name, null]);

    const lines = (await timeline(integrator))!;
    expect(lines.map((line) => line.at)).toEqual(whole.map((line) => line.at));
    expect(lines.map((line) => line.action)).toEqual(['CREATED', 'TRIAGED', 'ASSIGNED', 'ASSIGNMENT_DECLINED', 'ASSIGNED', 'ASSIGNMENT_ACCEPTED']);
    expect(lines.map((line) => [line.fromStatus, line.toStatus])).toEqual([
      [null, 'RECEIVED'],
      [null, null],
      ['RECEIVED', 'ASSIGNED'],
      ['ASSIGNED', 'RECEIVED'],
      ['RECEIVED', 'ASSIGNED'],
      ['ASSIGNED', 'IN_PROGRESS'],
    ]);
    for (const line of lines) expect([line.actor, line.note, line.params]).toEqual([null, null, null]);
  });

  it("shows the crew holding the report its own work and the report's lines whole, another crew's work as codes without its name or note", async () => {
    const lines = (await timeline(second.token))!;
    expect(lines.map((line) => [line.action, line.actor, line.note, line.params?.crewNameAr ?? null])).toEqual([
      ['CREATED', expect.any(String), null, null],
      ['TRIAGED', dispatcher.username, secrets.triage, null],
      ['ASSIGNED', null, null, null],
      ['ASSIGNMENT_DECLINED', null, null, null],
      ['ASSIGNED', dispatcher.username, null, second.name],
      ['ASSIGNMENT_ACCEPTED', second.username, secrets.accept, null],
    ]);
    expect(leaks(lines, [first.name, first.username, secrets.decline])).toEqual([]);
  });

  it('shows the crew that declined nothing of it any more', async () => {
    expect(await timeline(first.token)).toBeNull();
  });
});

describe('a crew that declined, or whose assignment was cancelled, loses the report at once', () => {
  let app: App;
  let dispatcher: Awaited<ReturnType<typeof staff>>;

  beforeAll(async () => {
    app = await startServer();
    dispatcher = await staff(app);
  });
  afterAll(() => app.close());

  /** Everything the crew can learn of the report through queries. */
  async function reads(member: Member, report: FiledReport) {
    const FIELDS = 'id status assignments { id status } activeAssignment { id } timeline { action }';
    type Read = {
      id: string;
      status: string;
      assignments: Array<{ id: string; status: string }>;
      activeAssignment: { id: string } | null;
      timeline: Array<{ action: string }>;
    } | null;
    const byId = await ok<{ report: Read }>(app, `query($id: ID!) { report(id: $id) { ${FIELDS} } }`, { id: report.id }, member.token);
    const byReference = await ok<{ reportByReference: Read }>(app, `query($ref: String!) { reportByReference(reference: $ref) { ${FIELDS} } }`, { ref: report.reference }, member.token);
    const listed = await ok<{ reports: { totalCount: number; edges: Array<{ node: { id: string } }> } }>(app, `query { reports(first: 100) { totalCount edges { node { id } } } }`, {}, member.token);
    const crewView = await ok<{ crew: { activeAssignment: { id: string } | null } | null }>(app, `query($id: ID!) { crew(id: $id) { activeAssignment { id } } }`, { id: member.id }, member.token);
    return {
      report: byId.report,
      byReference: byReference.reportByReference,
      listed: listed.reports.edges.map((edge) => edge.node.id),
      // A crew always reads itself: a null here fails the test.
      activeOnCrew: crewView.crew!.activeAssignment,
    };
  }

  it('through report, reportByReference, reports and the fields of the report its own mutation answers with', async () => {
    const [decliner, completer] = await Promise.all([crew(app), crew(app)]);
    const report = await fileReport(app, dispatcher.token, { description: `${unique('decline')} إنارة معطلة` });
    const assignment = await assign(app, dispatcher.token, report.id, decliner.id);
    expect((await reads(decliner, report)).report).toMatchObject({ id: report.id, assignments: [{ id: assignment.id }], timeline: expect.arrayContaining([{ action: 'ASSIGNED' }]) });

    const answer = await ok<{ updateAssignmentStatus: unknown }>(
      app,
      `mutation($input: UpdateAssignmentStatusInput!) { updateAssignmentStatus(input: $input) {
         status report { id assignments { id } activeAssignment { id } timeline { action } } } }`,
      { input: { assignmentId: assignment.id, status: 'DECLINED', note: 'not our district' } },
      decliner.token,
    );
    expect(answer.updateAssignmentStatus).toEqual({ status: 'DECLINED', report: { id: report.id, assignments: [], activeAssignment: null, timeline: [] } });
    expect(await reads(decliner, report)).toEqual({ report: null, byReference: null, listed: [], activeOnCrew: null });

    // Finished work stays visible to the crew that did it.
    const done = await assign(app, dispatcher.token, report.id, completer.id);
    for (const status of ['ACCEPTED', 'ON_SITE', 'COMPLETED'] as const) await progress(app, completer.token, done.id, status);
    const seen = await reads(completer, report);
    expect(seen.report).toMatchObject({ id: report.id, status: 'RESOLVED', assignments: [{ id: done.id, status: 'COMPLETED' }] });
    expect(seen.listed).toEqual([report.id]);
    expect(seen.report?.timeline.length).toBeGreaterThan(0);
  });

  it('over a live subscription: it receives the cancellation of its assignment, then no event of that report', async () => {
    const [taken, next] = await Promise.all([crew(app), crew(app)]);
    const report = await fileReport(app, dispatcher.token, { description: `${unique('cancel')} تجمع نفايات` });
    const assignment = await assign(app, dispatcher.token, report.id, taken.id);
    await progress(app, taken.token, assignment.id, 'ACCEPTED');

    const client = connect(app, taken.token);
    try {
      const received = subscribeEvents<{ cursor: string; type: string; report: { id: string } | null; assignment: { id: string; status: string } | null }>(
        client,
        {},
        'cursor type report { id status assignments { id } activeAssignment { id } timeline { action } } assignment { id status }',
      );
      await untilSubscribed(app, 1);

      await ok(app, 'mutation($id: ID!) { cancelAssignment(id: $id, reason: "needed at a collapse") { id } }', { id: assignment.id }, dispatcher.token);
      await ok(app, 'mutation($id: ID!) { triageReport(id: $id, input: { priority: CRITICAL, note: "school zone" }) { id } }', { id: report.id }, dispatcher.token);
      const handedOn = await assign(app, dispatcher.token, report.id, next.id);
      await progress(app, next.token, handedOn.id, 'ACCEPTED', 'on it');
      // The sentinel: another report given to the crew, which it must receive after all of the above.
      const sentinel = await fileReport(app, dispatcher.token, { description: `${unique('sentinel')} حفرة` });
      const sentinelAssignment = await assign(app, dispatcher.token, sentinel.id, taken.id);

      await received.waitFor(1);
      const started = Date.now();
      while (!received.events.some((event) => event.assignment?.id === sentinelAssignment.id)) {
        if (Date.now() - started > 10_000) throw new Error(`no sentinel; got ${JSON.stringify(received.events)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const aboutReport = received.events.filter((event) => event.report?.id === report.id);
      expect(aboutReport).toEqual([
        {
          cursor: expect.any(String),
          type: 'ASSIGNMENT_UPDATED',
          report: { id: report.id, status: 'RECEIVED', assignments: [], activeAssignment: null, timeline: [] },
          assignment: { id: assignment.id, status: 'CANCELLED' },
        },
      ]);
      expect(received.errors).toEqual([]);
    } finally {
      await client.dispose();
    }
  });
});
