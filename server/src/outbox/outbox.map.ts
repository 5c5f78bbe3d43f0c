import { registerEnumType } from 'type-graphql';
import type { AssignmentStatus } from '../assignments/assignments.enums.js';
import type { CrewStatus } from '../crews/crews.enums.js';
import type { BeneficiaryType, Channel, Priority, ReportKind, ReportStatus } from '../reports/reports.enums.js';

export enum DispatchEventType {
  REPORT_CREATED = 'REPORT_CREATED',
  REPORT_UPDATED = 'REPORT_UPDATED',
  ASSIGNMENT_CREATED = 'ASSIGNMENT_CREATED',
  ASSIGNMENT_UPDATED = 'ASSIGNMENT_UPDATED',
  CREW_UPDATED = 'CREW_UPDATED',
  REPORT_OVERDUE = 'REPORT_OVERDUE',
  FOLLOWUP_CREATED = 'FOLLOWUP_CREATED',
  FOLLOWUP_UPDATED = 'FOLLOWUP_UPDATED',
}

registerEnumType(DispatchEventType, {
  name: 'DispatchEventType',
  description: 'What changed',
  valuesConfig: {
    REPORT_CREATED: { description: 'A report was filed' },
    REPORT_UPDATED: { description: "A report's status or fields changed (triage, close, reject, merge, reopen)" },
    ASSIGNMENT_CREATED: { description: 'A crew was given a report' },
    ASSIGNMENT_UPDATED: { description: 'An assignment moved on (accepted, en route, on site, completed, declined, cancelled)' },
    CREW_UPDATED: { description: 'A crew went on or off duty or shared its location' },
    REPORT_OVERDUE: { description: 'An open report passed its target time (once per report)' },
    FOLLOWUP_CREATED: { description: 'A resolved report got its follow-up call (satisfaction center; staff and agents only)' },
    FOLLOWUP_UPDATED: { description: 'A follow-up was claimed, released, attempted or finished (staff and agents only)' },
  },
});

/**
 * A report as an event stored it, version 1: its own type, apart from the GraphQL view, so renaming an API
 * field never changes what stored rows mean (the events feature maps a snapshot to today's view).
 * Timestamps are ISO 8601 text, as JSON holds them.
 */
export interface ReportSnapshotV1 {
  id: string;
  reference: string;
  kind: ReportKind;
  channel: Channel;
  priority: Priority;
  status: ReportStatus;
  description: string;
  receivedAt: string;
  targetAt: string;
  updatedAt: string;
  version: number;
  rejectionReason: string | null;
  referredTo: string | null;
  categoryCode: string;
  municipalityCode: string;
  lat: number;
  lng: number;
  address: string | null;
  reporterName: string | null;
  reporterPhone: string | null;
  beneficiaryType: BeneficiaryType | null;
  submittedBy: string;
  duplicateOfId: string | null;
  /** Added with the satisfaction center; absent in rows written before it. */
  answer?: string | null;
  reopenedAfterFollowUpAt?: string | null;
  /** Added with acknowledgement as a server fact (issue 13); absent in rows written before it (not acknowledged). */
  acknowledgedAt?: string | null;
  acknowledgedBy?: string | null;
}

/** A follow-up call as an event stored it, version 1. */
export interface FollowUpSnapshotV1 {
  id: string;
  reportId: string;
  status: string;
  phone: string;
  beneficiaryType: BeneficiaryType | null;
  dueAt: string;
  nextAttemptAt: string;
  attempts: number;
  claimedByName: string | null;
  claimedUntil: string | null;
  satisfaction: number | null;
  fixed: string | null;
  comment: string | null;
  closedReason: string | null;
  createdAt: string;
  completedAt: string | null;
  completedBy: string | null;
  version: number;
}

/** An assignment as an event stored it, version 1. */
export interface AssignmentSnapshotV1 {
  id: string;
  status: AssignmentStatus;
  note: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
  reportId: string;
  crewId: string;
}

/** A crew as an event stored it, version 1, with its status and leading assignment at that moment. */
export interface CrewSnapshotV1 {
  id: string;
  /** The Arabic name. */
  name: string;
  /** Added with the crews' two names (issue 13); absent in rows written before it, where `name` is the only name. */
  nameAr?: string;
  nameEn?: string;
  onDuty: boolean;
  status: CrewStatus;
  skills: string[];
  version: number;
  departmentCode: string;
  municipalityCode: string;
  lat: number | null;
  lng: number | null;
  locationAt: string | null;
  activeAssignmentId: string | null;
}

