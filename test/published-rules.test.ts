import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import { apiKey, assign, crew, fileReport, progress, sql, staff, unique } from './support/factories.js';
import { ok, startServer, type App } from './support/server.js';

/**
 * What the server publishes so a console mirrors no rule of its own (issue 9): the commands a viewer may
 * run on a report, the moves it may make on an assignment, whether a report is open work, and the queue's
 * sort key. Expectations are the product's rules written out here, independent of the server's tables.
 */

type Status = 'RECEIVED' | 'ASSIGNED' | 'IN_PROGRESS' | 'RESOLVED' | 'CLOSED' | 'REJECTED' | 'DUPLICATE';
type Kind = 'INCIDENT' | 'NOTE' | 'INQUIRY';
const STATUSES: Status[] = ['RECEIVED', 'ASSIGNED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED', 'REJECTED', 'DUPLICATE'];
const KINDS: Kind[] = ['INCIDENT', 'NOTE', 'INQUIRY'];
const CATEGORY_OF_KIND: Record<Kind, string> = { INCIDENT: 'POTHOLE', NOTE: 'SERVICE_NOTE', INQUIRY: 'GENERAL_INQUIRY' };

/** The dispatcher's commands by status, in the order the enum declares them. */
function dispatcherCommands(status: Status, kind: Kind): string[] {
  const commands: string[] = [];
  if (['RECEIVED', 'ASSIGNED', 'IN_PROGRESS'].includes(status)) commands.push('TRIAGE');
  // Inquiries and notes go to the satisfaction center, not to crews.
  if (status === 'RECEIVED' && kind === 'INCIDENT') commands.push('ASSIGN');
  if (status === 'RESOLVED' || (status === 'RECEIVED' && kind !== 'INCIDENT')) commands.push('CLOSE');
  if (status === 'RECEIVED') commands.push('REJECT', 'MARK_DUPLICATE');
  if (['RESOLVED', 'CLOSED', 'REJECTED', 'DUPLICATE'].includes(status)) commands.push('REOPEN');
  // Photos and voice notes may be added while it is handled and after it was resolved (to show it was not fixed).
  if (['RECEIVED', 'ASSIGNED', 'IN_PROGRESS', 'RESOLVED'].includes(status)) commands.push('ATTACH_MEDIA');
  if (status === 'RECEIVED' && kind !== 'INCIDENT') commands.push('ANSWER');
  return commands;
}

const STATE = `query($id: ID!) { report(id: $id) { status kind open allowedActions activeAssignment { status nextSteps { status noteRequired } } } }`;

interface State {
  status: Status;
  kind: Kind;
  open: boolean;
  allowedActions: string[];
  activeAssignment: { status: string; nextSteps: { status: string; noteRequired: boolean }[] } | null;
}

