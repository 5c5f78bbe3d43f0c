import { Role } from '../auth/auth.enums.js';
import { crewHoldsReport } from '../assignments/assignments.enums.js';
import type { AssignmentView } from '../assignments/assignments.types.js';
import { isStaff, maskName, maskPhone, principalOf, type Viewer } from '../auth/viewer.js';
import type { Report, TimelineEntry } from './reports.entity.js';
import { OPEN_STATUSES, type ReportStatus } from './reports.enums.js';
import { asView } from '../common/view-type.js';
import { ReportLocationView, ReportView, type ReporterView, type TimelineEntryView } from './reports.types.js';

/** The one mapping of a report row to its API shape (and event snapshot). */
export function toReportView(report: Report): ReportView {
  return asView(ReportView, {
    id: report.id,
    reference: report.reference,
    kind: report.kind,
    channel: report.channel,
    priority: report.priority,
    status: report.status,
    description: report.description,
    receivedAt: report.receivedAt,
    targetAt: report.targetAt,
    updatedAt: report.updatedAt,
    version: report.version,
    rejectionReason: report.rejectionReason ?? null,
    referredTo: report.referredTo ?? null,
    categoryCode: report.category.code,
    municipalityCode: report.municipality.code,
    lat: report.lat,
    lng: report.lng,
    address: report.address ?? null,
    reporterName: report.reporterName ?? null,
    reporterPhone: report.reporterPhone ?? null,
    beneficiaryType: report.beneficiaryType ?? null,
    submittedBy: report.submittedBy,
    duplicateOfId: report.duplicateOf?.id ?? null,
  });
}

/** The `report` column behind each property of a ReportView. */
const REPORT_VIEW_COLUMNS: Record<keyof ReportView, string> = {
  id: 'id',
  reference: 'reference',
  kind: 'kind',
  channel: 'channel',
  priority: 'priority',
  status: 'status',
  description: 'description',
  receivedAt: 'received_at',
  targetAt: 'target_at',
  updatedAt: 'updated_at',
  version: 'version',
  rejectionReason: 'rejection_reason',
  referredTo: 'referred_to',
  categoryCode: 'category_code',
  municipalityCode: 'municipality_code',
  lat: 'lat',
  lng: 'lng',
  address: 'address',
  reporterName: 'reporter_name',
  reporterPhone: 'reporter_phone',
  beneficiaryType: 'beneficiary_type',
  submittedBy: 'submitted_by',
  duplicateOfId: 'duplicate_of_id',
};

/**
 * The view properties each field of the GraphQL `Report` type reads, for lists that read only what their
 * page asks for. A field missing here (one added later) makes `reportPropertiesFor` read everything, so
 * a forgotten entry costs speed, never a wrong answer; a test asks for every field alone.
 */
const FIELD_READS: Record<string, readonly (keyof ReportView)[]> = {
  __typename: [],
  id: ['id'],
  reference: ['reference'],
  kind: ['kind'],
  channel: ['channel'],
  priority: ['priority'],
  status: ['status'],
  description: ['description'],
  receivedAt: ['receivedAt'],
  targetAt: ['targetAt'],
  updatedAt: ['updatedAt'],
  version: ['version'],
  rejectionReason: ['rejectionReason'],
  referredTo: ['referredTo'],
  category: ['categoryCode'],
  location: ['lat', 'lng', 'address', 'municipalityCode'],
  reporter: ['reporterName', 'reporterPhone', 'beneficiaryType'],
  overdue: ['status', 'targetAt'],
  activeAssignment: ['id'],
  assignments: ['id'],
  timeline: ['id', 'submittedBy'],
  duplicateOf: ['duplicateOfId'],
};

/** The view properties that the selected `Report` fields read (id and targetAt always), or null for all of them. */
export function reportPropertiesFor(fields: Iterable<string>): Set<keyof ReportView> | null {
  const properties = new Set<keyof ReportView>(['id', 'targetAt']);
  for (const field of fields) {
    const reads = FIELD_READS[field];
    if (!reads) return null;
    for (const property of reads) properties.add(property);
  }
  return properties;
}

/**
 * The columns of the report row `r` that make its view (all, or the given properties), under the view's
 * property names, for reads that build views straight from rows instead of hydrating entities (the
 * queue); `reviveReportView` finishes a row of them as it finishes an event's snapshot.
 */
