import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { Role } from '../server/src/access/access.roles.js';
import { Crew } from '../server/src/crews/crews.entity.js';
import { Report } from '../server/src/reports/reports.entity.js';
import { apiKey, assign, crewRow, fileReport, login, staff, unique, type FiledReport } from './support/factories.js';
import { compileServer, runCli } from './support/process.js';
import { codeOf, gql, ok, startServer, type App } from './support/server.js';

/**
 * Behaviours a user relies on that no other file pinned down (issue 9, item 7): triage by category, what a
 * reopen clears, the crew list's filters and nearest-first order, sockets that go silent or never say hello,
 * /healthz and the JSON 404, the CLI's user and key creation, and NOT_FOUND for unknown assignments and crews.
 */

let app: App;
let dispatcher: string;
let intake: string;

beforeAll(async () => {
  app = await startServer();
  dispatcher = (await staff(app)).token;
  intake = await apiKey(app, Role.INTAKE);
});

afterAll(async () => {
  await app?.close();
});

const HOUR_MS = 3_600_000;

interface CategoryRow {
  code: string;
  defaultPriority: string;
  targetHours: number;
}

const TRIAGED_FIELDS = 'id status priority overdue receivedAt targetAt category { code }';

/** A report as TRIAGED_FIELDS selects it. */
interface Triaged {
  id: string;
  status: string;
  priority: string;
  overdue: boolean;
  receivedAt: string;
  targetAt: string;
  category: { code: string };
}

async function readReport(id: string): Promise<Triaged> {
  const data = await ok<{ report: Triaged | null }>(app, `query($id: ID!) { report(id: $id) { ${TRIAGED_FIELDS} } }`, { id }, dispatcher);
  // The dispatcher reads every report: a null fails the test here.
  return data.report!;
}

/** A POTHOLE report whose target is already behind it, so it reads back overdue. */
async function overdueReport(): Promise<FiledReport> {
  const report = await fileReport(app, intake);
  await app.orm.em.fork().nativeUpdate(Report, { id: report.id }, { targetAt: new Date(Date.now() - 60_000) });
  expect((await readReport(report.id)).overdue).toBe(true);
  return report;
}

describe('triage by category', () => {
  let categories: CategoryRow[];
  let pothole: CategoryRow;
  /** A category whose default priority and target both differ from POTHOLE's, and whose target is hours away. */
  let other: CategoryRow;

  beforeAll(async () => {
    categories = (await ok<{ categories: CategoryRow[] }>(app, '{ categories { code defaultPriority targetHours } }', {}, dispatcher)).categories;
    pothole = categories.find((category) => category.code === 'POTHOLE')!;
    other = categories.find((category) => category.defaultPriority !== pothole.defaultPriority && category.targetHours !== pothole.targetHours && category.targetHours >= 1)!;
    expect(other).toBeDefined();
  });

  const triage = (id: string, input: Record<string, unknown>) =>
    ok<{ triageReport: Triaged }>(app, `mutation($id: ID!, $input: TriageReportInput!) { triageReport(id: $id, input: $input) { ${TRIAGED_FIELDS} } }`, { id, input }, dispatcher);

  it('a new category sets the target from its hours, its default priority, and clears overdue; report(id) reads the same back', async () => {
    const report = await overdueReport();
    const { triageReport: answered } = await triage(report.id, { categoryCode: other.code, note: 'it is not a pothole' });
    const read = await readReport(report.id);
    for (const view of [answered, read]) {
      expect(view.category.code).toBe(other.code);
      expect(view.priority).toBe(other.defaultPriority);
      expect(new Date(view.targetAt).getTime()).toBe(new Date(report.receivedAt).getTime() + other.targetHours * HOUR_MS);
      expect(view.receivedAt).toBe(report.receivedAt);
      expect(view.overdue).toBe(false);
      expect(view.status).toBe('RECEIVED');
    }
  });

  it('a priority given with the category wins over the category default', async () => {
    const report = await fileReport(app, intake);
    const chosen = ['CRITICAL', 'HIGH', 'NORMAL', 'LOW'].find((priority) => priority !== other.defaultPriority && priority !== pothole.defaultPriority)!;
    await triage(report.id, { categoryCode: other.code, priority: chosen });
    const read = await readReport(report.id);
    expect(read.category.code).toBe(other.code);
    expect(read.priority).toBe(chosen);
    expect(new Date(read.targetAt).getTime()).toBe(new Date(report.receivedAt).getTime() + other.targetHours * HOUR_MS);
  });

  it('a priority alone keeps the category and the target, so an overdue report stays overdue', async () => {
    const report = await overdueReport();
    const before = await readReport(report.id);
    const chosen = pothole.defaultPriority === 'CRITICAL' ? 'LOW' : 'CRITICAL';
    await triage(report.id, { priority: chosen });
    const read = await readReport(report.id);
    expect(read.priority).toBe(chosen);
    expect(read.category.code).toBe('POTHOLE');
    expect(read.targetAt).toBe(before.targetAt);
    expect(read.overdue).toBe(true);
  });
});

