import type { AssignmentStatus } from '../../domain/assignment.ts';

/** A step a crew can report, and whether it needs a note (why it declined, what it did). */
export interface CrewStep {
  status: AssignmentStatus;
  needsNote: boolean;
}

const STEPS: Partial<Record<AssignmentStatus, CrewStep[]>> = {
  PENDING: [
    { status: 'ACCEPTED', needsNote: false },
    { status: 'DECLINED', needsNote: true },
  ],
  ACCEPTED: [
    { status: 'EN_ROUTE', needsNote: false },
    { status: 'ON_SITE', needsNote: false },
  ],
  EN_ROUTE: [{ status: 'ON_SITE', needsNote: false }],
  ON_SITE: [{ status: 'COMPLETED', needsNote: true }],
};

/** The next steps a crew may report from an assignment's status (the server's transition table, crew side). */
export function nextSteps(status: AssignmentStatus): CrewStep[] {
  return STEPS[status] ?? [];
}
