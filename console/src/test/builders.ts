import type { AssignmentCore } from '../domain/assignment.ts';
import type { CrewCore } from '../domain/crew.ts';
import type { DispatchEvent } from '../domain/event.ts';
import type { ReportCore } from '../domain/report.ts';
import type { WorkItem } from '../features/crew/crew.controller.ts';
import type { ReportDetail } from '../features/report/report.controller.ts';

let sequence = 0;

/** A report as the API returns it (a RECEIVED pothole in Al Khobar, version 1), with overrides. */
export function report(overrides: Partial<ReportCore> = {}): ReportCore {
  sequence += 1;
  return {
    id: `r-${sequence}`,
    reference: `940-2026-${String(sequence).padStart(6, '0')}`,
    kind: 'INCIDENT',
    channel: 'BALAGHATI_APP',
    priority: 'NORMAL',
    status: 'RECEIVED',
    description: 'حفرة عميقة في الطريق',
    receivedAt: '2026-03-01T08:00:00.000Z',
    targetAt: '2026-03-01T20:00:00.000Z',
    updatedAt: '2026-03-01T08:00:00.000Z',
    version: 1,
    category: { code: 'POTHOLE' },
    location: { lat: 26.28, lng: 50.2, address: 'King Khalid St', municipality: { code: 'KHOBAR' } },
    ...overrides,
  };
}

export function assignment(overrides: Partial<AssignmentCore> = {}): AssignmentCore {
  sequence += 1;
  return {
    id: `a-${sequence}`,
    status: 'PENDING',
    version: 1,
    note: null,
    createdAt: '2026-03-01T09:00:00.000Z',
    updatedAt: '2026-03-01T09:00:00.000Z',
    ...overrides,
  };
}

export function crew(overrides: Partial<CrewCore> = {}): CrewCore {
  sequence += 1;
  return {
    id: `c-${sequence}`,
    name: `Khobar Roads ${sequence}`,
    onDuty: true,
    status: 'AVAILABLE',
    version: 1,
    skills: ['POTHOLE'],
    department: { code: 'ROADS_LIGHTING' },
    municipality: { code: 'KHOBAR' },
    location: { lat: 26.28, lng: 50.2, at: '2026-03-01T08:00:00.000Z' },
    ...overrides,
  };
}

/** A live event carrying the given entities. */
export function event(type: DispatchEvent['type'], parts: Partial<Pick<DispatchEvent, 'report' | 'assignment' | 'crew'>>, cursor = `cur-${++sequence}`): DispatchEvent {
  return { cursor, type, occurredAt: '2026-03-01T09:00:00.000Z', report: null, assignment: null, crew: null, ...parts };
}

/** A report as the detail view loads it: the core fields, no assignment yet, a one-entry timeline. */
export function reportDetail(overrides: Partial<ReportDetail> = {}): ReportDetail {
  const core = report();
  return {
    ...core,
    overdue: false,
    rejectionReason: null,
    referredTo: null,
    reporter: { name: 'Fahad', phone: '+966500000001', beneficiaryType: 'CITIZEN' },
    duplicateOf: null,
    activeAssignment: null,
    assignments: [],
    timeline: [{ at: core.receivedAt, actor: 'intake', action: 'CREATED', fromStatus: null, toStatus: 'RECEIVED', note: null }],
    ...overrides,
  };
}

/** A report a crew holds, as its app loads it: ASSIGNED, with a PENDING assignment to `crewId`. */
export function workItem(crewId: string, overrides: Partial<AssignmentCore> = {}): WorkItem {
  return { ...report({ status: 'ASSIGNED' }), activeAssignment: { ...assignment(overrides), crew: { id: crewId } } };
}
