import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import { apiKey, assign, crew, fileReport, progress, staff, type Wire } from './support/factories.js';
import type { AssignmentStatus } from '../server/src/assignments/assignments.enums.js';
import { codeOf, gql, ok, startServer, type App } from './support/server.js';
import { connect, subscribeEvents, untilSentinel, untilSubscribed } from './support/ws.js';

/**
 * A crew's phone: when it may see and call the reporter's number (the access policy's `seesReporterPhone`), and
 * `myJobs`, its day as the phone shows it: the current job, the queue in order, and what it finished today.
 */

const PHONE = '+966551234567';
const DAY_MS = 86_400_000;

let app: App;
/** The server's clock: what "today" is for a crew's finished jobs. */
let now = Date.now();
let dispatcher: string;

beforeAll(async () => {
  app = await startServer({}, { clock: () => new Date(now) });
  dispatcher = (await staff(app, Role.DISPATCHER)).token;
});
afterAll(() => app.close());

type Reporter = { name: string | null; phone: string | null };
const READ = 'query($id: ID!) { report(id: $id) { id reporter { name phone } } }';
const LIST = 'query { reports(first: 50) { edges { node { id reporter { phone } } } } }';

/** The reporter as `token` reads them on the report (one read) and in its list; null when it may not read the report. */
async function reporterAs(token: string, reportId: string): Promise<{ one: Reporter | null; listed: string | null | undefined }> {
  const one = await ok<{ report: { reporter: Reporter } | null }>(app, READ, { id: reportId }, token);
  const list = await ok<{ reports: { edges: Array<{ node: { id: string; reporter: { phone: string | null } } }> } }>(app, LIST, {}, token);
  return { one: one.report?.reporter ?? null, listed: list.reports.edges.find((e) => e.node.id === reportId)?.node.reporter.phone };
}

describe("the reporter's phone on a crew's phone", () => {
  it('is shown to the crew only while its own job is on its way or on site, never before it set out nor after it finished', async () => {
    const team = await crew(app);
    const report = await fileReport(app, dispatcher, { reporter: { name: 'سارة الحربي', phone: PHONE } });
    const job = await assign(app, dispatcher, report.id, team.id);
    const seen: Array<[Wire<AssignmentStatus>, string | null | undefined, string | null | undefined]> = [];
    const look = async (status: Wire<AssignmentStatus>) => {
      const { one, listed } = await reporterAs(team.token, report.id);
      expect(one?.name).toBe('سارة الحربي');
      seen.push([status, one?.phone, listed]);
    };
    await look('PENDING');
    for (const status of ['ACCEPTED', 'EN_ROUTE', 'ON_SITE', 'COMPLETED'] as const) {
      await progress(app, team.token, job.id, status);
      await look(status);
    }
    expect(seen).toEqual([
      ['PENDING', null, null],
      ['ACCEPTED', null, null],
      ['EN_ROUTE', PHONE, PHONE],
      ['ON_SITE', PHONE, PHONE],
      ['COMPLETED', null, null],
    ]);
    // Staff see it throughout, an integrator masked.
    expect((await reporterAs(dispatcher, report.id)).one?.phone).toBe(PHONE);
    expect((await reporterAs(await apiKey(app, Role.INTEGRATOR), report.id)).one?.phone).toBe('+9665*****567');
  });

  it("is not shown to a crew whose job is finished while another crew's job on the same report is on its way", async () => {
    const [first, second] = await Promise.all([crew(app), crew(app)]);
    const report = await fileReport(app, dispatcher, { reporter: { name: 'Fahad', phone: PHONE } });
    const done = await assign(app, dispatcher, report.id, first.id);
    for (const status of ['ACCEPTED', 'EN_ROUTE', 'ON_SITE', 'COMPLETED'] as const) await progress(app, first.token, done.id, status);
    await ok(app, 'mutation($id: ID!) { reopenReport(id: $id, reason: "not fixed") { id } }', { id: report.id }, dispatcher);
    const again = await assign(app, dispatcher, report.id, second.id);
    await progress(app, second.token, again.id, 'ACCEPTED');
    await progress(app, second.token, again.id, 'EN_ROUTE');
    // The first crew still reads the report it finished, but the job on its way is the other crew's.
    expect(await reporterAs(first.token, report.id)).toEqual({ one: { name: 'Fahad', phone: null }, listed: null });
    expect(await reporterAs(second.token, report.id)).toEqual({ one: { name: 'Fahad', phone: PHONE }, listed: PHONE });
  });

  it('reaches the crew through myJobs the same way', async () => {
    const team = await crew(app);
    const report = await fileReport(app, dispatcher, { reporter: { name: 'Noura', phone: PHONE } });
    const job = await assign(app, dispatcher, report.id, team.id);
    const PHONES = 'query { myJobs { current { report { reporter { phone } } } queue { report { reporter { phone } } } } }';
    type Phones = { myJobs: { current: { report: { reporter: { phone: string | null } } } | null; queue: Array<{ report: { reporter: { phone: string | null } } }> } };
    expect((await ok<Phones>(app, PHONES, {}, team.token)).myJobs).toEqual({ current: null, queue: [{ report: { reporter: { phone: null } } }] });
    await progress(app, team.token, job.id, 'ACCEPTED');
    expect((await ok<Phones>(app, PHONES, {}, team.token)).myJobs.current).toEqual({ report: { reporter: { phone: null } } });
    await progress(app, team.token, job.id, 'EN_ROUTE');
    expect((await ok<Phones>(app, PHONES, {}, team.token)).myJobs.current).toEqual({ report: { reporter: { phone: PHONE } } });
  });
});

