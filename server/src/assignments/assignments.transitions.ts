import { mayMoveAssignment } from '../access/access.policy.js';
import type { Viewer } from '../access/access.viewer.js';
import { conflict } from '../common/errors.js';
import { ReportAction } from '../reports/reports.transitions.js';
import { AssignmentStatus } from './assignments.enums.js';

const { ACCEPTED, EN_ROUTE, ON_SITE, COMPLETED, DECLINED, CANCELLED } = AssignmentStatus;

/** The assignment lifecycle, in one place: where each status may go next. */
export const ASSIGNMENT_TRANSITIONS: Record<AssignmentStatus, readonly AssignmentStatus[]> = {
  [AssignmentStatus.PENDING]: [ACCEPTED, DECLINED, CANCELLED],
  ACCEPTED: [EN_ROUTE, ON_SITE, CANCELLED],
  EN_ROUTE: [ON_SITE, CANCELLED],
  ON_SITE: [COMPLETED, CANCELLED],
  COMPLETED: [],
  DECLINED: [],
  CANCELLED: [],
};

/** Statuses a crew reports through updateAssignmentStatus; CANCELLED is the dispatcher's cancelAssignment. */
export const CREW_SETTABLE: readonly AssignmentStatus[] = [ACCEPTED, DECLINED, EN_ROUTE, ON_SITE, COMPLETED];

/** What an assignment's new status does to its report, if anything. */
export const REPORT_EFFECT: Partial<Record<AssignmentStatus, ReportAction>> = {
  ACCEPTED: ReportAction.START,
  COMPLETED: ReportAction.RESOLVE,
  DECLINED: ReportAction.RETURN_TO_QUEUE,
  CANCELLED: ReportAction.RETURN_TO_QUEUE,
};

/** The timeline code of an assignment's move to `status` (ASSIGNMENT_ACCEPTED …, ASSIGNMENT_COMPLETED): what the line says, and what the indicators count jobs, declines and time on site by. */
export function assignmentTimelineAction(status: AssignmentStatus): string {
  return `ASSIGNMENT_${status}`;
}

export function assertAssignmentTransition(from: AssignmentStatus, to: AssignmentStatus): void {
  if (!ASSIGNMENT_TRANSITIONS[from].includes(to)) {
    throw conflict(`An assignment cannot go from ${from} to ${to}`, { status: from, requested: to });
  }
}

/** Moves that need a note: why the crew declined, what it did, why the dispatcher took it back. */
export const NOTE_REQUIRED: readonly AssignmentStatus[] = [DECLINED, COMPLETED, CANCELLED];

/** Where `viewer` may move an assignment now: the transition table, narrowed by the access policy (a crew its own, never CANCELLED). */
export function nextSteps(viewer: Viewer | null, assignment: { status: AssignmentStatus; crewId: string }): { status: AssignmentStatus; noteRequired: boolean }[] {
  if (!viewer) return [];
  return ASSIGNMENT_TRANSITIONS[assignment.status].filter((status) => mayMoveAssignment(viewer, assignment, status)).map((status) => ({ status, noteRequired: NOTE_REQUIRED.includes(status) }));
}
