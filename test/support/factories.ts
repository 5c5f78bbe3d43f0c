import { randomUUID } from 'node:crypto';
import type { AssignmentStatus } from '../../server/src/assignments/assignments.enums.js';
import { Role } from '../../server/src/access/access.roles.js';
import type { CrewStatus } from '../../server/src/crews/crews.enums.js';
import { Crew } from '../../server/src/crews/crews.entity.js';
import { Department, Municipality } from '../../server/src/reference/reference.entity.js';
import type { BeneficiaryType, Channel, Priority, ReportKind, ReportStatus } from '../../server/src/reports/reports.enums.js';
import { ok, type App } from './server.js';

/** A name no other test uses, so tests share the database without stepping on each other. */
export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

const PASSWORD = 'test-password-1';

export async function login(app: App, username: string, password = PASSWORD): Promise<string> {
  const data = await ok<{ login: { token: string } }>(app, 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', { u: username, p: password });
  return data.login.token;
}

/** A DISPATCHER or SUPERVISOR user, signed in. */
export async function staff(app: App, role: Role.DISPATCHER | Role.SUPERVISOR = Role.DISPATCHER): Promise<{ id: string; username: string; token: string }> {
  const username = unique(role.toLowerCase());
  const user = await app.services.auth.createUser(app.orm.em.fork(), { username, password: PASSWORD, role });
  return { id: user.id, username, token: await login(app, username) };
}

export interface CrewOverrides {
  name?: string;
  department?: string;
  municipality?: string;
  onDuty?: boolean;
  lat?: number;
  lng?: number;
}

/** A crew (on duty in Al Khobar by default) with its own signed-in user. */
export async function crew(app: App, overrides: CrewOverrides = {}): Promise<{ id: string; name: string; username: string; token: string }> {
  const row = await crewRow(app, overrides);
  const username = unique('crewuser');
  await app.services.auth.createUser(app.orm.em.fork(), { username, password: PASSWORD, role: Role.CREW, crewId: row.id });
  return { id: row.id, name: row.name, username, token: await login(app, username) };
}

/** An INTAKE or INTEGRATOR key. */
export async function apiKey(app: App, role: Role.INTAKE | Role.INTEGRATOR): Promise<string> {
  const key = `test-key-${randomUUID()}`;
  await app.services.auth.createApiKey(app.orm.em.fork(), { name: unique(role.toLowerCase()), key, role });
  return key;
}

export interface ReportInput {
  idempotencyKey?: string;
  kind?: string;
  channel?: string;
  categoryCode?: string;
  description?: string;
  location?: { lat: number; lng: number; address?: string; municipalityCode?: string };
  reporter?: { name?: string; phone?: string; beneficiaryType?: string } | null;
}

export const REPORT_FIELDS =
  'id reference status priority version targetAt receivedAt kind channel category { code } location { lat lng municipality { code } } reporter { name phone beneficiaryType }';

/** A server enum as it arrives in JSON: the union of its values, so a test compares it with a plain string. */
export type Wire<E extends string> = `${E}`;

/** A report as REPORT_FIELDS selects it (times as the ISO strings JSON carries). */
export interface FiledReport {
  id: string;
  reference: string;
  status: Wire<ReportStatus>;
  priority: Wire<Priority>;
  version: number;
  targetAt: string;
  receivedAt: string;
  kind: Wire<ReportKind>;
  channel: Wire<Channel>;
  category: { code: string };
  location: { lat: number; lng: number; municipality: { code: string } };
  reporter: { name: string | null; phone: string | null; beneficiaryType: Wire<BeneficiaryType> | null };
}

/** An assignment as ASSIGNMENT_FIELDS selects it. */
export interface AssignmentResult {
  id: string;
  status: Wire<AssignmentStatus>;
  version: number;
  note: string | null;
  report: { id: string; status: Wire<ReportStatus>; version: number };
  crew: { id: string; status: Wire<CrewStatus> };
}

/** A valid createReport input (a pothole in Al Khobar), with overrides. */
export function reportInput(overrides: ReportInput = {}): ReportInput {
  return {
    idempotencyKey: randomUUID(),
    kind: 'INCIDENT',
    channel: 'BALAGHATI_APP',
    categoryCode: 'POTHOLE',
    description: 'حفرة عميقة في الطريق',
    location: { lat: 26.2794, lng: 50.2083, address: 'King Khalid St' },
    reporter: { name: 'Sara Al-Harbi', phone: '+966551234567', beneficiaryType: 'CITIZEN' },
    ...overrides,
  };
}

/** Files a report through GraphQL and returns it. */
export async function fileReport(app: App, token: string, overrides: ReportInput = {}): Promise<FiledReport> {
  const data = await ok<{ createReport: FiledReport }>(app, `mutation($input: CreateReportInput!) { createReport(input: $input) { ${REPORT_FIELDS} } }`, { input: reportInput(overrides) }, token);
  return data.createReport;
}

/**
 * A crew row without a user (on duty in Al Khobar by default): for tests where only a dispatcher acts
 * on the crew, so no password has to be hashed.
 */
export async function crewRow(app: App, overrides: CrewOverrides = {}): Promise<{ id: string; name: string }> {
  const em = app.orm.em.fork();
  const row = new Crew();
  row.nameAr = overrides.name ?? unique('crew');
  row.nameEn = row.nameAr;
  row.department = em.getReference(Department, overrides.department ?? 'ROADS_LIGHTING');
  row.municipality = em.getReference(Municipality, overrides.municipality ?? 'KHOBAR');
  row.skills = ['POTHOLE'];
  row.onDuty = overrides.onDuty ?? true;
  row.lat = overrides.lat ?? 26.28;
  row.lng = overrides.lng ?? 50.2;
  row.locationAt = new Date();
  await em.persist(row).flush();
  return { id: row.id, name: row.nameAr };
}

export const ASSIGNMENT_FIELDS = 'id status version note report { id status version } crew { id status }';

/** A dispatcher gives the report to the crew; returns the new assignment. */
export async function assign(app: App, token: string, reportId: string, crewId: string): Promise<AssignmentResult> {
  const data = await ok<{ assignReport: AssignmentResult }>(
    app,
    `mutation($input: AssignReportInput!) { assignReport(input: $input) { ${ASSIGNMENT_FIELDS} } }`,
    { input: { reportId, crewId } },
    token,
  );
  return data.assignReport;
}

/** The crew (or a dispatcher on its behalf) reports progress; a note is always sent, as DECLINED and COMPLETED need one. */
export async function progress(app: App, token: string, assignmentId: string, status: Wire<AssignmentStatus>, note = `${status.toLowerCase()} by test`): Promise<AssignmentResult> {
  const data = await ok<{ updateAssignmentStatus: AssignmentResult }>(
    app,
    `mutation($input: UpdateAssignmentStatusInput!) { updateAssignmentStatus(input: $input) { ${ASSIGNMENT_FIELDS} } }`,
    { input: { assignmentId, status, note } },
    token,
  );
  return data.updateAssignmentStatus;
}

/** Runs SQL against the test database (for asserting what was, or was not, written); `T` is the row the statement selects. */
export async function sql<T extends object = Record<string, unknown>>(app: App, query: string, params: unknown[] = []): Promise<T[]> {
  return app.orm.em.fork().getConnection().execute<T[]>(query, params);
}

/** How many rows a `select count(*) as n ...` statement counts. */
export async function count(app: App, query: string, params: unknown[] = []): Promise<number> {
  const [row] = await sql<{ n: string | number }>(app, query, params);
  return Number(row.n);
}
