import type { EntityDictionary, EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { ACTIVE_ASSIGNMENT_STATUSES } from '../assignments/assignments.enums.js';
import { Assignment } from '../assignments/assignments.entity.js';
import { Crew } from '../crews/crews.entity.js';
import type { Category, Department, Municipality } from '../reference/reference.entity.js';
import type { ReferenceService } from '../reference/reference.service.js';
import { Report, TimelineEntry } from '../reports/reports.entity.js';

function byKey<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): (V | undefined)[] {
  const map = new Map<K, V>();
  for (const row of rows) map.set(keyOf(row), row);
  return keys.map((key) => map.get(key));
}

function groupBy<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): V[][] {
  const map = new Map<K, V[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = map.get(key);
    if (list) list.push(row);
    else map.set(key, [row]);
  }
  return keys.map((key) => map.get(key) ?? []);
}

const PROGRESS: Record<string, number> = { PENDING: 0, ACCEPTED: 1, EN_ROUTE: 2, ON_SITE: 3 };

/**
 * The order of a crew's active assignments, furthest along first, exactly as the partial index
 * `assignment_crew_leading_index` sorts them, so the leading one is a single index read.
 */
const LEADING_ORDER_SQL = `(case "status" when 'ON_SITE' then 3 when 'EN_ROUTE' then 2 when 'ACCEPTED' then 1 else 0 end) desc, "created_at", "id"`;
const ACTIVE_SQL = `"status" in ('PENDING', 'ACCEPTED', 'EN_ROUTE', 'ON_SITE')`;

/** Of a crew's active assignments, the one furthest along decides what the crew is doing. */
export function leadingAssignment(assignments: Assignment[]): Assignment | undefined {
  let lead: Assignment | undefined;
  for (const assignment of assignments) {
    if (!lead || PROGRESS[assignment.status] > PROGRESS[lead.status]) lead = assignment;
  }
  return lead;
}

/**
 * Batch loaders for one request: a page of 100 reports with their crew and active assignment costs one
 * query per relation, not one per row. Categories, municipalities and departments come from the
 * reference snapshot (at most 30 s old), usually without a query.
 */
export function createLoaders(em: EntityManager, reference: ReferenceService) {
  return {
    category: { load: (code: string): Promise<Category | undefined> => reference.categoryByCode(em, code) },
    municipality: { load: (code: string): Promise<Municipality | undefined> => reference.municipalityByCode(em, code) },
    department: { load: (code: string): Promise<Department | undefined> => reference.departmentByCode(em, code) },
    crew: new DataLoader<string, Crew | undefined>(async (ids) => byKey(ids, await em.find(Crew, { id: { $in: [...ids] } }), (row) => row.id)),
    report: new DataLoader<string, Report | undefined>(async (ids) =>
      byKey(ids, await em.find(Report, { id: { $in: [...ids] } }), (row) => row.id),
    ),
    assignment: new DataLoader<string, Assignment | undefined>(async (ids) =>
      byKey(ids, await em.find(Assignment, { id: { $in: [...ids] } }), (row) => row.id),
    ),
    activeAssignmentByReport: new DataLoader<string, Assignment | undefined>(async (reportIds) =>
      byKey(
        reportIds,
        await em.find(Assignment, { report: { $in: [...reportIds] }, status: { $in: [...ACTIVE_ASSIGNMENT_STATUSES] } }),
        (row) => row.report.id,
      ),
    ),
    activeAssignmentByCrew: new DataLoader<string, Assignment | undefined>(async (crewIds) => {
      const rows = await em.execute<EntityDictionary<Assignment>[]>(
        `select leader.* from "crew" as c cross join lateral (
           select * from "assignment" where "crew_id" = c."id" and ${ACTIVE_SQL} order by ${LEADING_ORDER_SQL} limit 1
         ) as leader where c."id" in (?)`,
        [[...crewIds]],
      );
      return byKey(crewIds, rows.map((row) => em.map(Assignment, row)), (row) => row.crew.id);
    }),
    assignmentsByReport: new DataLoader<string, Assignment[]>(async (reportIds) =>
      groupBy(
        reportIds,
        await em.find(Assignment, { report: { $in: [...reportIds] } }, { orderBy: { createdAt: 'asc', id: 'asc' } }),
        (row) => row.report.id,
      ),
    ),
    timelineByReport: new DataLoader<string, TimelineEntry[]>(async (reportIds) =>
      groupBy(
        reportIds,
        await em.find(TimelineEntry, { report: { $in: [...reportIds] } }, { orderBy: { at: 'asc', id: 'asc' } }),
        (row) => row.report.id,
      ),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
