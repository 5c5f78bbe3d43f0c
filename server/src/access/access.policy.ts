import type { AuthChecker } from 'type-graphql';
import { ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus, WORKING_ASSIGNMENT_STATUSES } from '../assignments/assignments.enums.js';
import { MediaKind, MediaVariant } from '../media/media.enums.js';
import { KEY_ROLES, Role, STAFF_ROLES, USER_ROLES } from './access.roles.js';
import { principalOf, type Viewer } from './access.viewer.js';
import { forbidden, unauthenticated } from '../common/errors.js';

const { AGENT, CREW, INTAKE, INTEGRATOR, SUPERVISOR } = Role;
const STAFF = STAFF_ROLES;
/** The satisfaction center's work: agents, and the supervisor who runs them. */
const CENTER: readonly Role[] = [AGENT, SUPERVISOR];
/** Who sees the center's follow-ups and their results: staff and agents (never crews, gateways or integrators). */
const FOLLOW_UP_READERS: readonly Role[] = [...STAFF, AGENT];
/** Every role: any signed-in user or API key. */
const SIGNED_IN: readonly Role[] = [...USER_ROLES, ...KEY_ROLES];
/** Signed-in users (API keys have no session to renew or end). */
const USERS = USER_ROLES;
/**
 * Who announces that they have a report open and sees who else has (issue 13): the people at the center who take a
 * report in hand, so two of them do not handle one call. Never a crew, a gateway or an integrator: it says who
 * works on what inside the center.
 */
const PRESENCE: readonly Role[] = [...STAFF, AGENT];
/**
 * Who reads the performance indicators (issue 14): supervisors steer by them, dispatchers and the satisfaction
 * center's agents watch them, and integrators' keys (the ministry's dashboards) may too, since aggregates carry no
 * personal data (a group of fewer than 5 reached follow-ups hides its satisfaction figures). Never a crew or a gateway.
 */
const INDICATOR_READERS: readonly Role[] = [...STAFF, AGENT, INTEGRATOR];

/**
 * Who may call each operation of the API, one row per root field: the resolvers declare these with
 * `@Authorized(...OPERATIONS.x)` and the subscription's admission checks its row, so the role an
 * operation needs is written here and nowhere else (the authorization matrix test runs against this
 * table, and a schema test fails on a root field without a row). `login` is open to anyone and has no row.
 * What an allowed caller then sees is the audience rules below.
 */
export const OPERATIONS = {
  me: SIGNED_IN,
  renewToken: USERS,
  logout: USERS,
  categories: SIGNED_IN,
  municipalities: SIGNED_IN,
  departments: SIGNED_IN,
  reports: SIGNED_IN,
  report: SIGNED_IN,
  reportByReference: SIGNED_IN,
  createReport: [...STAFF, INTAKE, AGENT],
  triageReport: STAFF,
  closeReport: STAFF,
  rejectReport: STAFF,
  markDuplicate: STAFF,
  dismissDuplicate: STAFF,
  acknowledgeReport: STAFF,
  reopenReport: STAFF,
  crews: [...STAFF, CREW, INTEGRATOR],
  crew: [...STAFF, CREW, INTEGRATOR],
  setCrewOnDuty: [...STAFF, CREW],
  updateCrewLocation: [CREW],
  assignReport: STAFF,
  suggestCrews: STAFF,
  updateAssignmentStatus: [...STAFF, CREW],
  cancelAssignment: STAFF,
  /** A crew's own day (its current job, queue and finished jobs): crews only, each sees its own. */
  myJobs: [CREW],
  dispatchEvents: [...STAFF, CREW, INTEGRATOR, AGENT],
  followUps: FOLLOW_UP_READERS,
  followUpCounts: FOLLOW_UP_READERS,
  claimNextFollowUp: CENTER,
  releaseFollowUp: CENTER,
  recordFollowUpAttempt: CENTER,
  answerInquiry: FOLLOW_UP_READERS,
  addReportNote: FOLLOW_UP_READERS,
  reporterHistory: FOLLOW_UP_READERS,
  attachMedia: [...STAFF, INTAKE],
  viewingReport: PRESENCE,
  reportPresence: PRESENCE,
  indicatorDefinitions: INDICATOR_READERS,
  indicators: INDICATOR_READERS,
  indicatorSeries: INDICATOR_READERS,
  /** `POST /media` (an HTTP endpoint beside GraphQL, not a root field): gateways, call-takers and crews. */
  uploadMedia: [...STAFF, INTAKE, CREW],
} as const satisfies Record<string, readonly Role[]>;

export type Operation = keyof typeof OPERATIONS;