describe('reopenReport', () => {
  const FIELDS = 'id status rejectionReason referredTo duplicateOf { id }';
  /** A report as FIELDS selects it. */
  type Closable = { id: string; status: string; rejectionReason: string | null; referredTo: string | null; duplicateOf: { id: string } | null };

  const closers: Array<{ name: string; close(id: string): Promise<{ closed: Closable; expected: Partial<Closable> }> }> = [
    {
      name: 'rejected and referred to another entity',
      close: async (id) => ({
        closed: (
          await ok<{ rejectReport: Closable }>(
            app,
            `mutation($id: ID!) { rejectReport(id: $id, reason: "water main, not ours", referredTo: "National Water Company") { ${FIELDS} } }`,
            { id },
            dispatcher,
          )
        ).rejectReport,
        expected: { status: 'REJECTED', rejectionReason: 'water main, not ours', referredTo: 'National Water Company' },
      }),
    },
    {
      name: 'rejected as invalid, without a referral',
      close: async (id) => ({
        closed: (await ok<{ rejectReport: Closable }>(app, `mutation($id: ID!) { rejectReport(id: $id, reason: "no such street") { ${FIELDS} } }`, { id }, dispatcher)).rejectReport,
        expected: { status: 'REJECTED', rejectionReason: 'no such street', referredTo: null },
      }),
    },
    {
      name: 'merged as a duplicate',
      close: async (id) => {
        const original = (await fileReport(app, intake)).id;
        return {
          closed: (await ok<{ markDuplicate: Closable }>(app, `mutation($id: ID!, $of: ID!) { markDuplicate(id: $id, duplicateOf: $of) { ${FIELDS} } }`, { id, of: original }, dispatcher))
            .markDuplicate,
          expected: { status: 'DUPLICATE', duplicateOf: { id: original } },
        };
      },
    },
  ];

  it.each(closers)('clears duplicateOf, rejectionReason and referredTo of a report $name', async ({ close }) => {
    const report = await fileReport(app, intake);
    const { closed, expected } = await close(report.id);
    expect(closed).toMatchObject(expected);

    const reopened = (
      await ok<{ reopenReport: Closable }>(app, `mutation($id: ID!) { reopenReport(id: $id, reason: "the reporter says it is still there") { ${FIELDS} } }`, { id: report.id }, dispatcher)
    ).reopenReport;
    const read = (await ok<{ report: Closable | null }>(app, `query($id: ID!) { report(id: $id) { ${FIELDS} } }`, { id: report.id }, dispatcher)).report;
    for (const view of [reopened, read]) expect(view).toEqual({ id: report.id, status: 'RECEIVED', rejectionReason: null, referredTo: null, duplicateOf: null });
  });
});

