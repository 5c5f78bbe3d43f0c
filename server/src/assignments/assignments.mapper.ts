import type { Assignment } from './assignments.entity.js';
import type { AssignmentView } from './assignments.types.js';

/** The one mapping of an assignment row to its API shape (and event snapshot). */
export function toAssignmentView(assignment: Assignment): AssignmentView {
  return {
    id: assignment.id,
    status: assignment.status,
    note: assignment.note ?? null,
    createdAt: assignment.createdAt,
    updatedAt: assignment.updatedAt,
    version: assignment.version,
    reportId: assignment.report.id,
    crewId: assignment.crew.id,
  };
}

export function reviveAssignmentView(json: AssignmentView): AssignmentView {
  return { ...json, createdAt: new Date(json.createdAt), updatedAt: new Date(json.updatedAt) };
}