/** Whether the viewer's role may call `operation`. */
export function mayCall(viewer: Viewer | null, operation: Operation): boolean {
  return !!viewer && (OPERATIONS[operation] as readonly Role[]).includes(viewer.role);
}

/** The viewer when its role may call `operation`: UNAUTHENTICATED without one, FORBIDDEN for another role. */
export function authorize(viewer: Viewer | null, operation: Operation): Viewer {
  return requireRoles(viewer, OPERATIONS[operation]);
}

function requireRoles(viewer: Viewer | null, roles: readonly Role[]): Viewer {
  if (!viewer) throw unauthenticated();
  if (!roles.includes(viewer.role)) throw forbidden(`${viewer.role} may not do this; it needs one of ${roles.join(', ')}`);
  return viewer;
}

/** type-graphql's check for `@Authorized(...roles)`: the same errors as `authorize`, thrown before the resolver runs. */
export const authChecker: AuthChecker<{ viewer: Viewer | null }, Role> = ({ context }, roles) => {
  requireRoles(context.viewer, roles);
  return true;
};

/** Staff run the center: they see every line whole and may record anything on a crew's behalf. */
/** Whether the viewer sees follow-ups and their results (staff and agents), and reads reports as staff do. */
export function seesFollowUps(viewer: Viewer | null): boolean {
  return !!viewer && FOLLOW_UP_READERS.includes(viewer.role);
}

export function isStaff(viewer: Viewer): boolean {
  return STAFF.includes(viewer.role);
}

/**
 * A crew holds a report while it has an assignment on it in one of these: active, or completed (its finished
 * work stays visible). A DECLINED or CANCELLED assignment gives nothing: the crew loses the report, its
 * fields and its events at once.
 */
export const CREW_ACCESS_ASSIGNMENT_STATUSES: readonly AssignmentStatus[] = [...ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus.COMPLETED];

/** `column in ('A', 'B', …)` for a set of enum values (constants of this code, so quoting them is safe). */
export function inSql(column: string, values: readonly string[]): string {
  return `${column} in (${values.map((value) => `'${value}'`).join(', ')})`;
}

/**
 * Which reports a viewer reads: staff and integrators every one (integrators with the reporter masked),
 * an intake key what it filed, a crew what it holds (CREW_ACCESS_ASSIGNMENT_STATUSES), anyone else none.
 * One rule, three uses: `allows` checks one report, `sql` filters a list in the database, and the
 * outbox stores `reportHoldersSql`'s crews with each report event so the fan-out decides the same way.
 */
export type ReportAudience = { kind: 'all' } | { kind: 'filed'; submittedBy: string } | { kind: 'held'; crewId: string } | { kind: 'none' };

export function reportAudience(viewer: Viewer): ReportAudience {
  if (seesFollowUps(viewer) || viewer.role === INTEGRATOR) return { kind: 'all' };
  if (viewer.role === INTAKE) return { kind: 'filed', submittedBy: principalOf(viewer) };
  if (viewer.role === CREW && viewer.crewId) return { kind: 'held', crewId: viewer.crewId };
  return { kind: 'none' };
}

/** Whether the viewer's audience is every report, so a check needs no facts about the report. */
export function readsEveryReport(viewer: Viewer): boolean {
  return reportAudience(viewer).kind === 'all';
}

/** The facts about one report the audience rule reads: who filed it and its assignments. */
export interface ReportFacts {
  submittedBy: string;
  assignments: readonly { crewId: string; status: AssignmentStatus }[];
}

/** Whether crew `crewId` holds a report with these assignments. */
export function crewHolds(crewId: string | null, assignments: ReportFacts['assignments']): boolean {
  return !!crewId && assignments.some((assignment) => assignment.crewId === crewId && CREW_ACCESS_ASSIGNMENT_STATUSES.includes(assignment.status));
}

/** The audience rule for one report whose facts are in hand. */
export function reportAudienceAllows(audience: ReportAudience, report: ReportFacts): boolean {
  switch (audience.kind) {
    case 'all':
      return true;
    case 'filed':
      return report.submittedBy === audience.submittedBy;
    case 'held':
      return crewHolds(audience.crewId, report.assignments);
    case 'none':
      return false;
  }
}

/**
 * The audience rule as an SQL condition on the report whose row is `r` (its `id` and `submitted_by`),
 * with its parameters: what a list reads, and what a single read asks of one row.
 */