describe('the crews query', () => {
  const CREW_FIELDS = 'id name onDuty status department { code } municipality { code } location { lat lng }';
  /** A crew as CREW_FIELDS selects it. */
  type Listed = { id: string; name: string; onDuty: boolean; status: string; department: { code: string }; municipality: { code: string }; location: { lat: number; lng: number } | null };
  const listCrews = async (filter: Record<string, unknown> | null) =>
    (await ok<{ crews: Listed[] }>(app, `query($filter: CrewFilter) { crews(filter: $filter) { ${CREW_FIELDS} } }`, { filter }, dispatcher)).crews;

  /** Crews of this file, one per combination that a filter must tell apart. */
  let mine: Record<'parksJubailOn' | 'parksJubailOff' | 'parksQatifOn' | 'roadsJubailOn' | 'roadsJubailAssigned', string>;

  beforeAll(async () => {
    const make = async (department: string, municipality: string, onDuty: boolean) => (await crewRow(app, { department, municipality, onDuty, lat: 27.0, lng: 49.6 })).id;
    mine = {
      parksJubailOn: await make('PARKS', 'JUBAIL', true),
      parksJubailOff: await make('PARKS', 'JUBAIL', false),
      parksQatifOn: await make('PARKS', 'QATIF', true),
      roadsJubailOn: await make('ROADS_LIGHTING', 'JUBAIL', true),
      roadsJubailAssigned: await make('ROADS_LIGHTING', 'JUBAIL', true),
    };
    await assign(app, dispatcher, (await fileReport(app, intake)).id, mine.roadsJubailAssigned);
  });

  const cases: Array<{ name: string; filter: Record<string, unknown>; holds(crew: Listed): boolean; expected: Array<keyof typeof mine> }> = [
    { name: 'departmentCodes', filter: { departmentCodes: ['PARKS'] }, holds: (c) => c.department.code === 'PARKS', expected: ['parksJubailOn', 'parksJubailOff', 'parksQatifOn'] },
    { name: 'municipalityCodes', filter: { municipalityCodes: ['QATIF'] }, holds: (c) => c.municipality.code === 'QATIF', expected: ['parksQatifOn'] },
    { name: 'onDuty: false', filter: { onDuty: false }, holds: (c) => c.onDuty === false && c.status === 'OFF_DUTY', expected: ['parksJubailOff'] },
    { name: 'onDuty: true', filter: { onDuty: true }, holds: (c) => c.onDuty === true, expected: ['parksJubailOn', 'parksQatifOn', 'roadsJubailOn', 'roadsJubailAssigned'] },
    { name: 'statuses: [ASSIGNED]', filter: { statuses: ['ASSIGNED'] }, holds: (c) => c.status === 'ASSIGNED', expected: ['roadsJubailAssigned'] },
    {
      name: 'statuses: [AVAILABLE, OFF_DUTY]',
      filter: { statuses: ['AVAILABLE', 'OFF_DUTY'] },
      holds: (c) => ['AVAILABLE', 'OFF_DUTY'].includes(c.status),
      expected: ['parksJubailOn', 'parksJubailOff', 'parksQatifOn', 'roadsJubailOn'],
    },
    {
      name: 'every condition together',
      filter: { departmentCodes: ['PARKS', 'ROADS_LIGHTING'], municipalityCodes: ['JUBAIL'], onDuty: true, statuses: ['AVAILABLE'] },
      holds: (c) => ['PARKS', 'ROADS_LIGHTING'].includes(c.department.code) && c.municipality.code === 'JUBAIL' && c.onDuty && c.status === 'AVAILABLE',
      expected: ['parksJubailOn', 'roadsJubailOn'],
    },
  ];

  it.each(cases)('filter $name lists exactly the crews that match it', async ({ filter, holds, expected }) => {
    const crews = await listCrews(filter);
    const failing = crews.filter((c) => !holds(c));
    expect(failing).toEqual([]);
    const ours = new Set(Object.values(mine));
    const names = Object.fromEntries(Object.entries(mine).map(([name, id]) => [id, name]));
    expect(
      crews
        .filter((c) => ours.has(c.id))
        .map((c) => names[c.id])
        .sort(),
    ).toEqual([...expected].sort());
  });

  it('without a filter lists every crew, ours included', async () => {
    const ids = new Set((await listCrews(null)).map((c) => c.id));
    for (const id of Object.values(mine)) expect(ids.has(id)).toBe(true);
  });

  it('near orders crews nearest first, crews without a location last', async () => {
    const near = { lat: 26.95, lng: 49.55 };
    const department = 'CALL_CENTER';
    const at = async (name: string, lat: number, lng: number) => (await crewRow(app, { name: unique(name), department, municipality: 'JUBAIL', lat, lng })).id;
    // Inserted far to near, so name or insertion order would not pass for distance order.
    const far = await at('far', 27.3, 49.9);
    const middle = await at('middle', 27.05, 49.65);
    const nowhere = await at('nowhere', 26.951, 49.551);
    const nearest = await at('nearest', 26.951, 49.551);
    await app.orm.em.fork().nativeUpdate(Crew, { id: nowhere }, { lat: null, lng: null, locationAt: null });

    const crews = await listCrews({ near, departmentCodes: [department] });
    const ours = crews.map((c) => c.id).filter((id) => [far, middle, nowhere, nearest].includes(id));
    expect(ours).toEqual([nearest, middle, far, nowhere]);

    // Every crew the list returns, not only ours, is in distance order, the unlocated ones after the rest.
    const distances = crews.map((c) => (c.location ? haversineKm(near, c.location) : Infinity));
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    expect(crews.find((c) => c.id === nowhere)!.location).toBeNull();
  });

  it('near outside the province is BAD_USER_INPUT naming filter.near', async () => {
    const result = await gql(app, 'query($filter: CrewFilter) { crews(filter: $filter) { id } }', { filter: { near: { lat: 51.5, lng: -0.12 } } }, dispatcher);
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.extensions!.field).toMatch(/^filter\.near/);
  });
});

