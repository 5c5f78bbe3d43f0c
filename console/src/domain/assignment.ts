import type { AssignmentFields } from '../graphql/fragments.ts';
import type { ResultOf } from '../graphql/graphql.ts';

/** An assignment as the API sends it, without its report or crew. */
export type AssignmentCore = ResultOf<typeof AssignmentFields>;
export type AssignmentStatus = AssignmentCore['status'];

/** An assignment as the floor holds it: flat, with the ids of its report and crew, timestamps as epoch milliseconds. */
export interface AssignmentRow {
  id: string;
  status: AssignmentStatus;
  /**
   * A crew still holds the report by it. Read from the moves the server offers staff (the floor's only
   * viewers): on an unfinished assignment CANCELLED at least, on a finished one none.
   */
  active: boolean;
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
    active: assignment.nextSteps.length > 0,
    version: assignment.version,
    note: assignment.note ?? null,
    reportId,
    crewId,
    updatedAt: Date.parse(assignment.updatedAt),
  };
}
