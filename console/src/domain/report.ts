import type { ReportCoreFields } from '../graphql/fragments.ts';
import type { ResultOf } from '../graphql/graphql.ts';

/** A report as the API sends it to the queue, the map and the live events. */
export type ReportCore = ResultOf<typeof ReportCoreFields>;
export type Priority = ReportCore['priority'];
export type ReportStatus = ReportCore['status'];

/** A report the server suggests as the same problem as another (Report.possibleDuplicates): where it is and when, relative to the other. */
export interface DuplicateHint {
  /** The suggested report's id: what a merge points at; null when the viewer may not read it. */
  reportId: string | null;
  reference: string;
  distanceMeters: number;
  minutesApart: number;
  /** It was received before the report showing the hint. */
  earlier: boolean;
  /** It is open work (being handled): a CRITICAL report that repeats it raises only a quiet alert. */
  open: boolean;
}

export function toDuplicateHint(duplicate: ReportCore['possibleDuplicates'][number] | undefined): DuplicateHint | null {
  if (!duplicate) return null;
  return {
    reportId: duplicate.report?.id ?? null,
    reference: duplicate.reference,
    distanceMeters: duplicate.distanceMeters,
    minutesApart: duplicate.minutesApart,
    earlier: duplicate.earlier,
    open: duplicate.open,
  };
}

/** A report as the queue and the map hold it: flat, timestamps as epoch milliseconds, immutable. */
export interface ReportRow {
  id: string;
  reference: string;
  kind: ReportCore['kind'];
  channel: ReportCore['channel'];
  priority: Priority;
  status: ReportStatus;
  /** In the center's open work, i.e. the dispatcher's queue (the server's word). */
  open: boolean;
  /** The report's place in the queue (the server's): see compareQueue. */
  queueKey: string;
  description: string;
  address: string | null;
  categoryCode: string;
  municipalityCode: string;
  lat: number;
  lng: number;
  receivedAt: number;
  targetAt: number;
  version: number;
  /** How many photos and voice notes it carries that the viewer may see: the queue row's icons. */
  photos: number;
  voiceNotes: number;
  /** Reopened because the citizen told the satisfaction center it was not fixed: the queue row's marker. */
  reopenedAfterFollowUp: boolean;
  /** A dispatcher acknowledged it (the server's fact, shared by every console): a CRITICAL one is no longer pinned. */
  acknowledged: boolean;
  /** The nearest report the server suggests as the same problem, if any: the row's hint. */
  duplicate: DuplicateHint | null;
  /**
   * The reference of the nearest suggested report that came before this one and is still open work: this one
   * likely repeats it, so as a CRITICAL report it raises only a quiet alert (the first of a burst stays loud).
   */
  repeats: string | null;
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
    open: report.open,
    queueKey: report.queueKey,
    description: report.description,
    address: report.location.address ?? null,
    categoryCode: report.category.code,
    municipalityCode: report.location.municipality.code,
    lat: report.location.lat,
    lng: report.location.lng,
    receivedAt: Date.parse(report.receivedAt),
    targetAt: Date.parse(report.targetAt),
    version: report.version,
    photos: report.media.filter((m) => m.kind === 'PHOTO').length,
    voiceNotes: report.media.filter((m) => m.kind === 'VOICE').length,
    reopenedAfterFollowUp: report.reopenedAfterFollowUp,
    acknowledged: !!report.acknowledgedAt,
    duplicate: toDuplicateHint(report.possibleDuplicates[0]),
    repeats: report.possibleDuplicates.find((duplicate) => duplicate.earlier && duplicate.open)?.reference ?? null,
    search: `${report.reference} ${report.description} ${report.location.address ?? ''}`.toLowerCase(),
  };
}

/**
 * Queue order, exactly the server's list order (priority, then target time, then id): the reports'
 * `queueKey`s compared as plain strings, by UTF-16 code units, never by a locale's collation. Keys end
 * with the id, so two reports never tie.
 */
export function compareQueue(a: Pick<ReportRow, 'queueKey'>, b: Pick<ReportRow, 'queueKey'>): number {
  if (a.queueKey < b.queueKey) return -1;
  if (a.queueKey > b.queueKey) return 1;
  return 0;
}
