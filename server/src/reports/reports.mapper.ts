import { masksReporter } from '../access/access.policy.js';
import { maskName, maskPhone, type Viewer } from '../auth/viewer.js';
import type { Report } from './reports.entity.js';
import { OPEN_STATUSES, PRIORITY_RANK } from './reports.enums.js';
import { asView } from '../common/view-type.js';
import { ReportLocationView, ReportView, type ReporterView } from './reports.types.js';

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
  open: ['status'],
  queueKey: ['priority', 'targetAt', 'id'],
  allowedActions: ['status', 'kind'],
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

/** The reporter as `viewer` may see them (`masksReporter`). */
export function toReporterView(report: ReportView, viewer: Viewer | null): ReporterView {
  const masked = masksReporter(viewer);
  return {
    name: masked ? maskName(report.reporterName) : (report.reporterName ?? null),
    phone: masked ? maskPhone(report.reporterPhone) : (report.reporterPhone ?? null),
    beneficiaryType: report.beneficiaryType ?? null,
  };
}

/** In the center's open work: the dispatcher's queue (OPEN_STATUSES). */
export function isOpen(report: Pick<ReportView, 'status'>): boolean {
  return OPEN_STATUSES.includes(report.status);
}

/** Open and past its target time. */
export function isOverdue(report: Pick<ReportView, 'status' | 'targetAt'>, now: Date = new Date()): boolean {
  return isOpen(report) && report.targetAt.getTime() < now.getTime();
}

/**
 * The report's place in the queue as one string: compared as plain strings (code units), keys sort exactly
 * as the list does, `(priority_rank, target_at, id)` (QUEUE_ORDER_SQL), so a client keeps its queue in the
 * server's order, ties included, without knowing the ranks. Priority rank is one digit, the target an ISO
 * 8601 UTC instant of fixed width, the id a lower-case UUID (PostgreSQL orders uuids bytewise, as their text).
 */
export function queueKey(report: Pick<ReportView, 'priority' | 'targetAt' | 'id'>): string {
  return `${PRIORITY_RANK[report.priority]}|${report.targetAt.toISOString()}|${report.id}`;
}

/** The queue's order in SQL on the report row `r`: what `queueKey` sorts by, and what the queue's indexes hold. */
export function queueOrderSql(r: string): string {
  return `${r}.priority_rank, ${r}.target_at, ${r}.id`;
}
