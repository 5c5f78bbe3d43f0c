import type { EntityManager } from '@mikro-orm/postgresql';
import type { Assignment } from './assignments.entity.js';
import type { AssignmentStatus } from './assignments.enums.js';
import { activeAssignmentSql } from './assignments.mapper.js';

/**
 * How far along each active status is: a crew's leading assignment is its active one furthest along, the
 * oldest among equals, then the smallest id. One table for the TypeScript order (`leadingAssignment`), the
 * SQL order (`leadingOrderSql`) and the partial index `assignment_crew_leading_index`, whose expression a
 * test compares with `leadingOrderSql`.
 */
export const PROGRESS: Readonly<Partial<Record<AssignmentStatus, number>>> = { PENDING: 0, ACCEPTED: 1, EN_ROUTE: 2, ON_SITE: 3 };

/**
 * A crew's active assignments `a`, furthest along first, exactly as `assignment_crew_leading_index` sorts
 * them (its CASE lists the statuses above 0 from the furthest down), so a crew's leading assignment is one index read.
 */
export function leadingOrderSql(a: string): string {
  const ranks = Object.entries(PROGRESS)
    .filter(([, rank]) => rank > 0)
    .sort(([, x], [, y]) => (y ?? 0) - (x ?? 0))
    .map(([status, rank]) => `when '${status}' then ${rank}`);
  return `(case ${a}.status ${ranks.join(' ')} else 0 end) desc, ${a}.created_at, ${a}.id`;
}

/**
 * Of a crew's active assignments, the one furthest along decides what the crew is doing; among equals
 * the oldest, as `leadingOrderSql` orders them in the database.
 */
export function leadingAssignment(assignments: Assignment[]): Assignment | undefined {
  let lead: Assignment | undefined;
  for (const assignment of assignments) {
    if (!lead || ahead(assignment, lead)) lead = assignment;
  }
  return lead;
}

function ahead(a: Assignment, b: Assignment): boolean {
  const [pa, pb] = [PROGRESS[a.status] ?? -1, PROGRESS[b.status] ?? -1];
  if (pa !== pb) return pa > pb;
  if (a.createdAt.getTime() !== b.createdAt.getTime()) return a.createdAt < b.createdAt;
  return a.id < b.id;
}

/** What a crew's status follows: its active assignment furthest along. */
export interface LeadingAssignment {
  id: string;
  status: AssignmentStatus;
}

/**
 * Each crew's leading active assignment as the database has it (committed or flushed), in one statement
 * that reads one entry of `assignment_crew_leading_index` a crew however many it holds. Crews without one
 * are absent from the map.
 */
export async function leadingAssignments(em: EntityManager, crewIds: readonly string[]): Promise<Map<string, LeadingAssignment>> {
  if (crewIds.length === 0) return new Map();
  const rows = await em.execute<(LeadingAssignment & { crewId: string })[]>(
    `select c.id as "crewId", l.id, l.status from crew c cross join lateral (
       select l.id, l.status from assignment l where l.crew_id = c.id and ${activeAssignmentSql('l')} order by ${leadingOrderSql('l')} limit 1
     ) as l where c.id in (?)`,
    [[...crewIds]],
  );
  return new Map(rows.map((row) => [row.crewId, { id: row.id, status: row.status }]));
}