export function reportAudienceSql(audience: ReportAudience, r: string): { sql: string; params: unknown[] } {
  switch (audience.kind) {
    case 'all':
      return { sql: 'true', params: [] };
    case 'filed':
      return { sql: `${r}.submitted_by = ?`, params: [audience.submittedBy] };
    case 'held':
      return { sql: `exists (select 1 from assignment s where s.report_id = ${r}.id and s.crew_id = ? and ${inSql('s.status', CREW_ACCESS_ASSIGNMENT_STATUSES)})`, params: [audience.crewId] };
    case 'none':
      return { sql: 'false', params: [] };
  }
}

/** The crews holding the report whose id is bound to `?`, as `crew_id` rows: who a report event is for besides staff and integrators. */
export const REPORT_HOLDERS_SQL = `select distinct crew_id from assignment where report_id = ? and ${inSql('status', CREW_ACCESS_ASSIGNMENT_STATUSES)}`;

/**
 * Which assignments (and through them a crew's name and position) a viewer sees: staff and integrators
 * every one, a crew only its own, and on a report it no longer holds none (it declined or was taken off),
 * though a mutation or event may still hand it that report; an intake key none (it reads the status of
 * what it filed, not who works on it).
 */
export function seesAssignment(viewer: Viewer, assignment: { crewId: string }): boolean {
  if (seesFollowUps(viewer) || viewer.role === INTEGRATOR) return true;
  return viewer.role === CREW && !!viewer.crewId && assignment.crewId === viewer.crewId;
}

/** What the viewer sees of a report's assignments (all of them), by `seesAssignment` and, for a crew, only while it holds the report. */
export function visibleAssignments<A extends { crewId: string; status: AssignmentStatus }>(viewer: Viewer, assignments: readonly A[]): A[] {
  if (viewer.role === CREW && !crewHolds(viewer.crewId, assignments)) return [];
  return assignments.filter((assignment) => seesAssignment(viewer, assignment));
}

/** Which crews a viewer sees: a crew itself alone, staff and integrators every one. */
export function crewAudience(viewer: Viewer): { kind: 'all' } | { kind: 'own'; crewId: string } {
  if (viewer.role === CREW) return { kind: 'own', crewId: viewer.crewId ?? '00000000-0000-0000-0000-000000000000' };
  return { kind: 'all' };
}

/** Whether a crew may change a crew's duty: staff any, a crew its own. */
export function mayManageCrew(viewer: Viewer, crewId: string): boolean {
  return isStaff(viewer) || (viewer.role === CREW && viewer.crewId === crewId);
}

/** Whether a viewer may move an assignment on: staff anything, its crew anything but CANCELLED (the dispatcher's). */
export function mayMoveAssignment(viewer: Viewer, assignment: { crewId: string }, to: AssignmentStatus): boolean {
  if (isStaff(viewer)) return true;
  return viewer.role === CREW && to !== AssignmentStatus.CANCELLED && assignment.crewId === viewer.crewId;
}

/**
 * Who learns of a report's possible duplicates (`Report.possibleDuplicates`), given that it reads the report:
 * staff, agents, integrators, and the INTAKE key that filed it, which quotes "already reported as 940-…" to its
 * citizen. What each suggestion says on its own (reference, status, distance, minutes apart) is no one's
 * personal data; the other report itself (`PossibleDuplicate.report`) is shown only under `reportAudience`, so an
 * intake key never reads another sender's reporter, description or photos through it. Crews get none: merging
 * is the dispatcher's call, and a crew learns nothing of reports it does not hold.
 */
export function seesDuplicateHints(viewer: Viewer): boolean {
  return viewer.role !== CREW;
}

/** Integrators see the reporter's name and phone masked; every other role that reads the report sees them whole (a crew's phone: `seesReporterPhone`). */
export function masksReporter(viewer: Viewer | null): boolean {
  return viewer?.role === INTEGRATOR;
}

/**
 * Whether the viewer may look reports up by the reporter's phone (`ReportFilter.reporterPhone`): only roles that
 * see every readable report's phone whole. An integrator (phones masked) or a crew (a phone only while under way)
 * could otherwise learn which reports a given number filed from which ones a filter returns.
 */
export function mayFindByReporterPhone(viewer: Viewer): boolean {
  return !masksReporter(viewer) && viewer.role !== CREW;
}

/**
 * Whether the viewer sees the reporter's phone on a report whose active assignment is `active` (undefined or
 * null: none). A crew only while that assignment is its own and under way (WORKING_ASSIGNMENT_STATUSES: EN_ROUTE
 * or ON_SITE, when it may need to call to find the spot or get in): not on an offer it may
 * still decline, not on a job it has merely queued, never on another crew's, and no longer once the job is
 * completed, declined or taken back (a citizen's number is not a crew's to keep). Every other role that reads
 * the report sees it, integrators masked (`masksReporter`).
 */
