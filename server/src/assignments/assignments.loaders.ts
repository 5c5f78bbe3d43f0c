import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { byKey, groupBy } from '../common/loaders.js';
import { Assignment } from './assignments.entity.js';
import { ACTIVE_ASSIGNMENT_STATUSES } from './assignments.enums.js';
import { leadingAssignments, type LeadingAssignment } from './assignments.leading.js';
import { toAssignmentView } from './assignments.mapper.js';
import type { AssignmentView } from './assignments.types.js';

/** Assignments for one request, by id, by report and by crew (its leading one), one query per batch. */
export function createAssignmentLoaders(em: EntityManager) {
  return {
    assignment: new DataLoader<string, Assignment | undefined>(async (ids) => byKey(ids, await em.find(Assignment, { id: { $in: [...ids] } }), (row) => row.id)),
    /** A report's active assignment as its view; a report list primes it with what its statement read. */
    activeAssignmentByReport: new DataLoader<string, AssignmentView | undefined>(async (reportIds) =>
      byKey(reportIds, (await em.find(Assignment, { report: { $in: [...reportIds] }, status: { $in: [...ACTIVE_ASSIGNMENT_STATUSES] } })).map(toAssignmentView), (view) => view.reportId),
    ),
    /** Every assignment of a report as views, oldest first. */
    assignmentsByReport: new DataLoader<string, AssignmentView[]>(async (reportIds) =>
      groupBy(reportIds, (await em.find(Assignment, { report: { $in: [...reportIds] } }, { orderBy: { createdAt: 'asc', id: 'asc' } })).map(toAssignmentView), (view) => view.reportId),
    ),
    /** Each crew's leading active assignment (what its status follows); null when it has none. */
    leadingAssignmentByCrew: new DataLoader<string, LeadingAssignment | null>(async (crewIds) => {
      const leading = await leadingAssignments(em, crewIds);
      return crewIds.map((id) => leading.get(id) ?? null);
    }),
  };
}

declare module '../access/access.context.js' {
  interface Loaders extends ReturnType<typeof createAssignmentLoaders> {}
}
