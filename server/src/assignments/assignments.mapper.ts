import { ReadModel } from '../common/read-model.js';
import type { AssignmentSnapshotV1 } from '../outbox/outbox.map.js';
import { Assignment } from './assignments.entity.js';
import { asView } from '../common/view-type.js';
import { inSql } from '../access/access.policy.js';
import { ACTIVE_ASSIGNMENT_STATUSES } from './assignments.enums.js';
import { AssignmentView } from './assignments.types.js';

/** Where each property of an assignment's view comes from: the one mapping, for entities and for rows read straight from SQL. */
export const ASSIGNMENT_READ = new ReadModel<Assignment, AssignmentView>(Assignment, AssignmentView, {
  id: 'id',
  status: 'status',
  note: 'note',
  createdAt: 'createdAt',
  updatedAt: 'updatedAt',
  version: 'version',
  reportId: 'report',
  crewId: 'crew',
});

export function toAssignmentView(assignment: Assignment): AssignmentView {
  return ASSIGNMENT_READ.fromEntity(assignment);
}

/** The assignment as an event stores it (version 1). */
export function toAssignmentSnapshot(assignment: Assignment): AssignmentSnapshotV1 {
  const view = toAssignmentView(assignment);
  return { ...view, createdAt: view.createdAt.toISOString(), updatedAt: view.updatedAt.toISOString() };
}

/** Today's view of an assignment an event stored (version 1). */
export function fromAssignmentSnapshot(snapshot: AssignmentSnapshotV1): AssignmentView {
  return asView(AssignmentView, { ...snapshot, createdAt: new Date(snapshot.createdAt), updatedAt: new Date(snapshot.updatedAt) });
}

/** Whether the assignment row `a` is active, in SQL: one of ACTIVE_ASSIGNMENT_STATUSES. */
export function activeAssignmentSql(a: string): string {
  return inSql(`${a}.status`, ACTIVE_ASSIGNMENT_STATUSES);
}