export function seesReporterPhone(viewer: Viewer | null, active: { crewId: string; status: AssignmentStatus } | null | undefined): boolean {
  if (viewer?.role !== CREW) return !!viewer;
  return !!active && !!viewer.crewId && active.crewId === viewer.crewId && WORKING_ASSIGNMENT_STATUSES.includes(active.status);
}

/**
 * Which outbox events a subscriber sees. Staff and integrators every one; a crew those whose stored
 * `crewIds` name it: the crews holding the report when a report event was written (`REPORT_HOLDERS_SQL`,
 * the same rule as `reportAudience`), the assignment's crew for an assignment event, the crew itself for
 * a crew event (`eventCrews`).
 */
export function eventAudience(viewer: Viewer): { kind: 'all'; center: boolean } | { kind: 'crew'; crewId: string } {
  if (viewer.role === CREW) return { kind: 'crew', crewId: viewer.crewId ?? 'none' };
  return { kind: 'all', center: seesFollowUps(viewer) };
}

/** Event types only follow-up readers receive (a crew's events name crews, so it never gets these either). */
export const CENTER_EVENT_TYPES: ReadonlySet<string> = new Set(['FOLLOWUP_CREATED', 'FOLLOWUP_UPDATED']);

export function eventAudienceAllows(audience: ReturnType<typeof eventAudience>, event: { crewIds: readonly string[]; type?: string }): boolean {
  if (event.type !== undefined && CENTER_EVENT_TYPES.has(event.type)) return audience.kind === 'all' && audience.center;
  return audience.kind === 'all' || event.crewIds.includes(audience.crewId);
}

/** The crews an event is for, from what it carries: its crew, its assignment's crew, or else its report's holders. */
export function eventCrews(payload: { assignment?: { crewId: string }; crew?: { id: string } }, reportHolders: readonly string[] = []): string[] {
  if (payload.crew) return [payload.crew.id];
  if (payload.assignment) return [payload.assignment.crewId];
  return [...reportHolders];
}

/** The facts about one media file that decide who fetches which of its copies. */
export interface MediaFacts {
  kind: MediaKind;
  uploadedBy: string;
  /** Who filed the report it is attached to; null while unattached. */
  reportSubmittedBy: string | null;
  /** Whether the viewer's crew has an active assignment on that report now. */
  heldNowByViewerCrew: boolean;
}

const PHOTO_COPIES: readonly MediaVariant[] = [MediaVariant.ORIGINAL, MediaVariant.DISPLAY, MediaVariant.THUMB];
const VOICE_COPIES: readonly MediaVariant[] = [MediaVariant.ORIGINAL];
/** What leaves the building without staff rights: a photo's display copy and thumbnail, metadata stripped (no GPS of a home). */
const SHARED_PHOTO_COPIES: readonly MediaVariant[] = [MediaVariant.DISPLAY, MediaVariant.THUMB];

/**
 * The copies of a media file the viewer may fetch (none: it may not see the file at all). Staff: every
 * copy of everything (the original too, with its metadata). The uploader: every copy of what it uploaded.
 * An INTAKE key: also the media of reports it filed. A crew: the media of reports assigned to it now
 * (photos as the stripped copies). An integrator: attached photos' stripped copies, never a voice note (a
 * citizen's voice is personal data) and never an original. One rule for the GraphQL fields (which media a
 * report lists, which links they carry) and for `GET /media/:id/:variant`.
 */
export function mediaVariants(viewer: Viewer, media: MediaFacts): readonly MediaVariant[] {
  const all = media.kind === MediaKind.PHOTO ? PHOTO_COPIES : VOICE_COPIES;
  if (seesFollowUps(viewer) || principalOf(viewer) === media.uploadedBy) return all;
  if (media.reportSubmittedBy === null) return [];
  if (viewer.role === INTAKE) return media.reportSubmittedBy === principalOf(viewer) ? all : [];
  if (viewer.role === CREW) return media.heldNowByViewerCrew ? (media.kind === MediaKind.PHOTO ? SHARED_PHOTO_COPIES : VOICE_COPIES) : [];
  if (viewer.role === INTEGRATOR) return media.kind === MediaKind.PHOTO ? SHARED_PHOTO_COPIES : [];
  return [];
}

/** Whether the viewer may attach media to a report it can read: staff, or the INTAKE key that filed it (a citizen's follow-up photo). */
export function mayAttachMedia(viewer: Viewer, report: { submittedBy: string }): boolean {
  return isStaff(viewer) || (viewer.role === INTAKE && report.submittedBy === principalOf(viewer));
}