export function reportViewColumnsSql(r: string, properties: Iterable<keyof ReportView> | null = null): string {
  const names = properties ? [...properties] : (Object.keys(REPORT_VIEW_COLUMNS) as (keyof ReportView)[]);
  return names.map((name) => `${r}.${REPORT_VIEW_COLUMNS[name]} as "${name}"`).join(', ');
}

/**
 * A report view from its plain form: an event's JSON snapshot, or a row of `reportViewColumnsSql` (dates
 * as text, and only the columns it selected).
 */
export function reviveReportView(json: ReportView): ReportView {
  const view = asView(ReportView, json);
  if (json.receivedAt !== undefined) view.receivedAt = new Date(json.receivedAt);
  if (json.targetAt !== undefined) view.targetAt = new Date(json.targetAt);
  if (json.updatedAt !== undefined) view.updatedAt = new Date(json.updatedAt);
  return view;
}

/** Where the report is; its municipality is resolved from the code. */
export function toReportLocationView(report: ReportView): ReportLocationView {
  return asView(ReportLocationView, { lat: report.lat, lng: report.lng, address: report.address ?? null, municipalityCode: report.municipalityCode });
}

/** Integrators see the reporter masked; every other role that can read the report sees it whole. */
export function toReporterView(report: ReportView, viewer: Viewer | null): ReporterView {
  const masked = viewer?.role === Role.INTEGRATOR;
  return {
    name: masked ? maskName(report.reporterName) : (report.reporterName ?? null),
    phone: masked ? maskPhone(report.reporterPhone) : (report.reporterPhone ?? null),
    beneficiaryType: report.beneficiaryType ?? null,
  };
}

/** Open and past its target time. */
export function isOverdue(report: Pick<ReportView, 'status' | 'targetAt'>, now: Date = new Date()): boolean {
  return OPEN_STATUSES.includes(report.status) && report.targetAt.getTime() < now.getTime();
}

/** The action an intake key sees for every line: it learns that the status changed, not why or through whom. */
export const PUBLIC_TIMELINE_ACTION = 'STATUS_CHANGED';

/** The codes of a line without who or why: what an integrator sees, and a crew of another crew's work. */
function timelineCodes(entry: TimelineEntry): TimelineEntryView {
  return {
    at: entry.at,
    actor: null,
    action: entry.action,
    fromStatus: (entry.fromStatus as ReportStatus | null) ?? null,
    toStatus: (entry.toStatus as ReportStatus | null) ?? null,
    note: null,
  };
}

/**
 * The one audience rule of the timeline, for the `Report.timeline` field wherever the report comes from
 * (queries, mutation results, subscription events):
 * - staff see every line whole;
 * - an intake key, for a report it filed, the public status history: the lines that changed the status,
 *   with their times and statuses only (no usernames, notes or crew names, and STATUS_CHANGED as action);
 * - an integrator codes, statuses and times, never the actor or the note: notes are free text that may
 *   carry a reporter's personal data, as the reporter's name and phone, which integrators see masked;
 * - a crew, for a report it holds (`crewHoldsReport`), the report's own lines and its own assignments'
 *   lines whole, and other crews' lines as codes, so it learns neither their names nor their notes.
 * Everyone else, and a crew that declined or whose assignment was cancelled, sees no line.
 * `assignments` are the report's assignments; only a crew's view reads them.
 */
export function visibleTimeline(viewer: Viewer, report: Pick<ReportView, 'submittedBy'>, entries: readonly TimelineEntry[], assignments: readonly AssignmentView[]): TimelineEntryView[] {
  if (isStaff(viewer)) return entries.map((entry) => ({ ...timelineCodes(entry), actor: entry.actor, note: entry.note ?? null }));
  if (viewer.role === Role.INTEGRATOR) return entries.map(timelineCodes);
  if (viewer.role === Role.INTAKE) {
    if (report.submittedBy !== principalOf(viewer)) return [];
    return entries.filter((entry) => entry.toStatus).map((entry) => ({ ...timelineCodes(entry), action: PUBLIC_TIMELINE_ACTION }));
  }
  if (viewer.role !== Role.CREW || !crewHoldsReport(viewer.crewId, assignments)) return [];
  const own = new Set(assignments.filter((assignment) => assignment.crewId === viewer.crewId).map((assignment) => assignment.id));
  return entries.map((entry) => (!entry.assignmentId || own.has(entry.assignmentId) ? { ...timelineCodes(entry), actor: entry.actor, note: entry.note ?? null } : timelineCodes(entry)));
}
