import type { ReportCoreFields } from '../graphql/fragments.ts';
import type { ResultOf } from '../graphql/graphql.ts';

/** A report as the API sends it to the queue, the map and the live events. */
export type ReportCore = ResultOf<typeof ReportCoreFields>;
export type Priority = ReportCore['priority'];
export type ReportStatus = ReportCore['status'];

/** A report as the queue and the map hold it: flat, timestamps as epoch milliseconds, immutable. */
export interface ReportRow {
  id: string;
  reference: string;
  kind: ReportCore['kind'];
  channel: ReportCore['channel'];
  priority: Priority;
  status: ReportStatus;
  description: string;
  address: string | null;
  categoryCode: string;
  municipalityCode: string;
  lat: number;
  lng: number;
  receivedAt: number;
  targetAt: number;
  version: number;
  /** Lower-cased reference, description and address, for the text search. */
  search: string;
}

export function toReportRow(report: ReportCore): ReportRow {
  return {
    id: report.id,
    reference: report.reference,
    kind: report.kind,
    channel: report.channel,
    priority: report.priority,
    status: report.status,
    description: report.description,
    address: report.location.address ?? null,
    categoryCode: report.category.code,
    municipalityCode: report.location.municipality.code,
    lat: report.location.lat,
    lng: report.location.lng,
    receivedAt: Date.parse(report.receivedAt),
    targetAt: Date.parse(report.targetAt),
    version: report.version,
    search: `${report.reference} ${report.description} ${report.location.address ?? ''}`.toLowerCase(),
  };
}

const PRIORITY_RANK: Record<Priority, number> = { CRITICAL: 0, HIGH: 1, NORMAL: 2, LOW: 3 };

/** Queue order: priority (CRITICAL first), then the earliest response target, then receipt, then reference. */
export function compareQueue(a: ReportRow, b: ReportRow): number {
  const byPriority = PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority];
  if (byPriority !== 0) return byPriority;
  if (a.targetAt !== b.targetAt) return a.targetAt - b.targetAt;
  if (a.receivedAt !== b.receivedAt) return a.receivedAt - b.receivedAt;
  if (a.reference === b.reference) return 0;
  return a.reference < b.reference ? -1 : 1;
}
