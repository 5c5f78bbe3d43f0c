import type { AssignmentCore } from '../domain/assignment.ts';
import type { CrewCore } from '../domain/crew.ts';
import type { DispatchEvent } from '../domain/event.ts';
import type { ReportCore } from '../domain/report.ts';
import type { ClaimedFollowUp } from '../features/center/center.call.ts';
import type { FollowUpFields } from '../graphql/fragments.ts';
import type { ResultOf } from '../graphql/graphql.ts';
import type { WorkItem } from '../features/crew/crew.controller.ts';
import type { ReportDetail } from '../features/report/report.controller.ts';

let sequence = 0;

/**
 * A report as the API returns it (a RECEIVED pothole in Al Khobar, open, version 1), with overrides. Its
 * queue key, unless given, follows its target time then its id; a test about order gives the keys.
 */
export function report(overrides: Partial<ReportCore> = {}): ReportCore {
  sequence += 1;
  const id = overrides.id ?? `r-${sequence}`;
  const targetAt = overrides.targetAt ?? '2026-03-01T20:00:00.000Z';
  return {
    id,
    reference: `940-2026-${String(sequence).padStart(6, '0')}`,
    kind: 'INCIDENT',
    channel: 'BALAGHATI_APP',
    priority: 'NORMAL',
    status: 'RECEIVED',
    open: true,
    queueKey: `${targetAt}|${id}`,
    description: 'حفرة عميقة في الطريق',
    receivedAt: '2026-03-01T08:00:00.000Z',
    targetAt,
    updatedAt: '2026-03-01T08:00:00.000Z',
    version: 1,
    category: { code: 'POTHOLE' },
    location: { lat: 26.28, lng: 50.2, address: 'King Khalid St', municipality: { code: 'KHOBAR' } },
    media: [],
    reopenedAfterFollowUp: false,
    acknowledgedAt: null,
    possibleDuplicates: [],
    ...overrides,
  };
}

/** An assignment as the API returns it to a dispatcher (PENDING, which the dispatcher may cancel), with overrides. */
export function assignment(overrides: Partial<AssignmentCore> = {}): AssignmentCore {
  sequence += 1;
  return {
    id: `a-${sequence}`,
    status: 'PENDING',
    version: 1,
    note: null,
    createdAt: '2026-03-01T09:00:00.000Z',
    updatedAt: '2026-03-01T09:00:00.000Z',
    nextSteps: [{ status: 'CANCELLED' }],
    ...overrides,
  };
}

/** A crew as the API returns it (on duty, available, no assignment), with overrides. */
export function crew(overrides: Partial<CrewCore> = {}): CrewCore {
  sequence += 1;
  return {
    id: `c-${sequence}`,
    name: `فريق الطرق - الخبر ${sequence}`,
    nameAr: `فريق الطرق - الخبر ${sequence}`,
    nameEn: `Roads crew – Khobar ${sequence}`,
    onDuty: true,
    status: 'AVAILABLE',
    version: 1,
    skills: ['POTHOLE'],
    department: { code: 'ROADS_LIGHTING' },
    municipality: { code: 'KHOBAR' },
    location: { lat: 26.28, lng: 50.2, at: '2026-03-01T08:00:00.000Z' },
    activeAssignment: null,
    ...overrides,
  };
}

/** A live event carrying the given entities. */
export function event(type: DispatchEvent['type'], parts: Partial<Pick<DispatchEvent, 'report' | 'assignment' | 'crew' | 'followUp'>>, cursor = `cur-${++sequence}`): DispatchEvent {
  return { cursor, type, occurredAt: '2026-03-01T09:00:00.000Z', report: null, assignment: null, crew: null, followUp: null, ...parts };
}

/** A report as the detail view loads it for a dispatcher: the core fields, no assignment yet, what a RECEIVED incident allows, a one-entry timeline. */
export function reportDetail(overrides: Partial<ReportDetail> = {}): ReportDetail {
  const core = report();
  return {
    ...core,
    overdue: false,
    rejectionReason: null,
    referredTo: null,
    reporter: { name: 'Fahad', phone: '+966500000001', beneficiaryType: 'CITIZEN' },
    duplicateOf: null,
    allowedActions: ['TRIAGE', 'ASSIGN', 'REJECT', 'MARK_DUPLICATE'],
    activeAssignment: null,
    assignments: [],
    media: [],
    timeline: [{ at: core.receivedAt, actor: 'intake', action: 'CREATED', fromStatus: null, toStatus: 'RECEIVED', note: null, params: null }],
    answer: null,
    followUp: null,
    ...overrides,
  };
}

/**
 * A job of the calling crew, as its app holds it: an ASSIGNED report (the reporter's phone hidden, as on an
 * offer) with the crew's PENDING assignment (give its next steps as the crew sees them).
 */
export function workItem(overrides: Partial<WorkItem['activeAssignment']> = {}): WorkItem {
  return { ...report({ status: 'ASSIGNED' }), reporter: { phone: null }, media: [], activeAssignment: { ...assignment(), nextSteps: [], ...overrides } };
}

/** A follow-up as the API returns it: PENDING, due, never called, held by no one, with overrides. */
export function followUp(overrides: Partial<ResultOf<typeof FollowUpFields>> = {}): ResultOf<typeof FollowUpFields> {
  sequence += 1;
  return {
    id: `f-${sequence}`,
    status: 'PENDING',
    dueAt: '2026-03-01T12:00:00.000Z',
    nextAttemptAt: '2026-03-01T12:00:00.000Z',
    attempts: 0,
    claimedBy: null,
    claimedUntil: null,
    satisfaction: null,
    fixed: null,
    comment: null,
    closedReason: null,
    beneficiaryType: 'CITIZEN',
    createdAt: '2026-03-01T10:00:00.000Z',
    completedAt: null,
    version: 1,
    attemptLog: [],
    ...overrides,
  };
}

/** A follow-up an agent has just claimed: held by agent01 for 15 minutes, on a RESOLVED report of Fahad's. */
export function claimedFollowUp(overrides: Partial<ClaimedFollowUp> = {}): ClaimedFollowUp {
  const core = report({ status: 'RESOLVED', open: false });
  return {
    ...followUp({ claimedBy: 'agent01', claimedUntil: '2026-03-01T12:15:00.000Z' }),
    report: {
      ...core,
      reporter: { name: 'Fahad', phone: '+966500000001', beneficiaryType: 'CITIZEN' },
      timeline: [{ at: core.receivedAt, actor: 'intake', action: 'CREATED', fromStatus: null, toStatus: 'RECEIVED', note: null, params: null }],
      media: [],
    },
    ...overrides,
  };
}
