import { Role } from '../auth/auth.enums.js';
import { maskName, maskPhone, type Viewer } from '../auth/viewer.js';
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

/**
 * The columns of the report row `r` that make its view, under the view's property names, for reads that
 * build views straight from rows instead of hydrating entities (the queue); `reviveReportView` finishes
 * a row of them as it finishes an event's snapshot.
 */
export function reportViewColumnsSql(r: string): string {
  return `${r}.id, ${r}.reference, ${r}.kind, ${r}.channel, ${r}.priority, ${r}.status, ${r}.description, ${r}.received_at as "receivedAt",
    ${r}.target_at as "targetAt", ${r}.updated_at as "updatedAt", ${r}.version, ${r}.rejection_reason as "rejectionReason",
    ${r}.referred_to as "referredTo", ${r}.category_code as "categoryCode", ${r}.municipality_code as "municipalityCode", ${r}.lat, ${r}.lng,
    ${r}.address, ${r}.reporter_name as "reporterName", ${r}.reporter_phone as "reporterPhone", ${r}.beneficiary_type as "beneficiaryType",
    ${r}.submitted_by as "submittedBy", ${r}.duplicate_of_id as "duplicateOfId"`;
}

/** A report view from its plain form: an event's JSON snapshot, or a row of `reportViewColumnsSql` (dates as text). */
export function reviveReportView(json: ReportView): ReportView {
  const view = asView(ReportView, json);
  view.receivedAt = new Date(json.receivedAt);
  view.targetAt = new Date(json.targetAt);
  view.updatedAt = new Date(json.updatedAt);
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

export function toTimelineEntryView(entry: TimelineEntry): TimelineEntryView {
  return {
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    fromStatus: (entry.fromStatus as ReportStatus | null) ?? null,
    toStatus: (entry.toStatus as ReportStatus | null) ?? null,
    note: entry.note ?? null,
  };
}
