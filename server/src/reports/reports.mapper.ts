import { Role } from '../auth/auth.enums.js';
import { maskName, maskPhone, type Viewer } from '../auth/viewer.js';
import type { Report, TimelineEntry } from './reports.entity.js';
import { OPEN_STATUSES, type ReportStatus } from './reports.enums.js';
import type { ReporterView, ReportView, TimelineEntryView } from './reports.types.js';

/** The one mapping of a report row to its API shape (and event snapshot). */
export function toReportView(report: Report): ReportView {
  return {
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
  };
}

/** A report snapshot read back from an event's JSON payload. */
export function reviveReportView(json: ReportView): ReportView {
  return { ...json, receivedAt: new Date(json.receivedAt), targetAt: new Date(json.targetAt), updatedAt: new Date(json.updatedAt) };
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
