import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import { loadConfig } from '../server/src/common/config.js';
import { freshDatabase } from './support/database.js';
import { apiKey, assign, count, crew, fileReport, login, progress, sql, staff, unique } from './support/factories.js';
import { codeOf, gql, ok, startServer, type App } from './support/server.js';
import { connect, subscribeEvents } from './support/ws.js';

const PASSWORD = 'test-password-1';
const FOLLOW_UP = 'id status dueAt nextAttemptAt attempts claimedBy satisfaction fixed comment closedReason report { id status reopenedAfterFollowUp }';
type FollowUp = {
  id: string;
  status: string;
  dueAt: string;
  nextAttemptAt: string;
  attempts: number;
  claimedBy: string | null;
  satisfaction: number | null;
  fixed: string | null;
  comment: string | null;
  closedReason: string | null;
  report: { id: string; status: string; reopenedAfterFollowUp: boolean };
};
const CLAIM = `mutation { claimNextFollowUp { ${FOLLOW_UP} } }`;
const RECORD = `mutation($input: RecordFollowUpInput!) { recordFollowUpAttempt(input: $input) { ${FOLLOW_UP} } }`;

/** Sunday 2026-12-06 10:00 in Riyadh (07:00 UTC): a working day, inside calling hours. */
const SUNDAY_10 = Date.parse('2026-12-06T07:00:00Z');
const HOUR = 3_600_000;