/**
 * The one map of event types to stored payloads (version 1), used by the writers (services, inside their
 * transaction) and the readers (the hub, the fan-out, the subscription). A payload without `v` was written
 * before versions were recorded and has version 1's shape.
 */
export interface DispatchEventPayloads {
  REPORT_CREATED: { v: 1; report: ReportSnapshotV1 };
  REPORT_UPDATED: { v: 1; report: ReportSnapshotV1; action: string };
  ASSIGNMENT_CREATED: { v: 1; assignment: AssignmentSnapshotV1; report: ReportSnapshotV1; crew: CrewSnapshotV1 };
  ASSIGNMENT_UPDATED: { v: 1; assignment: AssignmentSnapshotV1; report: ReportSnapshotV1; crew: CrewSnapshotV1 };
  CREW_UPDATED: { v: 1; crew: CrewSnapshotV1 };
  REPORT_OVERDUE: { v: 1; report: ReportSnapshotV1 };
  FOLLOWUP_CREATED: { v: 1; followUp: FollowUpSnapshotV1; report: ReportSnapshotV1 };
  FOLLOWUP_UPDATED: { v: 1; followUp: FollowUpSnapshotV1; report: ReportSnapshotV1 };
}

/** A stored event: its type and the payload that type carries, so a reader narrows on `type` and needs no cast. */
export type StoredEvent = { [T in DispatchEventType]: { type: T; payload: DispatchEventPayloads[T] } }[DispatchEventType];

const TYPES = new Set<string>(Object.values(DispatchEventType));
const PARTS: Record<DispatchEventType, readonly ('report' | 'assignment' | 'crew' | 'followUp')[]> = {
  REPORT_CREATED: ['report'],
  REPORT_UPDATED: ['report'],
  ASSIGNMENT_CREATED: ['assignment', 'report', 'crew'],
  ASSIGNMENT_UPDATED: ['assignment', 'report', 'crew'],
  CREW_UPDATED: ['crew'],
  REPORT_OVERDUE: ['report'],
  FOLLOWUP_CREATED: ['followUp', 'report'],
  FOLLOWUP_UPDATED: ['followUp', 'report'],
};

function isType(type: string): type is DispatchEventType {
  return TYPES.has(type);
}

/** Whether `payload` is what an event of `type` stores: an object of version 1 (or unversioned) carrying its parts. */
function isPayloadOf<T extends DispatchEventType>(type: T, payload: unknown): payload is DispatchEventPayloads[T] {
  if (typeof payload !== 'object' || payload === null) return false;
  const version: unknown = 'v' in payload ? payload.v : 1;
  if (version !== 1) return false;
  return PARTS[type].every((part) => {
    const value: unknown = Reflect.get(payload, part);
    return typeof value === 'object' && value !== null;
  });
}

/** An outbox row's type and payload as a StoredEvent, or null for a row this code cannot read (an unknown type or version). */
export function readStoredEvent(type: string, payload: unknown): StoredEvent | null {
  if (!isType(type)) return null;
  switch (type) {
    case DispatchEventType.REPORT_CREATED:
      return isPayloadOf(type, payload) ? { type, payload } : null;
    case DispatchEventType.REPORT_UPDATED:
      return isPayloadOf(type, payload) ? { type, payload } : null;
    case DispatchEventType.ASSIGNMENT_CREATED:
      return isPayloadOf(type, payload) ? { type, payload } : null;
    case DispatchEventType.ASSIGNMENT_UPDATED:
      return isPayloadOf(type, payload) ? { type, payload } : null;
    case DispatchEventType.CREW_UPDATED:
      return isPayloadOf(type, payload) ? { type, payload } : null;
    case DispatchEventType.REPORT_OVERDUE:
      return isPayloadOf(type, payload) ? { type, payload } : null;
    case DispatchEventType.FOLLOWUP_CREATED:
      return isPayloadOf(type, payload) ? { type, payload } : null;
    case DispatchEventType.FOLLOWUP_UPDATED:
      return isPayloadOf(type, payload) ? { type, payload } : null;
  }
}
