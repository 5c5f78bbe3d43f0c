import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssignmentStatus } from '../server/src/assignments/assignments.enums.js';
import { CREW_SETTABLE } from '../server/src/assignments/assignments.transitions.js';
import { ReportKind, ReportStatus } from '../server/src/reports/reports.enums.js';
import { ReportAction, REPORT_TRANSITIONS } from '../server/src/reports/reports.transitions.js';
import { assign, count, crew, crewRow, fileReport, progress, staff, unique, type FiledReport } from './support/factories.js';
import { uploadedBytes } from './support/media.js';
import { codeOf, gql, ok, startServer, type App, type GqlResponse } from './support/server.js';

const { RECEIVED, ASSIGNED, IN_PROGRESS, RESOLVED, CLOSED, REJECTED, DUPLICATE } = ReportStatus;
const { PENDING, ACCEPTED, EN_ROUTE, ON_SITE, COMPLETED, DECLINED, CANCELLED } = AssignmentStatus;

/** What the dispatcher may do to a report, as the product specifies it (independent of the server's table). */
const DISPATCHER_ACTIONS = {
  TRIAGE: { from: [RECEIVED, ASSIGNED, IN_PROGRESS], to: null, timeline: 'TRIAGED' },
  ASSIGN: { from: [RECEIVED], to: ASSIGNED, timeline: 'ASSIGNED', onlyKinds: [ReportKind.INCIDENT] },
  CLOSE: { from: [RESOLVED], to: CLOSED, timeline: 'CLOSED', alsoFromReceived: [ReportKind.NOTE, ReportKind.INQUIRY] },
  REJECT: { from: [RECEIVED], to: REJECTED, timeline: 'REJECTED' },
  MARK_DUPLICATE: { from: [RECEIVED], to: DUPLICATE, timeline: 'MARKED_DUPLICATE' },
  REOPEN: { from: [RESOLVED, CLOSED, REJECTED, DUPLICATE], to: RECEIVED, timeline: 'REOPENED' },
  ATTACH_MEDIA: { from: [RECEIVED, ASSIGNED, IN_PROGRESS, RESOLVED], to: null, timeline: 'MEDIA_ATTACHED' },
  ANSWER: { from: [], to: RESOLVED, timeline: 'ANSWERED', alsoFromReceived: [ReportKind.NOTE, ReportKind.INQUIRY] },
} satisfies Partial<Record<ReportAction, { from: ReportStatus[]; to: ReportStatus | null; timeline: string; alsoFromReceived?: ReportKind[]; onlyKinds?: ReportKind[] }>>;
type DispatcherAction = keyof typeof DISPATCHER_ACTIONS;

/** Report actions that only follow from the crew's assignment; they are covered by the assignment table. */
const CREW_DRIVEN_ACTIONS = [ReportAction.START, ReportAction.RESOLVE, ReportAction.RETURN_TO_QUEUE];

/** Where an assignment may go next, as the product specifies it. */
const ASSIGNMENT_LEGAL: Record<AssignmentStatus, AssignmentStatus[]> = {
  PENDING: [ACCEPTED, DECLINED, CANCELLED],
  ACCEPTED: [EN_ROUTE, ON_SITE, CANCELLED],
  EN_ROUTE: [ON_SITE, CANCELLED],
  ON_SITE: [COMPLETED, CANCELLED],
  COMPLETED: [],
  DECLINED: [],
  CANCELLED: [],
};

/** The report's status while its latest assignment is in each status. */
const REPORT_WHILE: Record<AssignmentStatus, ReportStatus> = {
  PENDING: ASSIGNED,
  ACCEPTED: IN_PROGRESS,
  EN_ROUTE: IN_PROGRESS,
  ON_SITE: IN_PROGRESS,
  COMPLETED: RESOLVED,
  DECLINED: RECEIVED,
  CANCELLED: RECEIVED,
};

const CATEGORY_OF_KIND: Record<ReportKind, string> = { INCIDENT: 'POTHOLE', NOTE: 'SERVICE_NOTE', INQUIRY: 'GENERAL_INQUIRY' };

const REPORT_STATE = `query($id: ID!) {
  report(id: $id) {
    id status version kind priority
    timeline { actor action fromStatus toStatus note }
    activeAssignment { id status version }
    assignments { id status version note }
  }
}`;