describe('the satisfaction center', () => {
  let app: App;
  let now = SUNDAY_10;
  let dispatcher: string;
  let gateway: string;
  let integrator: string;
  let team: { id: string; token: string };
  const agents: { username: string; token: string }[] = [];

  async function agent(): Promise<{ username: string; token: string }> {
    const username = unique('agent');
    await app.services.auth.createUser(app.orm.em.fork(), { username, password: PASSWORD, role: Role.AGENT });
    return { username, token: await login(app, username, PASSWORD) };
  }

  /** A report with the reporter's phone, resolved by a crew through the API (its follow-up is created then). */
  async function resolved(phone: string | null = '0501234567'): Promise<string> {
    const report = await fileReport(app, gateway, { description: unique('followed'), reporter: phone ? { name: 'مواطن', phone } : undefined });
    const job = await assign(app, dispatcher, report.id, team.id);
    for (const step of ['ACCEPTED', 'ON_SITE'] as const) await progress(app, team.token, job.id, step);
    await progress(app, team.token, job.id, 'COMPLETED', 'fixed');
    return report.id;
  }

  beforeAll(async () => {
    app = await startServer({ databaseUrl: await freshDatabase('followups'), overdueCheckMs: 3_600_000, followUp: { ...loadConfig({}).followUp, delayHours: 2 } }, { clock: () => new Date(now) });
    dispatcher = (await staff(app)).token;
    gateway = await apiKey(app, Role.INTAKE);
    integrator = await apiKey(app, Role.INTEGRATOR);
    team = await crew(app);
    for (let i = 0; i < 3; i++) agents.push(await agent());
  }, 120_000);
  afterAll(() => app?.close());
  beforeEach(async () => {
    now = SUNDAY_10;
    await sql(app, 'delete from follow_up_attempt');
    await sql(app, 'delete from follow_up');
  });

  it('creates a follow-up when a report with a phone is resolved, due two hours later inside calling hours, and none without a phone', async () => {
    const id = await resolved('+966 50 123 4567');
    const [row] = await sql<{ due_at: Date; phone: string }>(app, 'select due_at, phone from follow_up where report_id = ?', [id]);
    expect(new Date(row.due_at).getTime()).toBe(SUNDAY_10 + 2 * HOUR);
    expect(row.phone).toBe('+966501234567');
    await resolved(null);
    expect(await count(app, 'select count(*) as n from follow_up')).toBe(1);
    // Resolved at 19:30 on a Thursday: due at 21:30 is after hours and Friday has no calls, so Saturday 09:00.
    now = Date.parse('2026-12-10T16:30:00Z');
    const late = await resolved();
    const [due] = await sql<{ due_at: Date }>(app, 'select due_at from follow_up where report_id = ?', [late]);
    expect(new Date(due.due_at).toISOString()).toBe('2026-12-12T06:00:00.000Z');
  });

  it('shows the follow-up on the report to staff and agents only', async () => {
    const id = await resolved();
    const read = `query($id: ID!) { report(id: $id) { followUp { status } } }`;
    expect((await ok<{ report: { followUp: unknown } }>(app, read, { id }, dispatcher)).report.followUp).toEqual({ status: 'PENDING' });
    expect((await ok<{ report: { followUp: unknown } }>(app, read, { id }, agents[0].token)).report.followUp).toEqual({ status: 'PENDING' });
    expect((await ok<{ report: { followUp: unknown } }>(app, read, { id }, integrator)).report.followUp).toBeNull();
    expect((await ok<{ report: { followUp: unknown } }>(app, read, { id }, gateway)).report.followUp).toBeNull();
    expect((await ok<{ report: { followUp: unknown } }>(app, read, { id }, team.token)).report.followUp).toBeNull();
  });

  it('gives 20 agents claiming at once 20 different follow-ups, and 10 of 30 agents nothing to call', async () => {
    const reports = await Promise.all(Array.from({ length: 20 }, () => fileReport(app, gateway, { description: unique('due') })));
    const seed = async () => {
      await sql(app, 'delete from follow_up');
      for (const { id } of reports) {
        await sql(app, `insert into follow_up (id, report_id, status, phone, due_at, next_attempt_at, created_at) values (gen_random_uuid(), ?, 'PENDING', '+966501234567', ?, ?, ?)`, [
          id,
          new Date(now - HOUR),
          new Date(now - HOUR),
          new Date(now - 3 * HOUR),
        ]);
      }
    };
    while (agents.length < 30) agents.push(await agent());
    await seed();
    const twenty = await Promise.all(agents.slice(0, 20).map((a) => ok<{ claimNextFollowUp: FollowUp | null }>(app, CLAIM, {}, a.token)));
    const ids = twenty.map((r) => r.claimNextFollowUp?.id);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(20);
    await seed();
    const thirty = await Promise.all(agents.map((a) => ok<{ claimNextFollowUp: FollowUp | null }>(app, CLAIM, {}, a.token)));
    const got = thirty.map((r) => r.claimNextFollowUp?.id).filter(Boolean);
    expect(got).toHaveLength(20);
    expect(new Set(got).size).toBe(20);
    expect(thirty.filter((r) => r.claimNextFollowUp === null)).toHaveLength(10);
  });

  it('retries on another day, gives up after the third unanswered call, and closes the report as unreachable', async () => {
    const id = await resolved();
    const [a] = agents;
    now = SUNDAY_10 + 2 * HOUR;
    const first = (await ok<{ claimNextFollowUp: FollowUp }>(app, CLAIM, {}, a.token)).claimNextFollowUp;
    expect(first.report.id).toBe(id);
    const retry = (await ok<{ recordFollowUpAttempt: FollowUp }>(app, RECORD, { input: { followUpId: first.id, outcome: 'NO_ANSWER' } }, a.token)).recordFollowUpAttempt;
    // Monday 09:00 in Riyadh: at least two hours later and not twice on Sunday.
    expect(retry).toMatchObject({ status: 'PENDING', attempts: 1, nextAttemptAt: '2026-12-07T06:00:00.000Z', claimedBy: null });
    now = SUNDAY_10 + 6 * HOUR;
    expect((await ok<{ claimNextFollowUp: FollowUp | null }>(app, CLAIM, {}, a.token)).claimNextFollowUp).toBeNull();
    now = Date.parse('2026-12-07T06:00:00Z');
    await ok(app, CLAIM, {}, a.token);
    const second = (await ok<{ recordFollowUpAttempt: FollowUp }>(app, RECORD, { input: { followUpId: first.id, outcome: 'BUSY' } }, a.token)).recordFollowUpAttempt;
    expect(second.nextAttemptAt).toBe('2026-12-08T06:00:00.000Z');
    now = Date.parse('2026-12-08T09:00:00Z');
    await ok(app, CLAIM, {}, a.token);
    const last = (await ok<{ recordFollowUpAttempt: FollowUp }>(app, RECORD, { input: { followUpId: first.id, outcome: 'NO_ANSWER', note: 'third try' } }, a.token)).recordFollowUpAttempt;
    expect(last).toMatchObject({ status: 'UNREACHABLE', attempts: 3, closedReason: 'no answer after 3 attempts', report: { status: 'CLOSED' } });
    const timeline = await ok<{ report: { timeline: { action: string; note: string | null; params: { outcome: string; attempts: number } | null }[] } }>(
      app,
      `query($id: ID!) { report(id: $id) { timeline { action note params { outcome attempts } } } }`,
      { id },
      dispatcher,
    );
    expect(timeline.report.timeline.map((line) => line.action).slice(-4)).toEqual(['FOLLOWUP_NO_ANSWER', 'FOLLOWUP_BUSY', 'FOLLOWUP_NO_ANSWER', 'UNREACHABLE']);
    expect(timeline.report.timeline.at(-1)).toEqual({ action: 'UNREACHABLE', note: null, params: { outcome: 'NO_ANSWER', attempts: 3 } });
  });

  it('lets a lapsed claim go to another agent, and refuses the first agent’s late answer', async () => {
    await resolved();
    now += 2 * HOUR;
    const [a, b] = agents;
    const held = (await ok<{ claimNextFollowUp: FollowUp }>(app, CLAIM, {}, a.token)).claimNextFollowUp;
    expect((await ok<{ claimNextFollowUp: FollowUp | null }>(app, CLAIM, {}, b.token)).claimNextFollowUp).toBeNull();
    now += 16 * 60_000;
    expect((await ok<{ claimNextFollowUp: FollowUp }>(app, CLAIM, {}, b.token)).claimNextFollowUp.id).toBe(held.id);
    const late = await gql(app, RECORD, { input: { followUpId: held.id, outcome: 'NO_ANSWER' } }, a.token);
    expect(codeOf(late)).toBe('CONFLICT');
    expect(await count(app, 'select count(*) as n from follow_up_attempt')).toBe(0);
  });

  it('hands out nothing outside calling hours, even what is already due', async () => {
    await resolved();
    now = Date.parse('2026-12-06T18:30:00Z'); // Sunday 21:30 in Riyadh: due since 12:00, but calls stopped at 21:00
    expect((await ok<{ claimNextFollowUp: FollowUp | null }>(app, CLAIM, {}, agents[0].token)).claimNextFollowUp).toBeNull();
    now = Date.parse('2026-12-07T06:00:00Z'); // Monday 09:00
    expect((await ok<{ claimNextFollowUp: FollowUp | null }>(app, CLAIM, {}, agents[0].token)).claimNextFollowUp).not.toBeNull();
  });

  it('records a reached call on a report a dispatcher closed meanwhile, leaving the report as the dispatcher decided', async () => {
    const id = await resolved();
    await ok(app, 'mutation($id: ID!) { closeReport(id: $id, note: "reporter confirmed on WhatsApp") { id } }', { id }, dispatcher);
    now += 2 * HOUR;
    const held = (await ok<{ claimNextFollowUp: FollowUp }>(app, CLAIM, {}, agents[0].token)).claimNextFollowUp;
    const done = await ok<{ recordFollowUpAttempt: FollowUp }>(app, RECORD, { input: { followUpId: held.id, outcome: 'REACHED', satisfaction: 5, fixed: 'YES' } }, agents[0].token);
    expect(done.recordFollowUpAttempt).toMatchObject({ status: 'REACHED', satisfaction: 5, report: { id, status: 'CLOSED', reopenedAfterFollowUp: false } });
  });

  it('asks about the latest fix when a report is resolved again before anyone called about the first: one follow-up, rescheduled, released', async () => {
    const id = await resolved();
    const [first] = await sql<{ id: string }>(app, 'select id from follow_up where report_id = ?', [id]);
    now += 2 * HOUR;
    await ok(app, CLAIM, {}, agents[0].token);
    // A dispatcher closes it, the reporter calls the 940 line to say it is back, it is reopened and fixed again.
    await ok(app, 'mutation($id: ID!) { closeReport(id: $id, note: "أكد المبلغ عبر الواتساب") { id } }', { id }, dispatcher);
    await ok(app, 'mutation($id: ID!) { reopenReport(id: $id, reason: "عادت المشكلة") { id } }', { id }, dispatcher);
    now += HOUR;
    const job = await assign(app, dispatcher, id, team.id);
    for (const step of ['ACCEPTED', 'ON_SITE'] as const) await progress(app, team.token, job.id, step);
    await progress(app, team.token, job.id, 'COMPLETED', 'أعيد الإصلاح');
    const rows = await sql<{ id: string; status: string; due_at: Date; claimed_by: string | null; unanswered: number }>(
      app,
      'select id, status, due_at, claimed_by, unanswered from follow_up where report_id = ?',
      [id],
    );
    expect(rows.map(({ id: followUpId, status, claimed_by, unanswered }) => ({ followUpId, status, claimed_by, unanswered }))).toEqual([
      { followUpId: first.id, status: 'PENDING', claimed_by: null, unanswered: 0 },
    ]);
    expect(new Date(rows[0].due_at).getTime()).toBe(now + 2 * HOUR);
  });

  it('reopens a report the citizen says is not fixed, live in a dispatcher’s subscription, and closes one that is', async () => {
    const notFixed = await resolved();
    now += 2 * HOUR;
    const [a] = agents;
    const client = connect(app, dispatcher);
    const live = subscribeEvents<{ type: string; report: { id: string; status: string } | null }>(client, { filter: { types: ['REPORT_UPDATED'] } }, 'type report { id status }');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const held = (await ok<{ claimNextFollowUp: FollowUp }>(app, CLAIM, {}, a.token)).claimNextFollowUp;
    const started = Date.now();
    const done = await ok<{ recordFollowUpAttempt: FollowUp }>(
      app,
      RECORD,
      { input: { followUpId: held.id, outcome: 'REACHED', satisfaction: 2, fixed: 'NO', comment: 'الحفرة ما زالت موجودة' } },
      a.token,
    );
    expect(done.recordFollowUpAttempt).toMatchObject({ status: 'REACHED', satisfaction: 2, fixed: 'NO', report: { id: notFixed, status: 'RECEIVED', reopenedAfterFollowUp: true } });
    const [event] = await live.waitFor(1, 5_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(event).toMatchObject({ type: 'REPORT_UPDATED', report: { id: notFixed, status: 'RECEIVED' } });
    live.stop();
    await client.dispose();
    const line = await ok<{ report: { timeline: { action: string; note: string }[] } }>(
      app,
      `query($id: ID!) { report(id: $id) { timeline { action note params { satisfaction fixed } } } }`,
      { id: notFixed },
      dispatcher,
    );
    expect(line.report.timeline.at(-1)).toEqual({ action: 'REOPENED_AFTER_FOLLOWUP', note: 'الحفرة ما زالت موجودة', params: { satisfaction: 2, fixed: 'NO' } });

    const fixed = await resolved();
    now += 3 * HOUR;
    const next = (await ok<{ claimNextFollowUp: FollowUp }>(app, CLAIM, {}, a.token)).claimNextFollowUp;
    expect(next.report.id).toBe(fixed);
    const closed = await ok<{ recordFollowUpAttempt: FollowUp }>(app, RECORD, { input: { followUpId: next.id, outcome: 'REACHED', satisfaction: 4, fixed: 'YES' } }, a.token);
    expect(closed.recordFollowUpAttempt.report).toMatchObject({ status: 'CLOSED', reopenedAfterFollowUp: false });
    const closing = await ok<{ report: { timeline: { action: string; note: string }[] } }>(
      app,
      `query($id: ID!) { report(id: $id) { timeline { action note params { satisfaction fixed } } } }`,
      { id: fixed },
      dispatcher,
    );
    expect(closing.report.timeline.at(-1)).toEqual({ action: 'CLOSED_AFTER_FOLLOWUP', note: null, params: { satisfaction: 4, fixed: 'YES' } });
  });

  it('refuses bad input with a typed error and writes nothing', async () => {
    await resolved();
    now += 2 * HOUR;
    const [a, b] = agents;
    const held = (await ok<{ claimNextFollowUp: FollowUp }>(app, CLAIM, {}, a.token)).claimNextFollowUp;
    const attempt = (input: Record<string, unknown>, token = a.token) => gql(app, RECORD, { input: { followUpId: held.id, ...input } }, token);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ outcome: 'REACHED', satisfaction: 0, fixed: 'YES' }, 'BAD_USER_INPUT', 'input.satisfaction'],
      [{ outcome: 'REACHED', satisfaction: 6, fixed: 'YES' }, 'BAD_USER_INPUT', 'input.satisfaction'],
      [{ outcome: 'REACHED', satisfaction: 3 }, 'BAD_USER_INPUT', 'input.fixed'],
      [{ outcome: 'REACHED', satisfaction: 3, fixed: 'NO', comment: 'x'.repeat(2001) }, 'BAD_USER_INPUT', 'input.comment'],
      [{ outcome: 'CALL_BACK_LATER' }, 'BAD_USER_INPUT', 'input.callBackAt'],
    ];
    for (const [input, code, field] of cases) {
      const answer = await attempt(input);
      expect(codeOf(answer)).toBe(code);
      expect(answer.errors?.[0].extensions?.field).toBe(field);
    }
    expect(codeOf(await attempt({ outcome: 'NO_ANSWER' }, b.token))).toBe('CONFLICT');
    expect(await count(app, 'select count(*) as n from follow_up_attempt')).toBe(0);
    await ok(app, RECORD, { input: { followUpId: held.id, outcome: 'REACHED', satisfaction: 5, fixed: 'YES' } }, a.token);
    expect(codeOf(await attempt({ outcome: 'REACHED', satisfaction: 5, fixed: 'YES' }))).toBe('CONFLICT');
    expect(await count(app, 'select count(*) as n from follow_up_attempt')).toBe(1);
    const lookup = await gql(app, `query { reporterHistory(phone: "not a phone") { id } }`, {}, a.token);
    expect(codeOf(lookup)).toBe('BAD_USER_INPUT');
    expect(lookup.errors?.[0].extensions?.field).toBe('phone');
  });

  it('finds a caller’s reports by any form of their number, newest first, and answers an inquiry', async () => {
    const forms = ['0551112233', '+966551112233', '966 55 111 2233'];
    const filed: string[] = [];
    for (const phone of forms) {
      now += 60_000;
      filed.push((await fileReport(app, gateway, { description: unique('caller'), reporter: { name: 'متصل', phone } })).id);
    }
    const history = await ok<{ reporterHistory: { id: string }[] }>(app, `query { reporterHistory(phone: "055 111 2233") { id } }`, {}, agents[0].token);
    expect(history.reporterHistory.map((r) => r.id)).toEqual([...filed].reverse());
    const inquiry = await fileReport(app, gateway, { kind: 'INQUIRY', categoryCode: 'GENERAL_INQUIRY', description: unique('متى تفتح البلدية؟') });
    expect(codeOf(await gql(app, `mutation($r: ID!, $c: ID!) { assignReport(input: { reportId: $r, crewId: $c }) { id } }`, { r: inquiry.id, c: team.id }, dispatcher))).toBe('CONFLICT');
    const answered = await ok<{ answerInquiry: { status: string; answer: string } }>(
      app,
      `mutation($r: ID!) { answerInquiry(reportId: $r, answer: "من الأحد إلى الخميس، 7:30–14:30") { status answer } }`,
      { r: inquiry.id },
      agents[0].token,
    );
    expect(answered.answerInquiry).toEqual({ status: 'RESOLVED', answer: 'من الأحد إلى الخميس، 7:30–14:30' });
    const noted = await ok<{ addReportNote: { timeline: { action: string; note: string }[] } }>(
      app,
      `mutation($r: ID!) { addReportNote(reportId: $r, note: "caller asked again") { timeline { action note } } }`,
      { r: filed[0] },
      agents[0].token,
    );
    expect(noted.addReportNote.timeline.at(-1)).toEqual({ action: 'NOTE_ADDED', note: 'caller asked again' });
  });

  it('sends follow-up events to staff and agents, never to integrators', async () => {
    const agentClient = connect(app, agents[0].token);
    const integratorClient = connect(app, integrator);
    const filter = { filter: { types: ['FOLLOWUP_CREATED'] } };
    const agentSees = subscribeEvents<{ type: string; followUp: { status: string } | null }>(agentClient, filter, 'type followUp { status }');
    const integratorSees = subscribeEvents<{ type: string }>(integratorClient, {}, 'type');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await resolved();
    const [event] = await agentSees.waitFor(1, 5_000);
    expect(event).toEqual({ type: 'FOLLOWUP_CREATED', followUp: { status: 'PENDING' } });
    await integratorSees.waitFor(2, 5_000); // the assignment's and the report's own events
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(integratorSees.events.map((e) => e.type)).not.toContain('FOLLOWUP_CREATED');
    agentSees.stop();
    integratorSees.stop();
    await agentClient.dispose();
    await integratorClient.dispose();
  });
});
