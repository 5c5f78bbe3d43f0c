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
export const ACTIVE_ASSIGNMENT_STATUSES: readonly AssignmentStatus[] = [
  AssignmentStatus.PENDING,
  AssignmentStatus.ACCEPTED,
  AssignmentStatus.EN_ROUTE,
  AssignmentStatus.ON_SITE,
];

registerEnumType(AssignmentStatus, {
  name: 'AssignmentStatus',
  description: 'PENDING → ACCEPTED → EN_ROUTE → ON_SITE → COMPLETED; DECLINED by the crew, CANCELLED by a dispatcher',
});