const CREW_STATE = 'query($id: ID!) { crew(id: $id) { id status onDuty version activeAssignment { id status } } }';
type CrewState = { crew: { id: string; status: string; onDuty: boolean; version: number; activeAssignment: { id: string; status: string } | null } | null };

interface TimelineLine {
  actor: string;
  action: string;
  fromStatus: string | null;
  toStatus: string | null;
  note: string | null;
}

interface ReportState {
  id: string;
  status: ReportStatus;
  version: number;
  kind: ReportKind;
  priority: string;
  timeline: TimelineLine[];
  activeAssignment: { id: string; status: AssignmentStatus; version: number } | null;
  assignments: Array<{ id: string; status: AssignmentStatus; version: number; note: string | null }>;
}

describe('report and assignment lifecycles', () => {
  let app: App;
  let dispatcher: { username: string; token: string };
  let worker: { id: string; username: string; token: string };
  let original: FiledReport;

  beforeAll(async () => {
    app = await startServer();
    dispatcher = await staff(app);
    worker = await crew(app);
    original = await fileReport(app, dispatcher.token, { description: unique('original') });
  });
  afterAll(() => app.close());

  async function state(id: string): Promise<ReportState> {
    return (await ok<{ report: ReportState }>(app, REPORT_STATE, { id }, dispatcher.token)).report;
  }

  /** A fresh report of `kind`, brought to `status` through the API. */
  async function reportIn(status: ReportStatus, kind: ReportKind = ReportKind.INCIDENT): Promise<ReportState> {
    const report = await fileReport(app, dispatcher.token, { kind, categoryCode: CATEGORY_OF_KIND[kind], description: unique('lifecycle') });
    if (status === REJECTED) await ok(app, 'mutation($id: ID!) { rejectReport(id: $id, reason: "not ours") { id } }', { id: report.id }, dispatcher.token);
    if (status === DUPLICATE) await ok(app, 'mutation($id: ID!, $of: ID!) { markDuplicate(id: $id, duplicateOf: $of) { id } }', { id: report.id, of: original.id }, dispatcher.token);
    if (kind !== ReportKind.INCIDENT && (status === RESOLVED || status === CLOSED)) {
      // Inquiries and notes are answered by the satisfaction center, or closed from the queue; no crew takes them.
      if (status === RESOLVED) await ok(app, 'mutation($id: ID!) { answerInquiry(reportId: $id, answer: "answered") { id } }', { id: report.id }, dispatcher.token);
      else await ok(app, 'mutation($id: ID!) { closeReport(id: $id, note: "answered on the phone") { id } }', { id: report.id }, dispatcher.token);
    } else if ([ASSIGNED, IN_PROGRESS, RESOLVED, CLOSED].includes(status)) {
      // A crew works one job at a time: a report that goes on site gets a crew of its own, as cases run concurrently.
      const hand = status === RESOLVED || status === CLOSED ? await crew(app) : worker;
      const assignment = await assign(app, dispatcher.token, report.id, hand.id);
      if (status !== ASSIGNED) await progress(app, hand.token, assignment.id, ACCEPTED);
      if (status === RESOLVED || status === CLOSED) {
        await progress(app, hand.token, assignment.id, ON_SITE);
        await progress(app, hand.token, assignment.id, COMPLETED, 'filled and compacted');
      }
      if (status === CLOSED) await ok(app, 'mutation($id: ID!) { closeReport(id: $id, note: "confirmed with the reporter") { id } }', { id: report.id }, dispatcher.token);
    }
    const current = await state(report.id);
    expect(current.status).toBe(status);
    return current;
  }

  /**
   * A fresh assignment brought to `status` through the API, with a crew of its own (a crew works one job at a time,
   * and cases run concurrently); returns its id, report and crew.
   */
  async function assignmentIn(status: AssignmentStatus): Promise<{ id: string; reportId: string; worker: { id: string; username: string; token: string } }> {
    const report = await fileReport(app, dispatcher.token, { description: unique('assignment') });
    const hand = await crew(app);
    const assignment = await assign(app, dispatcher.token, report.id, hand.id);
    const path: Record<AssignmentStatus, AssignmentStatus[]> = {
      PENDING: [],
      ACCEPTED: [ACCEPTED],
      EN_ROUTE: [ACCEPTED, EN_ROUTE],
      ON_SITE: [ACCEPTED, ON_SITE],
      COMPLETED: [ACCEPTED, ON_SITE, COMPLETED],
      DECLINED: [DECLINED],
      CANCELLED: [],
    };
    for (const step of path[status]) await progress(app, hand.token, assignment.id, step);
    if (status === CANCELLED) await cancel(assignment.id);
    return { id: assignment.id, reportId: report.id, worker: hand };
  }

  /**
   * An illegal action must change nothing, so every illegal case of one starting state can share one row;
   * each legal case gets a fresh one.
   */
  const sharedReports = new Map<string, Promise<ReportState>>();
  function startingReport(status: ReportStatus, kind: ReportKind, legal: boolean): Promise<ReportState> {
    if (legal) return reportIn(status, kind);
    const key = `${kind}/${status}`;
    if (!sharedReports.has(key)) sharedReports.set(key, reportIn(status, kind));
    return sharedReports.get(key)!;
  }

  const sharedAssignments = new Map<AssignmentStatus, ReturnType<typeof assignmentIn>>();
  function startingAssignment(status: AssignmentStatus, legal: boolean): ReturnType<typeof assignmentIn> {
    if (legal) return assignmentIn(status);
    if (!sharedAssignments.has(status)) sharedAssignments.set(status, assignmentIn(status));
    return sharedAssignments.get(status)!;
  }

  function cancel(id: string, reason = 'crew needed elsewhere'): Promise<GqlResponse> {
    return gql(app, 'mutation($id: ID!, $reason: String!) { cancelAssignment(id: $id, reason: $reason) { id status version } }', { id, reason }, dispatcher.token);
  }

  async function act(action: DispatcherAction, id: string): Promise<GqlResponse> {
    const token = dispatcher.token;
    switch (action) {
      case 'TRIAGE':
        return gql(app, 'mutation($id: ID!) { triageReport(id: $id, input: { priority: CRITICAL, note: "worse than filed" }) { id } }', { id }, token);
      case 'ASSIGN':
        return gql(app, 'mutation($input: AssignReportInput!) { assignReport(input: $input) { id } }', { input: { reportId: id, crewId: worker.id } }, token);
      case 'CLOSE':
        return gql(app, 'mutation($id: ID!) { closeReport(id: $id, note: "done") { id } }', { id }, token);
      case 'REJECT':
        return gql(app, 'mutation($id: ID!) { rejectReport(id: $id, reason: "private property", referredTo: "NWC") { id } }', { id }, token);
      case 'MARK_DUPLICATE':
        return gql(app, 'mutation($id: ID!, $of: ID!) { markDuplicate(id: $id, duplicateOf: $of) { id } }', { id, of: original.id }, token);
      case 'REOPEN':
        return gql(app, 'mutation($id: ID!) { reopenReport(id: $id, reason: "reporter says it is not fixed") { id } }', { id }, token);
      case 'ANSWER':
        return gql(app, 'mutation($id: ID!) { answerInquiry(reportId: $id, answer: "the permit office opens at 8") { id } }', { id }, token);
      case 'ATTACH_MEDIA': {
        // A photo of its own for each case (the same bytes from the same uploader are the same media).
        const n = ++photos;
        const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: n % 256, g: Math.floor(n / 256), b: 7 } } })
          .png()
          .toBuffer();
        const mediaId = await uploadedBytes(app, token, png);
        return gql(app, 'mutation($id: ID!, $m: [ID!]!) { attachMedia(reportId: $id, mediaIds: $m) { id } }', { id, m: [mediaId] }, token);
      }
    }
  }
  let photos = 0;

  it("covers every action of the server's report transition table", () => {
    expect(new Set(Object.keys(REPORT_TRANSITIONS))).toEqual(new Set([...Object.keys(DISPATCHER_ACTIONS), ...CREW_DRIVEN_ACTIONS]));
    expect([...CREW_SETTABLE, CANCELLED].sort()).toEqual(
      Object.values(AssignmentStatus)
        .filter((s) => s !== PENDING)
        .sort(),
    );
  });

  /** Statuses a report of `kind` can reach: an inquiry or note is never given to a crew, so never ASSIGNED or IN_PROGRESS. */
  const reachable = (kind: ReportKind, status: ReportStatus) => kind === ReportKind.INCIDENT || (status !== ASSIGNED && status !== IN_PROGRESS);
  const reportCases = Object.values(ReportKind).flatMap((kind) =>
    Object.values(ReportStatus)
      .filter((from) => reachable(kind, from))
      .flatMap((from) =>
        (Object.keys(DISPATCHER_ACTIONS) as DispatcherAction[]).map((action) => {
          const rule: { from: ReportStatus[]; to: ReportStatus | null; alsoFromReceived?: ReportKind[]; onlyKinds?: ReportKind[] } = DISPATCHER_ACTIONS[action];
          const legal = (!rule.onlyKinds || rule.onlyKinds.includes(kind)) && (rule.from.includes(from) || (from === RECEIVED && !!rule.alsoFromReceived?.includes(kind)));
          return { kind, from, action, legal, to: legal ? (rule.to ?? from) : from, outcome: legal ? `→ ${rule.to ?? from}` : 'CONFLICT' };
        }),
      ),
  );

  describe.concurrent('dispatcher actions on a report: the full kind × status × action product', () => {
    it.each(reportCases)('$kind $from + $action $outcome', async ({ kind, from, action, legal, to }) => {
      const before = await startingReport(from, kind, legal);
      const result = await act(action, before.id);
      const after = await state(before.id);
      if (!legal) {
        expect(codeOf(result)).toBe('CONFLICT');
        expect(result.status).not.toBe(500);
        expect(after.status).toBe(before.status);
        expect(after.version).toBe(before.version);
        expect(after.timeline).toHaveLength(before.timeline.length);
        expect(after.assignments).toEqual(before.assignments);
        return;
      }
      expect(result.errors).toBeUndefined();
      expect(after.status).toBe(to);
      expect(after.version).toBe(before.version + 1);
      expect(after.timeline).toHaveLength(before.timeline.length + 1);
      const line = after.timeline.at(-1)!;
      expect(line.actor).toBe(dispatcher.username);
      expect(line.action).toBe(DISPATCHER_ACTIONS[action].timeline);
      expect(line.fromStatus).toBe(to === from ? null : from);
      expect(line.toStatus).toBe(to === from ? null : to);
    });
  });

  const assignmentCases = Object.values(AssignmentStatus).flatMap((from) =>
    [ACCEPTED, DECLINED, EN_ROUTE, ON_SITE, COMPLETED, CANCELLED].map((to) => {
      const legal = ASSIGNMENT_LEGAL[from].includes(to);
      return { from, to, legal, outcome: legal ? `report → ${REPORT_WHILE[to] === REPORT_WHILE[from] ? 'unchanged' : REPORT_WHILE[to]}` : 'CONFLICT' };
    }),
  );

  describe.concurrent('assignment progress: the full status × requested status product', () => {
    it.each(assignmentCases)('$from → $to: $outcome', async ({ from, to, legal }) => {
      const { id, reportId, worker } = await startingAssignment(from, legal);
      const before = await state(reportId);
      const beforeAssignment = before.assignments.find((a) => a.id === id)!;
      const result =
        to === CANCELLED
          ? await cancel(id)
          : await gql(
              app,
              'mutation($input: UpdateAssignmentStatusInput!) { updateAssignmentStatus(input: $input) { id status version } }',
              { input: { assignmentId: id, status: to, note: 'progress note' } },
              worker.token,
            );
      const after = await state(reportId);
      const afterAssignment = after.assignments.find((a) => a.id === id)!;
      if (!legal) {
        expect(codeOf(result)).toBe('CONFLICT');
        expect(afterAssignment).toEqual(beforeAssignment);
        expect(after.status).toBe(before.status);
        expect(after.version).toBe(before.version);
        expect(after.timeline).toHaveLength(before.timeline.length);
        return;
      }
      expect(result.errors).toBeUndefined();
      expect(afterAssignment.status).toBe(to);
      expect(afterAssignment.version).toBe(beforeAssignment.version + 1);
      expect(after.status).toBe(REPORT_WHILE[to]);
      expect(after.version).toBe(before.version + 1);
      const line = after.timeline.at(-1)!;
      expect(line.action).toBe(`ASSIGNMENT_${to}`);
      expect(line.actor).toBe(to === CANCELLED ? dispatcher.username : worker.username);
      expect(line.fromStatus).toBe(before.status === after.status ? null : before.status);
      expect(line.toStatus).toBe(before.status === after.status ? null : after.status);
      expect(after.activeAssignment?.id ?? null).toBe([COMPLETED, DECLINED, CANCELLED].includes(to) ? null : id);
    });
  });

  it("records who did what, from which status to which, for a report's whole life", async () => {
    const report = await fileReport(app, dispatcher.token, { description: unique('whole-life') });
    const first = await assign(app, dispatcher.token, report.id, worker.id);
    await progress(app, worker.token, first.id, DECLINED, 'truck broke down');
    const second = await assign(app, dispatcher.token, report.id, worker.id);
    await progress(app, worker.token, second.id, ACCEPTED);
    await progress(app, worker.token, second.id, EN_ROUTE);
    await progress(app, worker.token, second.id, ON_SITE);
    await progress(app, worker.token, second.id, COMPLETED, 'asphalt patched');
    await ok(app, 'mutation($id: ID!) { closeReport(id: $id, note: "reporter satisfied") { id } }', { id: report.id }, dispatcher.token);
    await ok(app, 'mutation($id: ID!) { reopenReport(id: $id, reason: "the hole is back") { id } }', { id: report.id }, dispatcher.token);

    const after = await state(report.id);
    expect(after.timeline.map(({ actor, action, fromStatus, toStatus }) => [actor, action, fromStatus, toStatus])).toEqual([
      [dispatcher.username, 'CREATED', null, RECEIVED],
      [dispatcher.username, 'ASSIGNED', RECEIVED, ASSIGNED],
      [worker.username, 'ASSIGNMENT_DECLINED', ASSIGNED, RECEIVED],
      [dispatcher.username, 'ASSIGNED', RECEIVED, ASSIGNED],
      [worker.username, 'ASSIGNMENT_ACCEPTED', ASSIGNED, IN_PROGRESS],
      [worker.username, 'ASSIGNMENT_EN_ROUTE', null, null],
      [worker.username, 'ASSIGNMENT_ON_SITE', null, null],
      [worker.username, 'ASSIGNMENT_COMPLETED', IN_PROGRESS, RESOLVED],
      [dispatcher.username, 'CLOSED', RESOLVED, CLOSED],
      [dispatcher.username, 'REOPENED', CLOSED, RECEIVED],
    ]);
    expect(after.timeline[2].note).toBe('truck broke down');
    expect(after.timeline[7].note).toBe('asphalt patched');
    expect(after.timeline[9].note).toBe('the hole is back');
    expect(after.version).toBe(1 + after.timeline.length - 1);
    expect(after.assignments.map((a) => a.status)).toEqual([DECLINED, COMPLETED]);
  });

  it('refuses to assign an off-duty crew and leaves the report in the queue', async () => {
    const offDuty = await crewRow(app, { onDuty: false });
    const before = await reportIn(RECEIVED);
    const result = await gql(app, 'mutation($input: AssignReportInput!) { assignReport(input: $input) { id } }', { input: { reportId: before.id, crewId: offDuty.id } }, dispatcher.token);
    expect(codeOf(result)).toBe('CONFLICT');
    const after = await state(before.id);
    expect(after.status).toBe(RECEIVED);
    expect(after.version).toBe(before.version);
    expect(after.assignments).toEqual([]);
  });

  it('refuses an assignment decided on a stale version of the report, and accepts the current one', async () => {
    const before = await reportIn(RECEIVED);
    await act('TRIAGE', before.id);
    const stale = await gql(
      app,
      'mutation($input: AssignReportInput!) { assignReport(input: $input) { id } }',
      { input: { reportId: before.id, crewId: worker.id, expectedVersion: before.version } },
      dispatcher.token,
    );
    expect(codeOf(stale)).toBe('CONFLICT');
    const unchanged = await state(before.id);
    expect(unchanged.status).toBe(RECEIVED);
    expect(unchanged.assignments).toEqual([]);
    const current = await gql(
      app,
      'mutation($input: AssignReportInput!) { assignReport(input: $input) { id status } }',
      { input: { reportId: before.id, crewId: worker.id, expectedVersion: unchanged.version } },
      dispatcher.token,
    );
    expect(current.errors).toBeUndefined();
    expect((await state(before.id)).status).toBe(ASSIGNED);
  });

  it('refuses a crew update decided on a stale version of the assignment', async () => {
    const { id, reportId, worker } = await assignmentIn(ACCEPTED);
    const seen = (await state(reportId)).activeAssignment!;
    await progress(app, worker.token, id, EN_ROUTE);
    const stale = await gql(
      app,
      'mutation($input: UpdateAssignmentStatusInput!) { updateAssignmentStatus(input: $input) { id } }',
      { input: { assignmentId: id, status: ON_SITE, expectedVersion: seen.version } },
      worker.token,
    );
    expect(codeOf(stale)).toBe('CONFLICT');
    expect((await state(reportId)).activeAssignment).toMatchObject({ status: EN_ROUTE, version: seen.version + 1 });
  });

  it('resolves the report when the crew completes, and returns it to the queue when the crew declines', async () => {
    const done = await assignmentIn(ON_SITE);
    const completed = await progress(app, done.worker.token, done.id, COMPLETED, 'light replaced');
    expect(completed).toMatchObject({ status: COMPLETED, note: 'light replaced', report: { status: RESOLVED } });

    const declined = await assignmentIn(PENDING);
    const result = await progress(app, declined.worker.token, declined.id, DECLINED, 'outside our area');
    expect(result).toMatchObject({ status: DECLINED, report: { status: RECEIVED } });
    const queue = await state(declined.reportId);
    expect(queue.activeAssignment).toBeNull();
    const again = await assign(app, dispatcher.token, declined.reportId, (await crewRow(app)).id);
    expect(again.report.status).toBe(ASSIGNED);
  });

  it.each([
    { status: DECLINED, from: PENDING, note: undefined },
    { status: DECLINED, from: PENDING, note: '   ' },
    { status: COMPLETED, from: ON_SITE, note: undefined },
    { status: COMPLETED, from: ON_SITE, note: '' },
  ])('requires a note to go $from → $status (note: $note)', async ({ status, from, note }) => {
    const { id, reportId, worker } = await assignmentIn(from);
    const before = await state(reportId);
    const result = await gql(app, 'mutation($input: UpdateAssignmentStatusInput!) { updateAssignmentStatus(input: $input) { id } }', { input: { assignmentId: id, status, note } }, worker.token);
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0].extensions!.field).toBe('input.note');
    expect(await state(reportId)).toEqual(before);
  });

  it.each([PENDING, CANCELLED])("answers BAD_USER_INPUT (input.status) when a crew asks for %s, which is not the crew's to set", async (status) => {
    const { id, reportId, worker } = await assignmentIn(ACCEPTED);
    const before = await state(reportId);
    const result = await gql(app, 'mutation($input: UpdateAssignmentStatusInput!) { updateAssignmentStatus(input: $input) { id } }', { input: { assignmentId: id, status, note: 'x' } }, worker.token);
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0].extensions!.field).toBe('input.status');
    expect(await state(reportId)).toEqual(before);
  });

  it('keeps a crew on duty while it holds an assignment, and lets it go off duty afterwards', async () => {
    const member = await crew(app);
    const report = await reportIn(RECEIVED);
    const assignment = await assign(app, dispatcher.token, report.id, member.id);
    const setDuty = 'mutation($id: ID!, $on: Boolean!) { setCrewOnDuty(crewId: $id, onDuty: $on) { id onDuty status } }';
    const busy = await gql(app, setDuty, { id: member.id, on: false }, member.token);
    expect(codeOf(busy)).toBe('CONFLICT');
    expect((await ok<CrewState>(app, CREW_STATE, { id: member.id }, dispatcher.token)).crew).toMatchObject({ onDuty: true, status: 'ASSIGNED' });

    await progress(app, member.token, assignment.id, DECLINED, 'end of shift');
    const off = await ok<{ setCrewOnDuty: unknown }>(app, setDuty, { id: member.id, on: false }, member.token);
    expect(off.setCrewOnDuty).toMatchObject({ onDuty: false, status: 'OFF_DUTY' });
    const on = await ok<{ setCrewOnDuty: unknown }>(app, setDuty, { id: member.id, on: true }, dispatcher.token);
    expect(on.setCrewOnDuty).toMatchObject({ onDuty: true, status: 'AVAILABLE' });
  });

  it("derives the crew's status from its assignment: AVAILABLE → ASSIGNED → EN_ROUTE → ON_SITE → AVAILABLE", async () => {
    const member = await crew(app);
    const crewState = async () => (await ok<CrewState>(app, CREW_STATE, { id: member.id }, member.token)).crew!;
    const seen: Array<{ status: string; activeAssignment: unknown }> = [];
    const record = async () => {
      const { status, activeAssignment } = await crewState();
      seen.push({ status, activeAssignment: activeAssignment?.status ?? null });
    };
    await record();
    const report = await reportIn(RECEIVED);
    const assignment = await assign(app, dispatcher.token, report.id, member.id);
    await record();
    for (const step of [ACCEPTED, EN_ROUTE, ON_SITE]) {
      await progress(app, member.token, assignment.id, step);
      await record();
    }
    await progress(app, member.token, assignment.id, COMPLETED, 'cleared');
    await record();
    expect(seen).toEqual([
      { status: 'AVAILABLE', activeAssignment: null },
      { status: 'ASSIGNED', activeAssignment: PENDING },
      { status: 'ASSIGNED', activeAssignment: ACCEPTED },
      { status: 'EN_ROUTE', activeAssignment: EN_ROUTE },
      { status: 'ON_SITE', activeAssignment: ON_SITE },
      { status: 'AVAILABLE', activeAssignment: null },
    ]);
  });

  it('shows a crew with two jobs by the one it is furthest along on', async () => {
    const member = await crew(app);
    const first = await assign(app, dispatcher.token, (await reportIn(RECEIVED)).id, member.id);
    const second = await assign(app, dispatcher.token, (await reportIn(RECEIVED)).id, member.id);
    await progress(app, member.token, second.id, ACCEPTED);
    await progress(app, member.token, second.id, EN_ROUTE);
    const view = (await ok<CrewState>(app, CREW_STATE, { id: member.id }, dispatcher.token)).crew;
    expect(view).toMatchObject({ status: 'EN_ROUTE', activeAssignment: { id: second.id } });
    await ok(app, 'mutation($id: ID!) { cancelAssignment(id: $id, reason: "reassigning") { id } }', { id: second.id }, dispatcher.token);
    expect((await ok<CrewState>(app, CREW_STATE, { id: member.id }, dispatcher.token)).crew).toMatchObject({ status: 'ASSIGNED', activeAssignment: { id: first.id } });
  });

  it('merging a report that already has duplicates moves them to the original, so no duplicate points at a duplicate', async () => {
    const merge = (id: string, of: string) => ok(app, 'mutation($id: ID!, $of: ID!) { markDuplicate(id: $id, duplicateOf: $of) { id } }', { id, of }, dispatcher.token);
    const READ = 'query($id: ID!) { report(id: $id) { status version duplicateOf { id } timeline { action note params { reference withReference } } } }';
    type Read = {
      report: {
        status: string;
        version: number;
        duplicateOf: { id: string } | null;
        timeline: Array<{ action: string; note: string | null; params: { reference: string | null; withReference: string | null } | null }>;
      } | null;
    };
    const [original, middle, follower] = [await fileReport(app, dispatcher.token), await fileReport(app, dispatcher.token), await fileReport(app, dispatcher.token)];
    await merge(follower.id, middle.id);
    const before = (await ok<Read>(app, READ, { id: follower.id }, dispatcher.token)).report!;
    await merge(middle.id, original.id);

    expect((await ok<Read>(app, READ, { id: middle.id }, dispatcher.token)).report).toMatchObject({ status: 'DUPLICATE', duplicateOf: { id: original.id } });
    const after = (await ok<Read>(app, READ, { id: follower.id }, dispatcher.token)).report!;
    expect(after).toMatchObject({ status: 'DUPLICATE', version: before.version + 1, duplicateOf: { id: original.id } });
    expect(after.timeline.at(-1)).toEqual({ action: 'MERGED_WITH_ORIGINAL', note: null, params: { reference: original.reference, withReference: middle.reference } });
    // Consoles learn of the move like of any change: one REPORT_UPDATED for its merge, one for the move.
    expect(await count(app, "select count(*) as n from dispatch_event where report_id = ? and type = 'REPORT_UPDATED'", [follower.id])).toBe(2);
    expect(
      (await gql(app, 'mutation($id: ID!, $of: ID!) { markDuplicate(id: $id, duplicateOf: $of) { id } }', { id: (await fileReport(app, dispatcher.token)).id, of: follower.id }, dispatcher.token))
        .errors?.[0]?.extensions,
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'duplicateOf' });
  });
});
