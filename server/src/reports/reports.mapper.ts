import { masksReporter, seesReporterPhone } from '../access/access.policy.js';
import type { AssignmentStatus } from '../assignments/assignments.enums.js';
import { maskName, maskPhone, type Viewer } from '../access/access.viewer.js';
import { ReadModel } from '../common/read-model.js';
import type { ReportSnapshotV1 } from '../outbox/outbox.map.js';
import { Report } from './reports.entity.js';
import { OPEN_STATUSES, PRIORITY_RANK } from './reports.enums.js';
import { asView } from '../common/view-type.js';
import { ReportLocationView, ReportView, type ReporterView } from './reports.types.js';

/**
 * Where each property of a report's view comes from on the entity: the one mapping of a report to its API
 * shape, for a hydrated entity (`toReportView`) and for rows read straight from SQL (the queue page), whose
 * columns come from the entity's metadata.
 */
export const REPORT_READ = new ReadModel<Report, ReportView>(Report, ReportView, {
  id: 'id',
  reference: 'reference',
  kind: 'kind',
  channel: 'channel',
  priority: 'priority',
  status: 'status',
  description: 'description',
  receivedAt: 'receivedAt',
  targetAt: 'targetAt',
  updatedAt: 'updatedAt',
  version: 'version',
  rejectionReason: 'rejectionReason',
  referredTo: 'referredTo',
  categoryCode: 'category',
  municipalityCode: 'municipality',
  lat: 'lat',
  lng: 'lng',
  address: 'address',
  reporterName: 'reporterName',
  reporterPhone: 'reporterPhone',
  beneficiaryType: 'beneficiaryType',
  submittedBy: 'submittedBy',
  duplicateOfId: 'duplicateOf',
  answer: 'answer',
  reopenedAfterFollowUpAt: 'reopenedAfterFollowUpAt',
  acknowledgedAt: 'acknowledgedAt',
  acknowledgedBy: 'acknowledgedBy',
});

export function toReportView(report: Report): ReportView {
  return REPORT_READ.fromEntity(report);
}

/** The report as an event stores it (version 1). */
export function toReportSnapshot(report: Report): ReportSnapshotV1 {
  const view = toReportView(report);
  return {
    ...view,
    receivedAt: view.receivedAt.toISOString(),
    targetAt: view.targetAt.toISOString(),
    updatedAt: view.updatedAt.toISOString(),
    reopenedAfterFollowUpAt: view.reopenedAfterFollowUpAt ? view.reopenedAfterFollowUpAt.toISOString() : null,
    acknowledgedAt: view.acknowledgedAt ? view.acknowledgedAt.toISOString() : null,
    acknowledgedBy: view.acknowledgedBy,
  };
}

/** Today's view of a report an event stored (version 1). */
export function fromReportSnapshot(snapshot: ReportSnapshotV1): ReportView {
  return asView(ReportView, {
    ...snapshot,
    receivedAt: new Date(snapshot.receivedAt),
    targetAt: new Date(snapshot.targetAt),
    updatedAt: new Date(snapshot.updatedAt),
    // Written before the satisfaction center: no answer, never reopened by a follow-up.
    answer: snapshot.answer ?? null,
    reopenedAfterFollowUpAt: snapshot.reopenedAfterFollowUpAt ? new Date(snapshot.reopenedAfterFollowUpAt) : null,
    // Written before acknowledgement was a server fact (issue 13): not acknowledged.
    acknowledgedAt: snapshot.acknowledgedAt ? new Date(snapshot.acknowledgedAt) : null,
    acknowledgedBy: snapshot.acknowledgedBy ?? null,
  });
}

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
  answer: ['answer'],
  reopenedAfterFollowUp: ['reopenedAfterFollowUpAt'],
  followUp: ['id'],
  activeAssignment: ['id'],
  assignments: ['id'],
  timeline: ['id', 'submittedBy'],
  media: ['id', 'submittedBy'],
  duplicateOf: ['duplicateOfId'],
  possibleDuplicates: ['id'],
  acknowledgedAt: ['acknowledgedAt'],
  acknowledgedBy: ['acknowledgedBy'],
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

/** Where the report is; its municipality is resolved from the code. */
export function toReportLocationView(report: ReportView): ReportLocationView {
  return asView(ReportLocationView, { lat: report.lat, lng: report.lng, address: report.address ?? null, municipalityCode: report.municipalityCode });
}

/**
 * The reporter as `viewer` may see them: masked for integrators (`masksReporter`), the phone only where
 * `seesReporterPhone` allows it given the report's active assignment `active` (null: none), and null otherwise.
 */
export function toReporterView(report: ReportView, viewer: Viewer | null, active: { crewId: string; status: AssignmentStatus } | null | undefined): ReporterView {
  const masked = masksReporter(viewer);
  return {
    name: masked ? maskName(report.reporterName) : (report.reporterName ?? null),
    phone: phoneFor(report, viewer, masked, active),
    beneficiaryType: report.beneficiaryType ?? null,
  };
}

function phoneFor(report: ReportView, viewer: Viewer | null, masked: boolean, active: { crewId: string; status: AssignmentStatus } | null | undefined): string | null {
  if (!seesReporterPhone(viewer, active)) return null;
  return masked ? maskPhone(report.reporterPhone) : (report.reporterPhone ?? null);
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