/** Great-circle distance, written here so the order is checked against something the server did not compute. */
function haversineKm(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = (deg: number) => (deg * Math.PI) / 180;
  const h = Math.sin(rad(b.lat - a.lat) / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(rad(b.lng - a.lng) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

describe('sockets', () => {
  const wsUrl = () => `${app.url.replace(/^http/, 'ws')}/graphql`;

  /** A raw graphql-transport-ws socket; `autoPong: false` makes it a client that stopped answering pings. */
  function open(autoPong: boolean): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(wsUrl(), 'graphql-transport-ws', { autoPong });
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
    });
  }

  const closeOf = (socket: WebSocket) => new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));

  async function acknowledged(socket: WebSocket, token: string): Promise<void> {
    const ack = new Promise<void>((resolve, reject) => {
      socket.once('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string };
        if (message.type === 'connection_ack') resolve();
        else reject(new Error(`expected connection_ack, got ${String(data)}`));
      });
    });
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    await ack;
  }

  it('a socket that never sends connection_init is closed with 4408', async () => {
    const socket = await open(true);
    const closed = await closeOf(socket);
    expect(closed.code).toBe(4408);
  }, 30_000);

  it('a socket that stops answering pings is dropped, while one that answers stays open', async () => {
    const silent = await open(false);
    const answering = await open(true);
    await acknowledged(silent, dispatcher);
    await acknowledged(answering, dispatcher);
    let pinged = false;
    silent.on('ping', () => {
      pinged = true;
    });
    // The server pings every 12 s (keepAliveMs is not configurable from Config or startServer) and ends a
    // socket that has not answered the previous ping: a terminated socket reaches the client as 1006.
    const closed = await closeOf(silent);
    expect(pinged).toBe(true);
    expect(closed.code).toBe(1006);
    expect(answering.readyState).toBe(WebSocket.OPEN);
    answering.close();
  }, 45_000);
});

describe('HTTP outside GraphQL', () => {
  it('an unknown path is a JSON 404 with NOT_FOUND on a server without a console build too (an API-only deployment)', async () => {
    const apiOnly = await startServer({}, { console: false });
    try {
      for (const [method, route] of [
        ['POST', '/nothing-here'],
        ['GET', '/reports/some-id'],
      ] as const) {
        const response = await fetch(`${apiOnly.url}${route}`, method === 'POST' ? { method, headers: { 'content-type': 'application/json' }, body: '{}' } : {});
        expect(response.status, `${method} ${route}`).toBe(404);
        const body = (await response.json()) as { errors?: Array<{ extensions: { code: string } }> };
        expect(body.errors?.[0]?.extensions.code, `${method} ${route}`).toBe('NOT_FOUND');
      }
    } finally {
      await apiOnly.close();
    }
  });

  it('/healthz answers {"ok":true}', async () => {
    const response = await fetch(`${app.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  describe('with the console served', () => {
    let withConsole: App;

    beforeAll(async () => {
      withConsole = await startServer({}, { console: '<!doctype html><title>console</title>' });
    });

    afterAll(async () => {
      await withConsole?.close();
    });

    it.each(['/nothing-here', '/graphql/extra', '/api/v1/reports'])('POST %s is a JSON 404 with code NOT_FOUND', async (pathname) => {
      const response = await fetch(`${withConsole.url}${pathname}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      expect(body.errors[0]!.extensions.code).toBe('NOT_FOUND');
    });

    it('GET of an unknown page is the console, for its client-side routes', async () => {
      const response = await fetch(`${withConsole.url}/reports/some-id`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<title>console</title>');
    });
  });
});

