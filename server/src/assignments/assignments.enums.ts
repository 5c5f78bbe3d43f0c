import { registerEnumType } from 'type-graphql';

export enum AssignmentStatus {
  PENDING = 'PENDING',
  ACCEPTED = 'ACCEPTED',
  EN_ROUTE = 'EN_ROUTE',
  ON_SITE = 'ON_SITE',
  COMPLETED = 'COMPLETED',
  DECLINED = 'DECLINED',
  CANCELLED = 'CANCELLED',
}

/** An assignment in one of these holds its report and its crew. */
export const ACTIVE_ASSIGNMENT_STATUSES: readonly AssignmentStatus[] = [AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED, AssignmentStatus.EN_ROUTE, AssignmentStatus.ON_SITE];

/**
 * A crew is working on an assignment in one of these: on its way or at the place. A crew works one job at a
 * time, so at most one of its assignments is in these (the service says CONFLICT naming the current job, and
 * the partial unique index `assignment_one_working_per_crew` holds it in the database).
 */
export const WORKING_ASSIGNMENT_STATUSES: readonly AssignmentStatus[] = [AssignmentStatus.EN_ROUTE, AssignmentStatus.ON_SITE];

registerEnumType(AssignmentStatus, {
  name: 'AssignmentStatus',
  description: 'PENDING → ACCEPTED → EN_ROUTE → ON_SITE → COMPLETED; DECLINED by the crew, CANCELLED by a dispatcher',
  valuesConfig: {
    PENDING: { description: 'Given to the crew, not yet answered' },
    ACCEPTED: { description: 'The crew took it' },
    EN_ROUTE: { description: 'The crew is on its way' },
    ON_SITE: { description: 'The crew is at the place' },
    COMPLETED: { description: 'The crew finished the work; the report is RESOLVED' },
    DECLINED: { description: 'The crew refused it; the report went back to the queue' },
    CANCELLED: { description: 'A dispatcher took it back; the report went back to the queue' },
  },
});