describe("the reporter's phone in live events", () => {
  it("reaches a crew's socket only once its job is on its way, and a dispatcher's throughout", async () => {
    const team = await crew(app);
    const report = await fileReport(app, dispatcher, { reporter: { name: 'Huda', phone: PHONE } });
    const job = await assign(app, dispatcher, report.id, team.id);
    const FIELDS = 'type assignment { status } report { id reporter { phone } }';
    type Seen = { type: string; assignment: { status: string } | null; report: { id: string; reporter: { phone: string | null } } | null };
    const [crewSocket, staffSocket] = [connect(app, team.token), connect(app, dispatcher)];
    try {
      const [crewEvents, staffEvents] = [subscribeEvents<Seen>(crewSocket, {}, FIELDS), subscribeEvents<Seen>(staffSocket, {}, FIELDS)];
      await untilSubscribed(app, 2);
      const phonesAt = (events: Seen[], status: string) =>
        events.filter((e) => e.type === 'ASSIGNMENT_UPDATED' && e.report?.id === report.id && e.assignment?.status === status).map((e) => e.report?.reporter.phone);
      await progress(app, team.token, job.id, 'ACCEPTED');
      // Each event is read when it is delivered: wait for ACCEPTED's before the job sets out.
      await untilSentinel(crewEvents, (e) => e.assignment?.status === 'ACCEPTED' && e.report?.id === report.id);
      await progress(app, team.token, job.id, 'EN_ROUTE');
      await untilSentinel(crewEvents, (e) => e.assignment?.status === 'EN_ROUTE' && e.report?.id === report.id);
      await untilSentinel(staffEvents, (e) => e.assignment?.status === 'EN_ROUTE' && e.report?.id === report.id);
      expect([phonesAt(crewEvents.events, 'ACCEPTED'), phonesAt(crewEvents.events, 'EN_ROUTE')]).toEqual([[null], [PHONE]]);
      expect([phonesAt(staffEvents.events, 'ACCEPTED'), phonesAt(staffEvents.events, 'EN_ROUTE')]).toEqual([[PHONE], [PHONE]]);
    } finally {
      await Promise.all([crewSocket.dispose(), staffSocket.dispose()]);
    }
  });
});