describe('creating users and API keys (what the CLI calls)', () => {
  const userCases: Array<{ name: string; input: { username: string; password: string; role: Role; crewId?: string }; field: string }> = [
    { name: 'a password under 8 characters', input: { username: 'short-pass', password: 'seven77', role: Role.DISPATCHER }, field: 'password' },
    { name: 'a username with a space', input: { username: 'has space', password: 'long-enough-1', role: Role.DISPATCHER }, field: 'username' },
    { name: 'a username with Arabic letters', input: { username: 'سارة', password: 'long-enough-1', role: Role.DISPATCHER }, field: 'username' },
    { name: 'a username with a slash', input: { username: 'a/b', password: 'long-enough-1', role: Role.DISPATCHER }, field: 'username' },
    { name: 'an empty username', input: { username: '', password: 'long-enough-1', role: Role.DISPATCHER }, field: 'username' },
    { name: 'a CREW user without a crew', input: { username: 'crew-without-crew', password: 'long-enough-1', role: Role.CREW }, field: 'crewId' },
    { name: 'a user with the INTAKE role (a key role)', input: { username: 'intake-user', password: 'long-enough-1', role: Role.INTAKE }, field: 'role' },
    { name: 'a user with the INTEGRATOR role (a key role)', input: { username: 'integrator-user', password: 'long-enough-1', role: Role.INTEGRATOR }, field: 'role' },
  ];

  it.each(userCases)('createUser refuses $name with BAD_USER_INPUT naming $field', async ({ input, field }) => {
    await expect(app.services.auth.createUser(app.orm.em.fork(), input)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field } });
  });

  it('createUser stores a user who can sign in, with the name lower-cased', async () => {
    const username = unique('New.User_1').toUpperCase();
    await app.services.auth.createUser(app.orm.em.fork(), { username, password: 'long-enough-1', role: Role.SUPERVISOR });
    const token = await login(app, username.toLowerCase(), 'long-enough-1');
    const me = await ok<{ me: { role: string } }>(app, '{ me { role } }', {}, token);
    expect(me.me.role).toBe('SUPERVISOR');
  });

  const keyCases: Array<{ name: string; input: { name: string; key: string; role: Role }; field: string }> = [
    { name: 'a key under 12 characters', input: { name: 'short', key: 'elevenchars', role: Role.INTAKE }, field: 'key' },
    { name: 'a key with a user role', input: { name: 'dispatcher-key', key: 'long-enough-key-1', role: Role.DISPATCHER }, field: 'role' },
    { name: 'a key with the CREW role', input: { name: 'crew-key', key: 'long-enough-key-2', role: Role.CREW }, field: 'role' },
    { name: 'a key without a name', input: { name: '', key: 'long-enough-key-3', role: Role.INTEGRATOR }, field: 'name' },
  ];

  it.each(keyCases)('createApiKey refuses $name with BAD_USER_INPUT naming $field', async ({ input, field }) => {
    await expect(app.services.auth.createApiKey(app.orm.em.fork(), input)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field } });
  });
});

