import type { AssignmentFields } from '../graphql/fragments.ts';
import type { ResultOf } from '../graphql/graphql.ts';

/** An assignment as the API sends it, without its report or crew. */
export type AssignmentCore = ResultOf<typeof AssignmentFields>;
export type AssignmentStatus = AssignmentCore['status'];

/** Assignment statuses in which a crew still holds the report. */
export const ACTIVE_ASSIGNMENT_STATUSES: ReadonlySet<AssignmentStatus> = new Set<AssignmentStatus>(['PENDING', 'ACCEPTED', 'EN_ROUTE', 'ON_SITE']);

/** An assignment as the floor holds it: flat, with the ids of its report and crew, timestamps as epoch milliseconds. */
export interface AssignmentRow {
  id: string;
  status: AssignmentStatus;
  version: number;
  note: string | null;
  reportId: string;
  crewId: string;
  updatedAt: number;
}

export function toAssignmentRow(assignment: AssignmentCore, reportId: string, crewId: string): AssignmentRow {
  return {
    id: assignment.id,
    status: assignment.status,
    version: assignment.version,
    note: assignment.note ?? null,
    reportId,
    crewId,
    updatedAt: Date.parse(assignment.updatedAt),
  };
}
