import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey, Session } from '../server/src/auth/auth.entity.js';
import { OPERATIONS, type Operation as PolicyOperation } from '../server/src/access/access.policy.js';
import { Role } from '../server/src/access/access.roles.js';
import { loadConfig } from '../server/src/common/config.js';
import { sha256 } from '../server/src/auth/password.js';
import { apiKey, assign, crew, crewRow, fileReport, login, progress, reportInput, sql, staff, unique, type FiledReport } from './support/factories.js';
import { loginFrom } from './support/from-address.js';
import { fixture, upload } from './support/media.js';
import { codeOf, gql, ok, startServer, type App, type GqlResponse } from './support/server.js';
import { connect } from './support/ws.js';

type Actor = 'DISPATCHER' | 'SUPERVISOR' | 'CREW' | 'INTAKE' | 'INTEGRATOR' | 'AGENT' | 'NO_TOKEN';
const ACTORS: Actor[] = ['DISPATCHER', 'SUPERVISOR', 'CREW', 'INTAKE', 'INTEGRATOR', 'AGENT', 'NO_TOKEN'];
const STAFF: Actor[] = ['DISPATCHER', 'SUPERVISOR'];

const ME = 'query { me { id username role crew { id } } }';
type Me = { me: { id: string; username: string; role: string; crew: { id: string } | null } };
type ById = { report: { id: string } | null };
type ByReference = { reportByReference: { id: string } | null };
type Connection<N> = { totalCount?: number; edges: Array<{ node: N }> };
type Reporter = { name: string | null; phone: string | null; beneficiaryType?: string | null };

/** The reporter every report of the matrix is filed with, whole and as an integrator sees it. */
const REPORTER = { name: 'Sara Al-Harbi', phone: '+966551234567' };
const MASKED = { name: 'S*** A***', phone: '+9665*****567' };
/** The crew reads `shared` while its assignment is only an offer (PENDING): the reporter's name, not yet the phone. */
const reporterFor = (actor: Actor) => {
  if (actor === 'INTEGRATOR') return MASKED;
  if (actor === 'CREW') return { ...REPORTER, phone: null };
  return REPORTER;
};

/** An answer whose data is keyed by the operation's name. */
type Answer = GqlResponse<Record<string, unknown>>;

/**
 * One operation of the matrix: `prepare` makes fresh rows with a dispatcher's token (so each cell starts from
 * the same state), `call` runs the operation with the actor's token, and `gets` says what an allowed actor
 * must get back (compared with toEqual, so asymmetric matchers may stand for what varies). Who is allowed is
 * the operation's row in the access policy (so a new rule is one row there); every other signed-in actor
 * gets FORBIDDEN and a caller without a token UNAUTHENTICATED.
 */
interface OperationSpec<P> {
  /** The root field; its row in the access policy's OPERATIONS says which roles may call it. */
  name: PolicyOperation;
  /** A token only this cell uses, for operations that end the caller's session. */
  freshToken?: boolean;
  prepare?: () => Promise<P>;
  call: (token: string | undefined, prepared: P) => Promise<Answer>;
  gets: (actor: Actor, prepared: P) => unknown;
}

/** An operation of the matrix whatever its prepared rows: `prepare` makes them and binds `call` and `gets` to them. */
interface Operation {
  name: PolicyOperation;
  freshToken?: boolean;
  prepare(): Promise<{ call: (token: string | undefined) => Promise<Answer>; gets: (actor: Actor) => unknown }>;
}

const op = <P = undefined>({ prepare, call, gets, ...operation }: OperationSpec<P>): Operation => ({
  ...operation,
  prepare: async () => {
    // Without `prepare` P is undefined, which is what the operation gets.
    const prepared = (await prepare?.()) as P;
    return { call: (token) => call(token, prepared), gets: (actor) => gets(actor, prepared) };
  },
});

