import type { Assignment } from './assignments.entity.js';
import { asView } from '../common/view-type.js';
import { inSql } from '../access/access.policy.js';
import { ACTIVE_ASSIGNMENT_STATUSES } from './assignments.enums.js';
import { AssignmentView } from './assignments.types.js';

/** The one mapping of an assignment row to its API shape (and event snapshot). */
export function toAssignmentView(assignment: Assignment): AssignmentView {
  return asView(AssignmentView, {
    id: assignment.id,
    status: assignment.status,
    note: assignment.note ?? null,
    createdAt: assignment.createdAt,
    updatedAt: assignment.updatedAt,
    version: assignment.version,
    reportId: assignment.report.id,
    crewId: assignment.crew.id,
  });
}

/** Whether the assignment row `a` is active, in SQL: one of ACTIVE_ASSIGNMENT_STATUSES. */
export function activeAssignmentSql(a: string): string {
  return inSql(`${a}.status`, ACTIVE_ASSIGNMENT_STATUSES);
}

/**
 * A crew's active assignments `a`, furthest along first, exactly as the partial index
 * `assignment_crew_leading_index` sorts them, so a crew's leading assignment is one index read.
 */
export function leadingOrderSql(a: string): string {
  return `(case ${a}.status when 'ON_SITE' then 3 when 'EN_ROUTE' then 2 when 'ACCEPTED' then 1 else 0 end) desc, ${a}.created_at, ${a}.id`;
}

/**
 * The assignment row `a` as the JSON of its view (null when there is none), for reads that build views
 * straight from rows instead of hydrating entities; `reviveAssignmentView` turns it into the view.
 */
export function assignmentViewJsonSql(a: string): string {
  return `case when ${a}.id is null then null else json_build_object('id', ${a}.id, 'status', ${a}.status, 'note', ${a}.note,
    'createdAt', ${a}.created_at, 'updatedAt', ${a}.updated_at, 'version', ${a}.version, 'reportId', ${a}.report_id, 'crewId', ${a}.crew_id) end`;
}

/** An assignment view from its plain JSON form: an event's snapshot, or a row of `assignmentViewJsonSql`. */
export function reviveAssignmentView(json: AssignmentView): AssignmentView {
  const view = asView(AssignmentView, json);
  view.createdAt = new Date(json.createdAt);
  view.updatedAt = new Date(json.updatedAt);
  return view;
}
