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

export function assertAssignmentTransition(from: AssignmentStatus, to: AssignmentStatus): void {
  if (!ASSIGNMENT_TRANSITIONS[from].includes(to)) {
    throw conflict(`An assignment cannot go from ${from} to ${to}`, { status: from, requested: to });
  }
}
