import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { ACTIVE_ASSIGNMENT_STATUSES } from '../assignments/assignments.enums.js';
import { Assignment } from '../assignments/assignments.entity.js';
import { toAssignmentView } from '../assignments/assignments.mapper.js';
import { leadingAssignments, type LeadingAssignment } from '../assignments/assignments.leading.js';
import type { AssignmentView } from '../assignments/assignments.types.js';
import { CREW_READ } from '../crews/crews.mapper.js';
import type { CrewView } from '../crews/crews.types.js';
import type { ReferenceService } from '../reference/reference.service.js';
import { Report, TimelineEntry } from '../reports/reports.entity.js';
import type { ReportPage } from '../reports/reports.service.js';

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

/**
 * Batch loaders for one request: a page of 100 reports with their crew and active assignment costs one
 * query per relation, not one per row. Categories, municipalities and departments come from the
 * reference snapshot (at most 30 s old), usually without a query.
 */
export function createLoaders(em: EntityManager, reference: ReferenceService) {
  return {
    category: { load: (code: string) => reference.categoryByCode(em, code) },
    municipality: { load: (code: string) => reference.municipalityByCode(em, code) },
    department: { load: (code: string) => reference.departmentByCode(em, code) },
    /** Crew views; their derived status comes from `leadingAssignmentByCrew` when a client asks for it. */
    crew: new DataLoader<string, CrewView | undefined>(async (ids) => {
      const rows = await em.execute<CrewView[]>(`select ${CREW_READ.columnsSql(em, 'c')} from crew c where c.id in (?)`, [[...ids]]);
      return byKey(
        ids,
        rows.map((row) => CREW_READ.revive(em, row)),
        (view) => view.id,
      );
    }),
    /** Each crew's leading active assignment (what its status follows); null when it has none. */
    leadingAssignmentByCrew: new DataLoader<string, LeadingAssignment | null>(async (crewIds) => {
      const leading = await leadingAssignments(em, crewIds);
      return crewIds.map((id) => leading.get(id) ?? null);
    }),
    report: new DataLoader<string, Report | undefined>(async (ids) => byKey(ids, await em.find(Report, { id: { $in: [...ids] } }), (row) => row.id)),
    assignment: new DataLoader<string, Assignment | undefined>(async (ids) => byKey(ids, await em.find(Assignment, { id: { $in: [...ids] } }), (row) => row.id)),
    /** A report's active assignment as its view; a report list primes it with what its statement read. */
    activeAssignmentByReport: new DataLoader<string, AssignmentView | undefined>(async (reportIds) =>
      byKey(reportIds, (await em.find(Assignment, { report: { $in: [...reportIds] }, status: { $in: [...ACTIVE_ASSIGNMENT_STATUSES] } })).map(toAssignmentView), (view) => view.reportId),
    ),
    assignmentsByReport: new DataLoader<string, Assignment[]>(async (reportIds) =>
      groupBy(reportIds, await em.find(Assignment, { report: { $in: [...reportIds] } }, { orderBy: { createdAt: 'asc', id: 'asc' } }), (row) => row.report.id),
    ),
    timelineByReport: new DataLoader<string, TimelineEntry[]>(async (reportIds) =>
      groupBy(reportIds, await em.find(TimelineEntry, { report: { $in: [...reportIds] } }, { orderBy: { at: 'asc', id: 'asc' } }), (row) => row.report.id),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

/** Hands a report page's active assignments and crews, read with the page, to the loaders: no second read. */
export function primePage(loaders: Loaders, page: ReportPage): void {
  const { active: actives } = page;
  if (!actives) return;
  page.reports.forEach((report, index) => {
    const active = actives[index];
    loaders.activeAssignmentByReport.prime(report.id, active?.assignment);
    if (active) loaders.crew.prime(active.crew.id, active.crew);
  });
}