describe('rules the server publishes for clients', () => {
  let app: App;
  let dispatcher: { token: string };
  let worker: { id: string; token: string };
  let integrator: string;
  let original: { id: string };

  beforeAll(async () => {
    app = await startServer();
    dispatcher = await staff(app);
    worker = await crew(app);
    integrator = await apiKey(app, Role.INTEGRATOR);
    original = await fileReport(app, dispatcher.token, { description: unique('original') });
  });
  afterAll(() => app.close());

  const state = async (id: string, token = dispatcher.token) => (await ok<{ report: State }>(app, STATE, { id }, token)).report;

  /** A fresh report of `kind` brought to `status` through the API. */
  async function reportIn(status: Status, kind: Kind): Promise<string> {
    const { id } = await fileReport(app, dispatcher.token, { kind, categoryCode: CATEGORY_OF_KIND[kind], description: unique('published') });
    if (status === 'REJECTED') await ok(app, 'mutation($id: ID!) { rejectReport(id: $id, reason: "not ours") { id } }', { id }, dispatcher.token);
    if (status === 'DUPLICATE') await ok(app, 'mutation($id: ID!, $of: ID!) { markDuplicate(id: $id, duplicateOf: $of) { id } }', { id, of: original.id }, dispatcher.token);
    if (kind !== 'INCIDENT' && (status === 'RESOLVED' || status === 'CLOSED')) {
      // Inquiries and notes are answered by the satisfaction center, or closed from the queue; no crew takes them.
      if (status === 'RESOLVED') await ok(app, 'mutation($id: ID!) { answerInquiry(reportId: $id, answer: "answered") { id } }', { id }, dispatcher.token);
      else await ok(app, 'mutation($id: ID!) { closeReport(id: $id, note: "answered on the phone") { id } }', { id }, dispatcher.token);
    } else if (['ASSIGNED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED'].includes(status)) {
      const assignment = await assign(app, dispatcher.token, id, worker.id);
      if (status !== 'ASSIGNED') await progress(app, worker.token, assignment.id, 'ACCEPTED');
      if (status === 'RESOLVED' || status === 'CLOSED') {
        await progress(app, worker.token, assignment.id, 'ON_SITE');
        await progress(app, worker.token, assignment.id, 'COMPLETED', 'done');
      }
      if (status === 'CLOSED') await ok(app, 'mutation($id: ID!) { closeReport(id: $id) { id } }', { id }, dispatcher.token);
    }
    return id;
  }

  describe('Report.allowedActions and Report.open, for every kind and status', () => {
    for (const kind of KINDS) {
      // An inquiry or note is never given to a crew, so it is never ASSIGNED or IN_PROGRESS.
      for (const status of STATUSES.filter((status) => kind === 'INCIDENT' || (status !== 'ASSIGNED' && status !== 'IN_PROGRESS'))) {
        it(`${kind} ${status}`, async () => {
          const id = await reportIn(status, kind);
          const seen = await state(id);
          expect(seen.status).toBe(status);
          expect(seen.allowedActions).toEqual(dispatcherCommands(status, kind));
          expect(seen.open).toBe(['RECEIVED', 'ASSIGNED', 'IN_PROGRESS'].includes(status));
          // Integrators read every report and may command none.
          expect((await state(id, integrator)).allowedActions).toEqual([]);
        });
      }
    }

    it('a crew may read the report it holds and command none of it', async () => {
      const id = await reportIn('IN_PROGRESS', 'INCIDENT');
      const seen = await state(id, worker.token);
      expect(seen.status).toBe('IN_PROGRESS');
      expect(seen.allowedActions).toEqual([]);
    });
  });

  it('filter.open lists exactly the reports whose Report.open is true, and open: false the others', async () => {
    const marker = unique('open-filter');
    const waiting = await fileReport(app, dispatcher.token, { description: `${marker} waiting` });
    const answered = await fileReport(app, dispatcher.token, { kind: 'INQUIRY', categoryCode: 'GENERAL_INQUIRY', description: `${marker} answered` });
    await ok(app, 'mutation($id: ID!) { closeReport(id: $id, note: "answered") { id } }', { id: answered.id }, dispatcher.token);
    const rejected = await fileReport(app, dispatcher.token, { description: `${marker} rejected` });
    await ok(app, 'mutation($id: ID!) { rejectReport(id: $id, reason: "not ours") { id } }', { id: rejected.id }, dispatcher.token);
    type Listed = { reports: { edges: { node: { id: string; open: boolean } }[] } };
    const list = async (open: boolean) =>
      (
        await ok<Listed>(app, 'query($text: String!, $open: Boolean) { reports(filter: { text: $text, open: $open }) { edges { node { id open } } } }', { text: marker, open }, dispatcher.token)
      ).reports.edges.map((edge) => edge.node);
    expect(await list(true)).toEqual([{ id: waiting.id, open: true }]);
    expect((await list(false)).map((node) => node.id).sort()).toEqual([answered.id, rejected.id].sort());
    expect((await list(false)).every((node) => !node.open)).toBe(true);
  });

  describe('Assignment.nextSteps', () => {
    const LEGAL: Record<string, string[]> = {
      PENDING: ['ACCEPTED', 'DECLINED', 'CANCELLED'],
      ACCEPTED: ['EN_ROUTE', 'ON_SITE', 'CANCELLED'],
      EN_ROUTE: ['ON_SITE', 'CANCELLED'],
      ON_SITE: ['COMPLETED', 'CANCELLED'],
    };
    const NEEDS_NOTE = ['DECLINED', 'COMPLETED', 'CANCELLED'];
    const steps = (statuses: string[]) => statuses.map((status) => ({ status, noteRequired: NEEDS_NOTE.includes(status) }));

    for (const [status, next] of Object.entries(LEGAL)) {
      it(`${status}: a dispatcher may make every legal move, its crew all but CANCELLED, each saying whether it needs a note`, async () => {
        const { id } = await fileReport(app, dispatcher.token, { description: unique('steps') });
        // A crew of its own: a crew works one job at a time, and the previous case left its job under way.
        const hand = await crew(app);
        const assignment = await assign(app, dispatcher.token, id, hand.id);
        const path = { PENDING: [], ACCEPTED: ['ACCEPTED'], EN_ROUTE: ['ACCEPTED', 'EN_ROUTE'], ON_SITE: ['ACCEPTED', 'ON_SITE'] }[status] as ('ACCEPTED' | 'EN_ROUTE' | 'ON_SITE')[];
        for (const step of path) await progress(app, hand.token, assignment.id, step);
        expect((await state(id)).activeAssignment).toEqual({ status, nextSteps: steps(next) });
        expect((await state(id, hand.token)).activeAssignment).toEqual({ status, nextSteps: steps(next.filter((s) => s !== 'CANCELLED')) });
        expect((await state(id, integrator)).activeAssignment).toEqual({ status, nextSteps: [] });
      });
    }

    it('a finished assignment offers no move', async () => {
      const { id } = await fileReport(app, dispatcher.token, { description: unique('finished') });
      const assignment = await assign(app, dispatcher.token, id, worker.id);
      await progress(app, worker.token, assignment.id, 'DECLINED', 'no equipment');
      const { report } = await ok<{ report: { assignments: { status: string; nextSteps: unknown[] }[] } }>(
        app,
        'query($id: ID!) { report(id: $id) { assignments { status nextSteps { status } } } }',
        { id },
        dispatcher.token,
      );
      expect(report.assignments).toEqual([{ status: 'DECLINED', nextSteps: [] }]);
    });
  });

  describe('Report.queueKey', () => {
    it('sorted as plain strings, keys give exactly the order `reports` lists, ties on priority and target included', async () => {
      const marker = unique('queue-key');
      const filed: string[] = [];
      for (let i = 0; i < 9; i++) filed.push((await fileReport(app, dispatcher.token, { description: `${marker} ${i}` })).id);
      // Three priorities, and within each the same target time for several reports: only the id separates them.
      const priorities = ['CRITICAL', 'NORMAL', 'LOW'];
      const ranks: Record<string, number> = { CRITICAL: 0, NORMAL: 2, LOW: 3 };
      for (const [index, id] of filed.entries()) {
        const priority = priorities[index % 3];
        await sql(app, `update report set priority = ?, priority_rank = ?, target_at = ? where id = ?`, [priority, ranks[priority], new Date(Date.UTC(2031, 0, 1, index % 2)), id]);
      }
      type Page = { reports: { edges: { node: { id: string; queueKey: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
      const listed: { id: string; queueKey: string }[] = [];
      let after: string | null = null;
      do {
        const { reports }: Page = await ok<Page>(
          app,
          'query($text: String!, $after: String) { reports(first: 2, after: $after, filter: { text: $text }) { edges { node { id queueKey } } pageInfo { hasNextPage endCursor } } }',
          { text: marker, after },
          dispatcher.token,
        );
        listed.push(...reports.edges.map((edge) => edge.node));
        after = reports.pageInfo.hasNextPage ? reports.pageInfo.endCursor : null;
      } while (after);
      expect(listed.map((node) => node.id).sort()).toEqual([...filed].sort());
      const byKey = [...listed].sort((a, b) => Number(a.queueKey > b.queueKey) - Number(a.queueKey < b.queueKey));
      expect(byKey.map((node) => node.id)).toEqual(listed.map((node) => node.id));
      // The order is the product's: priority, then target time, then id (an independent reading of the rows).
      const rows = await sql<{ id: string }>(app, `select id from report where id in (?) order by priority_rank, target_at, id`, [filed]);
      expect(listed.map((node) => node.id)).toEqual(rows.map((row) => row.id));
    });
  });
});