describe("a crew's day (myJobs)", () => {
  const JOBS = `query { myJobs {
    current { id status report { id } }
    queue { id status report { id } }
    finishedToday { id status report { id } }
  } }`;
  type Job = { id: string; status: string; report: { id: string } };
  type Jobs = { myJobs: { current: Job | null; queue: Job[]; finishedToday: Job[] } };
  const jobsOf = async (token: string) => (await ok<Jobs>(app, JOBS, {}, token)).myJobs;
  const ids = (jobs: Job[]) => jobs.map((j) => j.id);

  it('lists the job under way, then the accepted jobs oldest first, then the offers, and what it completed today', async () => {
    const team = await crew(app);
    const give = async () => assign(app, dispatcher, (await fileReport(app, dispatcher)).id, team.id);
    const finished = await give();
    for (const status of ['ACCEPTED', 'EN_ROUTE', 'ON_SITE', 'COMPLETED'] as const) await progress(app, team.token, finished.id, status);
    const offer = await give();
    const older = await give();
    const newer = await give();
    const newestOffer = await give();
    await progress(app, team.token, older.id, 'ACCEPTED');
    await progress(app, team.token, newer.id, 'ACCEPTED');

    // Nothing under way: the first job it accepted is the current one; the offers wait behind what it accepted.
    let jobs = await jobsOf(team.token);
    expect(jobs.current?.id).toBe(older.id);
    expect(ids(jobs.queue)).toEqual([newer.id, offer.id, newestOffer.id]);
    expect(jobs.finishedToday).toEqual([{ id: finished.id, status: 'COMPLETED', report: { id: finished.report.id } }]);

    // The newer job set out first: it is the current one, and the older one waits at the head of the queue.
    await progress(app, team.token, newer.id, 'EN_ROUTE');
    jobs = await jobsOf(team.token);
    expect(jobs.current).toEqual({ id: newer.id, status: 'EN_ROUTE', report: { id: newer.report.id } });
    expect(ids(jobs.queue)).toEqual([older.id, offer.id, newestOffer.id]);

    // Declined and finished jobs leave the queue.
    await progress(app, team.token, offer.id, 'DECLINED', 'not our district');
    await progress(app, team.token, newer.id, 'ON_SITE');
    await progress(app, team.token, newer.id, 'COMPLETED', 'filled');
    jobs = await jobsOf(team.token);
    expect(jobs.current?.id).toBe(older.id);
    expect(ids(jobs.queue)).toEqual([newestOffer.id]);
    expect(ids(jobs.finishedToday)).toEqual([newer.id, finished.id]);
  });

  it("forgets yesterday's finished jobs when a new day begins in Riyadh", async () => {
    const team = await crew(app);
    const job = await assign(app, dispatcher, (await fileReport(app, dispatcher)).id, team.id);
    for (const status of ['ACCEPTED', 'EN_ROUTE', 'ON_SITE', 'COMPLETED'] as const) await progress(app, team.token, job.id, status);
    const today = now;
    try {
      expect(ids((await jobsOf(team.token)).finishedToday)).toEqual([job.id]);
      now = today + DAY_MS;
      expect((await jobsOf(team.token)).finishedToday).toEqual([]);
    } finally {
      now = today;
    }
  });

  it("shows only the caller's own crew's jobs, offers only with nothing accepted", async () => {
    const [mine, theirs] = await Promise.all([crew(app), crew(app)]);
    const offer = await assign(app, dispatcher, (await fileReport(app, dispatcher)).id, mine.id);
    await assign(app, dispatcher, (await fileReport(app, dispatcher)).id, theirs.id);
    expect(await jobsOf(mine.token)).toEqual({ current: null, queue: [{ id: offer.id, status: 'PENDING', report: { id: offer.report.id } }], finishedToday: [] });
    expect(codeOf(await gql(app, JOBS, {}, dispatcher))).toBe('FORBIDDEN');
  });
});