describe('who may do what', () => {
  let app: App;
  let tokens: Record<Exclude<Actor, 'NO_TOKEN'>, string>;
  let usernames: Record<'DISPATCHER' | 'SUPERVISOR' | 'CREW' | 'AGENT', string>;
  let member: { id: string; token: string; username: string };
  let intakeKey: string;
  /** In the description of `shared` and `original`, so a text filter lists exactly those two. */
  const marker = unique('matrix-pair');
  let shared: FiledReport;
  let original: FiledReport;

  beforeAll(async () => {
    // Calls around the clock, every day: the follow-up cells claim whatever the time of the run.
    app = await startServer({ followUp: { ...loadConfig({}).followUp, callHours: '00:00-24:00', closedWeekdays: [] } });
    const [dispatcher, supervisor, crewMember, intake, integrator] = await Promise.all([
      staff(app, Role.DISPATCHER),
      staff(app, Role.SUPERVISOR),
      crew(app),
      apiKey(app, Role.INTAKE),
      apiKey(app, Role.INTEGRATOR),
    ]);
    member = crewMember;
    intakeKey = intake;
    const agentName = unique('agent');
    await app.services.auth.createUser(app.orm.em.fork(), { username: agentName, password: 'test-password-1', role: Role.AGENT });
    tokens = { DISPATCHER: dispatcher.token, SUPERVISOR: supervisor.token, CREW: member.token, INTAKE: intake, INTEGRATOR: integrator, AGENT: await login(app, agentName) };
    usernames = { DISPATCHER: dispatcher.username, SUPERVISOR: supervisor.username, CREW: member.username, AGENT: agentName };
    // Filed by the intake key and given to the crew, so every signed-in role reads it; `original` only staff and integrators.
    shared = await fileReport(app, intake, { description: `${marker} shared`, reporter: REPORTER });
    await assign(app, dispatcher.token, shared.id, member.id);
    original = await fileReport(app, dispatcher.token, { description: `${marker} original`, reporter: REPORTER });
  });
  afterAll(() => app.close());

  const dispatch = () => tokens.DISPATCHER;
  const freshReport = (overrides = {}) => fileReport(app, dispatch(), { description: unique('matrix'), ...overrides });
  const freshAssignment = async () => assign(app, dispatch(), (await freshReport()).id, member.id);
  const seesEverything = (actor: Actor) => STAFF.includes(actor) || actor === 'INTEGRATOR' || actor === 'AGENT';
  /** A follow-up due an hour ago on a fresh report, nobody holding it: what a claim in this cell takes. */
  const dueFollowUp = async () => {
    const report = await freshReport();
    await sql(
      app,
      `insert into follow_up (id, report_id, status, phone, due_at, next_attempt_at, created_at) values (gen_random_uuid(), ?, 'PENDING', '+966551234567', now() - interval '1 hour', now() - interval '1 hour', now())`,
      [report.id],
    );
    return report;
  };
  const claim = async (t: string | undefined) =>
    t ? (await gql<{ claimNextFollowUp: { id: string } | null }>(app, 'mutation { claimNextFollowUp { id } }', {}, t)).data?.claimNextFollowUp?.id : undefined;
  const sharedAs = (actor: Actor) => ({ id: shared.id, reference: shared.reference, reporter: reporterFor(actor) });

  const operations: Operation[] = [
    op({
      name: 'me',
      call: (t) => gql(app, ME, {}, t),
      gets: (actor) => ({
        id: expect.any(String),
        username: actor === 'INTAKE' || actor === 'INTEGRATOR' ? expect.stringMatching(new RegExp(`^${actor.toLowerCase()}-`)) : usernames[actor as keyof typeof usernames],
        role: actor,
        crew: actor === 'CREW' ? { id: member.id } : null,
      }),
    }),
    op({
      name: 'reports',
      call: (t) => gql(app, 'query($text: String!) { reports(first: 5, filter: { text: $text }) { totalCount edges { node { id reporter { name phone } } } } }', { text: marker }, t),
      // Staff and integrators list both reports; the intake key only the one it filed; the crew only the one given to it.
      gets: (actor) => {
        // In queue order: same priority, and `shared` was filed first so its target comes first.
        const nodes = seesEverything(actor) ? [shared, original] : [shared];
        return {
          totalCount: nodes.length,
          edges: nodes.map((r) => ({ node: { id: r.id, reporter: reporterFor(actor) } })),
        };
      },
    }),
    op({
      name: 'report',
      call: (t) => gql(app, 'query($id: ID!) { report(id: $id) { id reference reporter { name phone } } }', { id: shared.id }, t),
      gets: sharedAs,
    }),
    op({
      name: 'reportByReference',
      call: (t) => gql(app, 'query($r: String!) { reportByReference(reference: $r) { id reference reporter { name phone } } }', { r: shared.reference }, t),
      gets: sharedAs,
    }),
    op({
      name: 'crews',
      call: (t) => gql(app, 'query { crews { id } }', {}, t),
      // A crew sees itself alone; staff and integrators see it among the others.
      gets: (actor) => (actor === 'CREW' ? [{ id: member.id }] : expect.arrayContaining([{ id: member.id }])),
    }),
    op({
      name: 'crew',
      call: (t) => gql(app, 'query($id: ID!) { crew(id: $id) { id activeAssignment { report { id } } } }', { id: member.id }, t),
      gets: () => ({ id: member.id, activeAssignment: { report: { id: expect.any(String) } } }),
    }),
    op({
      name: 'categories',
      call: (t) => gql(app, 'query { categories { code } }', {}, t),
      gets: () => expect.arrayContaining([{ code: 'POTHOLE' }, { code: 'GENERAL_INQUIRY' }]),
    }),
    op({ name: 'municipalities', call: (t) => gql(app, 'query { municipalities { code } }', {}, t), gets: () => expect.arrayContaining([{ code: 'KHOBAR' }]) }),
    op({ name: 'departments', call: (t) => gql(app, 'query { departments { code } }', {}, t), gets: () => expect.arrayContaining([{ code: 'ROADS_LIGHTING' }]) }),
    // The indicators (issue 14): aggregates without personal data, for staff, agents and integrator keys. The last day holds the reports filed above.
    op({
      name: 'indicatorDefinitions',
      call: (t) => gql(app, 'query { indicatorDefinitions { code } }', {}, t),
      gets: () => expect.arrayContaining([{ code: 'received' }, { code: 'targetCompliance' }]),
    }),
    op({
      name: 'indicators',
      call: (t) => gql(app, 'query($p: PeriodInput!) { indicators(period: $p) { received } }', { p: { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 60_000) } }, t),
      gets: () => [{ received: expect.any(Number) }],
    }),
    op({
      name: 'indicatorSeries',
      call: (t) =>
        gql(app, 'query($p: PeriodInput!) { indicatorSeries(period: $p, bucket: MONTH) { received } }', { p: { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 60_000) } }, t),
      gets: () => expect.arrayContaining([{ received: expect.any(Number) }]),
    }),
    op({
      name: 'createReport',
      prepare: async () => reportInput({ description: unique('matrix-filed'), reporter: REPORTER }),
      call: (t, input) => gql(app, 'mutation($input: CreateReportInput!) { createReport(input: $input) { id status description reporter { name phone } } }', { input }, t),
      gets: (_actor, input) => ({ id: expect.any(String), status: 'RECEIVED', description: input.description, reporter: REPORTER }),
    }),
    op({
      name: 'followUps',
      call: (t) => gql(app, 'query { followUps(first: 1) { pageInfo { hasPreviousPage } } }', {}, t),
      gets: () => ({ pageInfo: { hasPreviousPage: false } }),
    }),
    op({
      name: 'followUpCounts',
      call: (t) => gql(app, 'query { followUpCounts { dueNow scheduledLater unreachable doneToday } }', {}, t),
      gets: () => ({ dueNow: expect.any(Number), scheduledLater: expect.any(Number), unreachable: expect.any(Number), doneToday: expect.any(Number) }),
    }),
    op({
      name: 'reporterHistory',
      call: (t) => gql(app, 'query($p: String!) { reporterHistory(phone: $p) { id } }', { p: '0551234567' }, t),
      gets: () => expect.arrayContaining([{ id: shared.id }]),
    }),
    op({
      name: 'claimNextFollowUp',
      prepare: dueFollowUp,
      call: (t) => gql(app, 'mutation { claimNextFollowUp { status claimedBy } }', {}, t),
      gets: (actor) => ({ status: 'PENDING', claimedBy: usernames[actor as 'AGENT' | 'SUPERVISOR'] }),
    }),
    op({
      name: 'releaseFollowUp',
      prepare: dueFollowUp,
      call: async (t) => gql(app, 'mutation($id: ID!) { releaseFollowUp(id: $id) { status claimedBy } }', { id: (await claim(t)) ?? randomUUID() }, t),
      gets: () => ({ status: 'PENDING', claimedBy: null }),
    }),
    op({
      name: 'recordFollowUpAttempt',
      prepare: dueFollowUp,
      call: async (t) =>
        gql(
          app,
          'mutation($input: RecordFollowUpInput!) { recordFollowUpAttempt(input: $input) { status attempts } }',
          { input: { followUpId: (await claim(t)) ?? randomUUID(), outcome: 'NO_ANSWER' } },
          t,
        ),
      gets: () => ({ status: 'PENDING', attempts: 1 }),
    }),
    op({
      name: 'answerInquiry',
      prepare: () => fileReport(app, dispatch(), { kind: 'INQUIRY', categoryCode: 'GENERAL_INQUIRY', description: unique('matrix-inquiry') }),
      call: (t, report) => gql(app, 'mutation($id: ID!) { answerInquiry(reportId: $id, answer: "yes") { id status answer } }', { id: report.id }, t),
      gets: (_actor, report) => ({ id: report.id, status: 'RESOLVED', answer: 'yes' }),
    }),
    op({
      name: 'addReportNote',
      prepare: freshReport,
      call: (t, report) => gql(app, 'mutation($id: ID!) { addReportNote(reportId: $id, note: "caller rang") { id } }', { id: report.id }, t),
      gets: (_actor, report) => ({ id: report.id }),
    }),
    op({
      name: 'attachMedia',
      prepare: freshReport,
      // The actor uploads its own photo and, when it may, files its own report (an INTAKE key attaches only to what it filed).
      call: async (t, report) => {
        const own = t ? await upload(app, t, await fixture('photo.png'), 'matrix.png') : undefined;
        const mine = t
          ? await gql<{ createReport: { id: string } }>(
              app,
              'mutation($input: CreateReportInput!) { createReport(input: $input) { id } }',
              { input: reportInput({ description: unique('matrix-media') }) },
              t,
            )
          : undefined;
        const reportId = mine?.data?.createReport?.id ?? report.id;
        return gql(app, 'mutation($r: ID!, $m: [ID!]!) { attachMedia(reportId: $r, mediaIds: $m) { media { kind purpose } } }', { r: reportId, m: [own?.body.id ?? randomUUID()] }, t);
      },
      gets: () => ({ media: [{ kind: 'PHOTO', purpose: 'REPORT' }] }),
    }),
    op({
      name: 'triageReport',
      prepare: freshReport,
      call: (t, report) => gql(app, 'mutation($id: ID!) { triageReport(id: $id, input: { priority: LOW }) { id priority status } }', { id: report.id }, t),
      gets: (_actor, report) => ({ id: report.id, priority: 'LOW', status: 'RECEIVED' }),
    }),
    op({
      name: 'assignReport',
      prepare: async () => {
        const [report, target] = await Promise.all([freshReport(), crewRow(app)]);
        return { report, target };
      },
      call: (t, { report, target }) =>
        gql(app, 'mutation($input: AssignReportInput!) { assignReport(input: $input) { id status report { id status } crew { id } } }', { input: { reportId: report.id, crewId: target.id } }, t),
      gets: (_actor, { report, target }) => ({ id: expect.any(String), status: 'PENDING', report: { id: report.id, status: 'ASSIGNED' }, crew: { id: target.id } }),
    }),
    op({
      name: 'suggestCrews',
      // A park crew standing at a damaged park in Abqaiq ranks at the top, whatever other crews the suite made.
      prepare: async () => {
        const place = { lat: 25.935, lng: 49.6661 };
        const [report, target] = await Promise.all([freshReport({ categoryCode: 'PARK_DAMAGE', location: place }), crewRow(app, { department: 'PARKS', municipality: 'ABQAIQ', ...place })]);
        await sql(app, `update crew set skills = '{PARK_DAMAGE}' where id = ?`, [target.id]);
        return { report, target };
      },
      call: (t, { report }) => gql(app, 'query($id: ID!) { suggestCrews(reportId: $id, first: 20) { crew { id } busy reasons { code } } }', { id: report.id }, t),
      gets: (_actor, { target }) => expect.arrayContaining([{ crew: { id: target.id }, busy: false, reasons: expect.arrayContaining([{ code: 'FREE' }]) }]),
    }),
    op({
      name: 'updateAssignmentStatus',
      prepare: freshAssignment,
      call: (t, assignment) => gql(app, 'mutation($id: ID!) { updateAssignmentStatus(input: { assignmentId: $id, status: ACCEPTED }) { id status report { id status } } }', { id: assignment.id }, t),
      gets: (_actor, assignment) => ({ id: assignment.id, status: 'ACCEPTED', report: { id: assignment.report.id, status: 'IN_PROGRESS' } }),
    }),
    op({
      name: 'cancelAssignment',
      prepare: freshAssignment,
      call: (t, assignment) => gql(app, 'mutation($id: ID!) { cancelAssignment(id: $id, reason: "needed elsewhere") { id status report { id status } } }', { id: assignment.id }, t),
      gets: (_actor, assignment) => ({ id: assignment.id, status: 'CANCELLED', report: { id: assignment.report.id, status: 'RECEIVED' } }),
    }),
    op({
      name: 'myJobs',
      call: (t) => gql(app, 'query { myJobs { queue { report { id } } finishedToday { id } } }', {}, t),
      // Other cells give the crew fresh jobs meanwhile; `shared` stays an offer in its queue throughout.
      gets: () => ({ queue: expect.arrayContaining([{ report: { id: shared.id } }]), finishedToday: expect.any(Array) }),
    }),
    op({
      name: 'updateCrewLocation',
      call: (t) => gql(app, 'mutation { updateCrewLocation(lat: 26.29, lng: 50.21) { id location { lat lng } } }', {}, t),
      gets: () => ({ id: member.id, location: { lat: 26.29, lng: 50.21 } }),
    }),
    op({
      name: 'setCrewOnDuty',
      call: (t) => gql(app, 'mutation($id: ID!) { setCrewOnDuty(crewId: $id, onDuty: true) { id onDuty } }', { id: member.id }, t),
      gets: () => ({ id: member.id, onDuty: true }),
    }),
    op({
      name: 'closeReport',
      prepare: () => freshReport({ kind: 'INQUIRY', categoryCode: 'GENERAL_INQUIRY' }),
      call: (t, report) => gql(app, 'mutation($id: ID!) { closeReport(id: $id, note: "answered") { id status } }', { id: report.id }, t),
      gets: (_actor, report) => ({ id: report.id, status: 'CLOSED' }),
    }),
    op({
      name: 'rejectReport',
      prepare: freshReport,
      call: (t, report) => gql(app, 'mutation($id: ID!) { rejectReport(id: $id, reason: "not ours") { id status rejectionReason } }', { id: report.id }, t),
      gets: (_actor, report) => ({ id: report.id, status: 'REJECTED', rejectionReason: 'not ours' }),
    }),
    op({
      name: 'markDuplicate',
      prepare: freshReport,
      call: (t, report) => gql(app, 'mutation($id: ID!, $of: ID!) { markDuplicate(id: $id, duplicateOf: $of) { id status duplicateOf { id } } }', { id: report.id, of: original.id }, t),
      gets: (_actor, report) => ({ id: report.id, status: 'DUPLICATE', duplicateOf: { id: original.id } }),
    }),
    op({
      name: 'dismissDuplicate',
      prepare: freshReport,
      call: (t, report) => gql(app, 'mutation($id: ID!, $of: ID!) { dismissDuplicate(reportId: $id, duplicateOfId: $of) { id status } }', { id: report.id, of: original.id }, t),
      gets: (_actor, report) => ({ id: report.id, status: 'RECEIVED' }),
    }),
    op({
      name: 'acknowledgeReport',
      prepare: freshReport,
      call: (t, report) => gql(app, 'mutation($id: ID!) { acknowledgeReport(id: $id) { id acknowledgedAt } }', { id: report.id }, t),
      gets: (_actor, report) => ({ id: report.id, acknowledgedAt: expect.any(String) }),
    }),
    op({
      name: 'reopenReport',
      prepare: async () => {
        const report = await freshReport();
        await ok(app, 'mutation($id: ID!) { rejectReport(id: $id, reason: "not ours") { id } }', { id: report.id }, dispatch());
        return report;
      },
      call: (t, report) => gql(app, 'mutation($id: ID!) { reopenReport(id: $id, reason: "it is ours after all") { id status } }', { id: report.id }, t),
      gets: (_actor, report) => ({ id: report.id, status: 'RECEIVED' }),
    }),
    op({ name: 'logout', freshToken: true, call: (t) => gql(app, 'mutation { logout }', {}, t), gets: () => true }),
    op({
      name: 'renewToken',
      freshToken: true,
      call: (t) => gql(app, 'mutation { renewToken { token viewer { username role } } }', {}, t),
      gets: (actor) => ({ token: expect.stringMatching(/.{20,}/), viewer: { username: usernames[actor as keyof typeof usernames], role: actor } }),
    }),
  ];

  function expected(operation: Operation, actor: Actor): string {
    if (actor === 'NO_TOKEN') return 'UNAUTHENTICATED';
    return (OPERATIONS[operation.name] as readonly string[]).includes(actor) ? 'allowed' : 'FORBIDDEN';
  }

  async function tokenFor(actor: Actor, fresh: boolean): Promise<string | undefined> {
    if (actor === 'NO_TOKEN') return undefined;
    if (fresh && (actor === 'DISPATCHER' || actor === 'SUPERVISOR' || actor === 'CREW' || actor === 'AGENT')) return login(app, usernames[actor]);
    return tokens[actor];
  }

  const cells = operations.flatMap((operation) => ACTORS.map((actor) => ({ operation, actor, outcome: expected(operation, actor) })));

  describe.concurrent('role × operation matrix', () => {
    it.each(cells)('$operation.name as $actor: $outcome', async ({ operation, actor, outcome }) => {
      const { call, gets } = await operation.prepare();
      const result = await call(await tokenFor(actor, !!operation.freshToken));
      expect(result.status).not.toBe(500);
      if (outcome === 'allowed') {
        expect(result.errors).toBeUndefined();
        expect(result.data?.[operation.name]).toEqual(gets(actor));
        return;
      }
      expect(codeOf(result)).toBe(outcome);
      expect(result.data?.[operation.name] ?? null).toBeNull();
    });
  });

  it('covers every query and mutation of the schema (login aside)', async () => {
    type Fields = { fields: Array<{ name: string }> };
    const schema = await ok<{ __schema: { queryType: Fields; mutationType: Fields } }>(
      app,
      'query { __schema { queryType { fields { name } } mutationType { fields { name } } } }',
      {},
      tokens.DISPATCHER,
    );
    const names = [...schema.__schema.queryType.fields, ...schema.__schema.mutationType.fields].map((f) => f.name).filter((name) => name !== 'login');
    expect(new Set(operations.map((o) => o.name))).toEqual(new Set(names));
    // And the policy has a row for each of them and for nothing else but the subscriptions (tested over WebSocket,
    // presence below) and the upload endpoint (tested over HTTP below).
    expect(new Set(Object.keys(OPERATIONS))).toEqual(new Set([...names, 'dispatchEvents', 'viewingReport', 'reportPresence', 'uploadMedia']));
  });

  describe.concurrent('POST /media by role', () => {
    it.each(ACTORS)('%s', async (actor) => {
      const answer = await upload(app, actor === 'NO_TOKEN' ? null : tokens[actor], await fixture('photo.webp'), 'role.webp');
      const allowed = actor !== 'NO_TOKEN' && (OPERATIONS.uploadMedia as readonly string[]).includes(actor);
      if (allowed) expect([200, 201]).toContain(answer.status);
      else expect(answer).toMatchObject(actor === 'NO_TOKEN' ? { status: 401, body: { code: 'UNAUTHENTICATED' } } : { status: 403, body: { code: 'FORBIDDEN' } });
    });
  });

  describe.concurrent('presence subscriptions by role', () => {
    const PRESENCE = {
      viewingReport: 'subscription($id: ID!) { viewingReport(reportId: $id) { reportId viewers { role } } }',
      reportPresence: 'subscription($ids: [ID!]) { reportPresence(reportIds: $ids) { reportId viewers { role } } }',
    } as const;
    it.each(ACTORS.flatMap((actor) => (['viewingReport', 'reportPresence'] as const).map((name) => [actor, name] as const)))('%s %s', async (actor, name) => {
      const report = await freshReport();
      const client = connect(app, actor === 'NO_TOKEN' ? null : tokens[actor]);
      const answer = await new Promise<{ data?: Record<string, { reportId: string }> | null; errors?: readonly { extensions?: Record<string, unknown> }[] } | 'closed'>((resolve) => {
        client.subscribe<Record<string, { reportId: string }>>(
          { query: PRESENCE[name], variables: name === 'viewingReport' ? { id: report.id } : { ids: [report.id] } },
          { next: (result) => resolve(result), error: () => resolve('closed'), complete: () => undefined },
        );
      });
      await client.dispose();
      if (actor === 'NO_TOKEN') return expect(answer).toBe('closed');
      if ((OPERATIONS[name] as readonly string[]).includes(actor)) return expect(answer).toMatchObject({ data: { [name]: { reportId: report.id } } });
      expect(answer).toMatchObject({ errors: [{ extensions: { code: 'FORBIDDEN' } }] });
    });
  });

  describe('reporter privacy', () => {
    const READ = 'query($id: ID!) { report(id: $id) { reporter { name phone beneficiaryType } } }';
    type Read = { report: { reporter: Reporter } };

    it('masks the reporter for integrators and shows it whole to dispatchers', async () => {
      const report = await fileReport(app, intakeKey, { reporter: { name: 'Fahad Al-Otaibi', phone: '+966551234567', beneficiaryType: 'RESIDENT' } });
      const masked = await ok<Read>(app, READ, { id: report.id }, tokens.INTEGRATOR);
      expect(masked.report.reporter).toEqual({ name: 'F*** A***', phone: '+9665*****567', beneficiaryType: 'RESIDENT' });
      const whole = await ok<Read>(app, READ, { id: report.id }, tokens.DISPATCHER);
      expect(whole.report.reporter).toEqual({ name: 'Fahad Al-Otaibi', phone: '+966551234567', beneficiaryType: 'RESIDENT' });
    });

    it('masks Arabic names and local numbers too, and in lists and nested reads', async () => {
      const marker = unique('privacy');
      const report = await fileReport(app, intakeKey, { description: marker, reporter: { name: 'محمد العتيبي', phone: '0551234567' } });
      await assign(app, tokens.DISPATCHER, report.id, member.id);
      const list = await ok<{ reports: Connection<{ reporter: Reporter }> }>(
        app,
        'query($text: String!) { reports(filter: { text: $text }) { edges { node { reporter { name phone } } } } }',
        { text: marker },
        tokens.INTEGRATOR,
      );
      expect(list.reports.edges.map((e) => e.node.reporter)).toEqual([{ name: 'م*** ا***', phone: '05*****567' }]);
      const nested = await ok<unknown>(app, 'query($id: ID!) { crew(id: $id) { activeAssignment { report { reporter { name phone } } } } }', { id: member.id }, tokens.INTEGRATOR);
      expect(JSON.stringify(nested)).not.toContain('0551234567');
      expect(JSON.stringify(nested)).not.toContain('محمد');
    });
  });

  describe('what an intake key sees', () => {
    it('sees only the reports it filed', async () => {
      const otherKey = await apiKey(app, Role.INTAKE);
      const marker = unique('intake-scope');
      const mine = await fileReport(app, intakeKey, { description: `${marker} mine` });
      const theirs = await fileReport(app, otherKey, { description: `${marker} theirs` });
      const byStaff = await fileReport(app, tokens.DISPATCHER, { description: `${marker} staff` });

      expect((await ok<ById>(app, 'query($id: ID!) { report(id: $id) { id } }', { id: mine.id }, intakeKey)).report).toEqual({ id: mine.id });
      for (const other of [theirs, byStaff]) {
        expect((await ok<ById>(app, 'query($id: ID!) { report(id: $id) { id } }', { id: other.id }, intakeKey)).report).toBeNull();
        expect((await ok<ByReference>(app, 'query($r: String!) { reportByReference(reference: $r) { id } }', { r: other.reference }, intakeKey)).reportByReference).toBeNull();
      }
      const listed = await ok<{ reports: Connection<{ id: string }> }>(
        app,
        'query($text: String!) { reports(filter: { text: $text }) { totalCount edges { node { id } } } }',
        { text: marker },
        intakeKey,
      );
      expect(listed.reports.edges.map((e) => e.node.id)).toEqual([mine.id]);
      expect(listed.reports.totalCount).toBe(1);
      const everything = await ok<{ reports: Connection<{ id: string; description: string }> }>(app, 'query { reports(first: 100) { edges { node { id description } } } }', {}, otherKey);
      expect(everything.reports.edges.map((e) => e.node.id)).toEqual([theirs.id]);
    });
  });

  it('shows no one a report through duplicateOf that they could not read directly', async () => {
    const otherGateway = await apiKey(app, Role.INTAKE);
    const other = await crew(app);
    const merge = (id: string, of: string) => ok(app, 'mutation($id: ID!, $of: ID!) { markDuplicate(id: $id, duplicateOf: $of) { id } }', { id, of }, tokens.DISPATCHER);
    const theirs = await fileReport(app, otherGateway, { reporter: { name: 'Noura Al-Qahtani', phone: '+966501112223' } });
    const mine = await fileReport(app, intakeKey);
    await merge(mine.id, theirs.id);
    const crewJob = await fileReport(app, tokens.DISPATCHER);
    const declined = await assign(app, tokens.DISPATCHER, crewJob.id, other.id);
    await progress(app, other.token, declined.id, 'DECLINED', 'already fixed by the other report');
    await merge(crewJob.id, theirs.id);

    const READ = 'query($id: ID!) { report(id: $id) { id status duplicateOf { id reporter { name phone } } } }';
    type Read = { report: { id: string; status: string; duplicateOf: { id: string; reporter: Reporter } | null } | null };
    expect((await ok<Read>(app, READ, { id: mine.id }, intakeKey)).report).toEqual({ id: mine.id, status: 'DUPLICATE', duplicateOf: null });
    // The crew declined it, so it no longer reads the report at all (hardening-access.test.ts).
    expect((await ok<Read>(app, READ, { id: crewJob.id }, other.token)).report).toBeNull();
    expect((await ok<Read>(app, READ, { id: mine.id }, tokens.DISPATCHER)).report?.duplicateOf).toEqual({ id: theirs.id, reporter: { name: 'Noura Al-Qahtani', phone: '+966501112223' } });
    expect((await ok<Read>(app, READ, { id: mine.id }, tokens.INTEGRATOR)).report?.duplicateOf).toEqual({ id: theirs.id, reporter: { name: 'N*** A***', phone: '+9665*****223' } });
  });

  it('shows a crew only its own assignments and an intake key none, so no crew name, position or other report leaks through them', async () => {
    const otherGateway = await apiKey(app, Role.INTAKE);
    const [busy, first] = await Promise.all([crew(app), crew(app)]);
    const elsewhere = await fileReport(app, otherGateway, { reporter: { name: 'Huda Al-Dosari', phone: '+966509998887' } });
    const job = await assign(app, tokens.DISPATCHER, elsewhere.id, busy.id);
    await progress(app, busy.token, job.id, 'ACCEPTED');
    await progress(app, busy.token, job.id, 'EN_ROUTE');
    const mine = await fileReport(app, intakeKey);
    const declined = await assign(app, tokens.DISPATCHER, mine.id, first.id);
    await progress(app, first.token, declined.id, 'DECLINED', 'wrong district');
    await assign(app, tokens.DISPATCHER, mine.id, busy.id);

    const READ = `query($id: ID!) { report(id: $id) {
      activeAssignment { crew { id } }
      assignments { crew { id name location { lat } activeAssignment { id report { id reporter { name phone } } } } }
    } }`;
    type Read = {
      report: {
        activeAssignment: { crew: { id: string } } | null;
        assignments: Array<{ crew: { id: string; name: string; location: { lat: number } | null; activeAssignment: { id: string; report: { id: string } | null } | null } }>;
      } | null;
    };
    const seen = async (token: string) => {
      const { report } = await ok<Read>(app, READ, { id: mine.id }, token);
      // A report the caller may not read is null: reading it here fails the test, as it must.
      return { active: report!.activeAssignment?.crew.id ?? null, crews: report!.assignments.map((a) => [a.crew.id, a.crew.activeAssignment?.report?.id ?? null]) };
    };
    expect(await seen(intakeKey)).toEqual({ active: null, crews: [] });
    expect((await ok<Read>(app, READ, { id: mine.id }, first.token)).report).toBeNull();
    expect(await seen(busy.token)).toEqual({ active: busy.id, crews: [[busy.id, elsewhere.id]] });
    expect(await seen(tokens.DISPATCHER)).toEqual({
      active: busy.id,
      crews: [
        [first.id, null],
        [busy.id, elsewhere.id],
      ],
    });
    expect(await seen(tokens.INTEGRATOR)).toEqual({
      active: busy.id,
      crews: [
        [first.id, null],
        [busy.id, elsewhere.id],
      ],
    });
    // The same rule in a list, where the active assignment comes with the page's statement.
    const listed = await ok<{ reports: { edges: unknown[] } }>(
      app,
      'query($r: String!) { reports(filter: { text: $r }) { edges { node { activeAssignment { id } } } } }',
      { r: mine.reference },
      intakeKey,
    );
    expect(listed.reports.edges).toEqual([{ node: { activeAssignment: null } }]);
    expect((await ok<{ crew: { status: string } | null }>(app, 'query($id: ID!) { crew(id: $id) { status } }', { id: busy.id }, tokens.INTEGRATOR)).crew?.status).toBe('EN_ROUTE');
  });

  describe('what a crew sees and changes', () => {
    it('sees only reports given to its crew, and only its own crew', async () => {
      const other = await crew(app);
      const marker = unique('crew-scope');
      const mine = await fileReport(app, tokens.DISPATCHER, { description: `${marker} mine` });
      const theirs = await fileReport(app, tokens.DISPATCHER, { description: `${marker} theirs` });
      const queued = await fileReport(app, tokens.DISPATCHER, { description: `${marker} queued` });
      await assign(app, tokens.DISPATCHER, mine.id, other.id);
      await assign(app, tokens.DISPATCHER, theirs.id, member.id);

      expect((await ok<ById>(app, 'query($id: ID!) { report(id: $id) { id } }', { id: mine.id }, other.token)).report).toEqual({ id: mine.id });
      for (const hidden of [theirs, queued]) {
        expect((await ok<ById>(app, 'query($id: ID!) { report(id: $id) { id } }', { id: hidden.id }, other.token)).report).toBeNull();
        expect((await ok<ByReference>(app, 'query($r: String!) { reportByReference(reference: $r) { id } }', { r: hidden.reference }, other.token)).reportByReference).toBeNull();
      }
      const listed = await ok<{ reports: Connection<{ id: string }> }>(app, 'query { reports(first: 100) { totalCount edges { node { id } } } }', {}, other.token);
      expect(listed.reports.edges.map((e) => e.node.id)).toEqual([mine.id]);
      expect(listed.reports.totalCount).toBe(1);

      const crews = await ok<{ crews: Array<{ id: string }> }>(app, 'query { crews { id } }', {}, other.token);
      expect(crews.crews).toEqual([{ id: other.id }]);
      expect((await ok<{ crew: { id: string } | null }>(app, 'query($id: ID!) { crew(id: $id) { id } }', { id: member.id }, other.token)).crew).toBeNull();
      expect((await ok<{ me: unknown }>(app, 'query { me { role crew { id } } }', {}, other.token)).me).toEqual({ role: 'CREW', crew: { id: other.id } });
    });

    it("may not move another crew's assignment, nor end another crew's shift", async () => {
      const other = await crew(app);
      const report = await fileReport(app, tokens.DISPATCHER, { description: unique('not-yours') });
      const assignment = await assign(app, tokens.DISPATCHER, report.id, other.id);

      for (const status of ['ACCEPTED', 'DECLINED']) {
        const result = await gql(
          app,
          'mutation($id: ID!, $s: AssignmentStatus!) { updateAssignmentStatus(input: { assignmentId: $id, status: $s, note: "mine now" }) { id } }',
          { id: assignment.id, s: status },
          member.token,
        );
        expect(codeOf(result)).toBe('FORBIDDEN');
      }
      const duty = await gql(app, 'mutation($id: ID!) { setCrewOnDuty(crewId: $id, onDuty: false) { id } }', { id: other.id }, member.token);
      expect(codeOf(duty)).toBe('FORBIDDEN');

      const after = await ok<{ report: unknown }>(app, 'query($id: ID!) { report(id: $id) { status version activeAssignment { status version } } }', { id: report.id }, tokens.DISPATCHER);
      expect(after.report).toEqual({ status: 'ASSIGNED', version: 2, activeAssignment: { status: 'PENDING', version: 1 } });
      expect((await ok<{ crew: { onDuty: boolean } | null }>(app, 'query($id: ID!) { crew(id: $id) { onDuty } }', { id: other.id }, tokens.DISPATCHER)).crew?.onDuty).toBe(true);
      await progress(app, other.token, assignment.id, 'ACCEPTED');
    });
  });

  describe('sessions and keys', () => {
    it('ends a session at once on logout', async () => {
      const token = await login(app, usernames.DISPATCHER);
      expect((await ok<Me>(app, ME, {}, token)).me.username).toBe(usernames.DISPATCHER);
      expect((await ok<{ logout: boolean }>(app, 'mutation { logout }', {}, token)).logout).toBe(true);
      expect(codeOf(await gql(app, ME, {}, token))).toBe('UNAUTHENTICATED');
      expect(codeOf(await gql(app, 'query { reports { totalCount } }', {}, token))).toBe('UNAUTHENTICATED');
    });

    it('renews a session: the new token works and the old one stops at once', async () => {
      const old = await login(app, usernames.CREW);
      await ok(app, ME, {}, old);
      const renewed = await ok<{ renewToken: { token: string; expiresAt: string; viewer: { username: string; role: string } } }>(
        app,
        'mutation { renewToken { token expiresAt viewer { username role } } }',
        {},
        old,
      );
      expect(renewed.renewToken.viewer).toEqual({ username: usernames.CREW, role: 'CREW' });
      expect(new Date(renewed.renewToken.expiresAt).getTime()).toBeGreaterThan(Date.now());
      expect(renewed.renewToken.token).not.toBe(old);
      expect((await ok<Me>(app, ME, {}, renewed.renewToken.token)).me.crew?.id).toBe(member.id);
      expect(codeOf(await gql(app, ME, {}, old))).toBe('UNAUTHENTICATED');
    });

    it.each([
      { case: 'wrong password', username: () => usernames.DISPATCHER, password: 'not-the-password' },
      { case: 'unknown user', username: () => unique('nobody'), password: 'test-password-1' },
    ])('refuses a sign-in with a $case as UNAUTHENTICATED', async ({ username, password }) => {
      const result = await gql(app, 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', { u: username(), p: password });
      expect(codeOf(result)).toBe('UNAUTHENTICATED');
      expect(result.data).toBeNull();
    });

    it('refuses an expired session as UNAUTHENTICATED', async () => {
      const token = await login(app, usernames.SUPERVISOR);
      await app.orm.em.fork().nativeUpdate(Session, { tokenHash: sha256(token) }, { expiresAt: new Date(Date.now() - 1000) });
      expect(codeOf(await gql(app, ME, {}, token))).toBe('UNAUTHENTICATED');
    });

    it('locks a user name at one client address after ten wrong passwords, even for the right one, without locking other users there or the same user elsewhere', async () => {
      const victim = await staff(app);
      const attacker = '127.0.0.41';
      for (let i = 0; i < 10; i++) expect(codeOf(await loginFrom(app, attacker, victim.username, `guess-${i}`))).toBe('UNAUTHENTICATED');
      const locked = await loginFrom(app, attacker, victim.username, 'test-password-1');
      expect(codeOf(locked)).toBe('RATE_LIMITED');
      expect(locked.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
      expect(codeOf(await loginFrom(app, attacker, victim.username, 'test-password-1'))).toBe('RATE_LIMITED');
      expect((await loginFrom(app, attacker, usernames.DISPATCHER, 'test-password-1')).errors).toBeUndefined();
      expect((await loginFrom(app, '127.0.0.42', victim.username, 'test-password-1')).errors).toBeUndefined();
      expect((await ok<Me>(app, ME, {}, victim.token)).me.username).toBe(victim.username);
    });

    it('refuses a revoked key and an unknown key as UNAUTHENTICATED', async () => {
      const revoked = await apiKey(app, Role.INTAKE);
      await app.orm.em.fork().nativeUpdate(ApiKey, { keyHash: sha256(revoked) }, { revokedAt: new Date() });
      for (const token of [revoked, `test-key-${unique('unknown')}`, 'b940_forged-session-token']) {
        expect(codeOf(await gql(app, ME, {}, token))).toBe('UNAUTHENTICATED');
        const filed = await gql(app, 'mutation($input: CreateReportInput!) { createReport(input: $input) { id } }', { input: reportInput() }, token);
        expect(codeOf(filed)).toBe('UNAUTHENTICATED');
      }
    });

    it('ignores an Authorization header that is not a bearer credential', async () => {
      const response = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('dispatcher:balagh940').toString('base64')}` },
        body: JSON.stringify({ query: ME }),
      });
      const body = (await response.json()) as GqlResponse;
      expect(body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    });
  });
});