describe('the CLI, compiled and run as `npm run user:create` / `apikey:create` run it', () => {
  let outDir: string;

  beforeAll(async () => {
    outDir = await compileServer('cli');
  }, 180_000);

  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  const cli = (args: string[], env: Record<string, string> = {}) => runCli(outDir, args, { DATABASE_URL: inject('databaseUrl'), ...env });

  it('user:create makes a user who can sign in', async () => {
    const username = unique('cli-user');
    const run = await cli(['user:create', '--username', username, '--role', 'DISPATCHER'], { BALAGH_PASSWORD: 'cli-password-1' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`created DISPATCHER ${username}`);
    const token = await login(app, username, 'cli-password-1');
    expect((await ok<{ me: { role: string } }>(app, '{ me { role } }', {}, token)).me.role).toBe('DISPATCHER');
  });

  it.each<{ name: string; args: string[]; env: Record<string, string>; says: string }>([
    { name: 'without BALAGH_PASSWORD', args: ['user:create', '--username', 'no-password', '--role', 'DISPATCHER'], env: {}, says: 'BALAGH_PASSWORD' },
    { name: 'with a short password', args: ['user:create', '--username', 'short-password', '--role', 'DISPATCHER'], env: { BALAGH_PASSWORD: 'short' }, says: 'at least 8 characters' },
    { name: 'with a bad username', args: ['user:create', '--username', 'no spaces', '--role', 'DISPATCHER'], env: { BALAGH_PASSWORD: 'cli-password-1' }, says: 'a-z, 0-9' },
    { name: 'a CREW without --crew-id', args: ['user:create', '--username', 'lonely-crew', '--role', 'CREW'], env: { BALAGH_PASSWORD: 'cli-password-1' }, says: 'belongs to a crew' },
    { name: 'apikey:create without --role', args: ['apikey:create', '--name', 'no-role'], env: {}, says: '--name and --role' },
    { name: 'apikey:create with a short BALAGH_API_KEY', args: ['apikey:create', '--name', 'short-key', '--role', 'INTAKE'], env: { BALAGH_API_KEY: 'short' }, says: 'at least 12 characters' },
    { name: 'apikey:create with a user role', args: ['apikey:create', '--name', 'bad-role', '--role', 'SUPERVISOR'], env: {}, says: 'INTAKE or INTEGRATOR' },
  ])('$name exits 1 and says why', async ({ args, env, says }) => {
    const run = await cli(args, env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(says);
  });

  it('apikey:create prints a random key once, and that key works', async () => {
    const name = unique('cli-key');
    const run = await cli(['apikey:create', '--name', name, '--role', 'INTAKE']);
    expect(run.code, run.stderr).toBe(0);
    const key = /: (b940k_\S+)/.exec(run.stdout)?.[1];
    expect(key).toBeDefined();
    const report = await fileReport(app, key!);
    expect(report.status).toBe('RECEIVED');
  });

  it('apikey:create with BALAGH_API_KEY stores that key', async () => {
    const key = `cli-given-${randomUUID()}`;
    const run = await cli(['apikey:create', '--name', unique('cli-given'), '--role', 'INTEGRATOR'], { BALAGH_API_KEY: key });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(key);
    const result = await gql(app, '{ reports(first: 1) { edges { node { id } } } }', {}, key);
    expect(result.errors).toBeUndefined();
  });
});

describe('NOT_FOUND for unknown assignments and crews', () => {
  it.each([
    {
      name: 'updateAssignmentStatus',
      query: 'mutation($id: ID!) { updateAssignmentStatus(input: { assignmentId: $id, status: ACCEPTED }) { id } }',
      field: 'input.assignmentId',
    },
    { name: 'cancelAssignment', query: 'mutation($id: ID!) { cancelAssignment(id: $id, reason: "no longer needed") { id } }', field: 'id' },
    { name: 'setCrewOnDuty', query: 'mutation($id: ID!) { setCrewOnDuty(crewId: $id, onDuty: true) { id } }', field: 'crewId' },
  ])('$name with an id that does not exist is NOT_FOUND naming $field', async ({ query, field }) => {
    const result = await gql(app, query, { id: randomUUID() }, dispatcher);
    expect(codeOf(result)).toBe('NOT_FOUND');
    expect(result.errors![0]!.extensions!.field).toBe(field);
    expect(result.data ?? null).toBeNull();
  });

  it('assignReport to a crew that does not exist is NOT_FOUND naming input.crewId, and the report stays in the queue', async () => {
    const report = await fileReport(app, intake);
    const result = await gql(app, 'mutation($input: AssignReportInput!) { assignReport(input: $input) { id } }', { input: { reportId: report.id, crewId: randomUUID() } }, dispatcher);
    expect(codeOf(result)).toBe('NOT_FOUND');
    expect(result.errors![0]!.extensions!.field).toBe('input.crewId');
    expect((await readReport(report.id)).status).toBe('RECEIVED');
  });

  it('crew(id) of a crew that does not exist is null, not an error', async () => {
    const result = await gql(app, 'query($id: ID!) { crew(id: $id) { id } }', { id: randomUUID() }, dispatcher);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ crew: null });
  });
});
