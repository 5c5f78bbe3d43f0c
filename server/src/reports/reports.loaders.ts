import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { byKey, groupBy } from '../common/loaders.js';
import { Report, TimelineEntry } from './reports.entity.js';

/** Reports and their timelines for one request: a page of 100 reports costs one query per relation, not one per row. */
export function createReportLoaders(em: EntityManager) {
  return {
    report: new DataLoader<string, Report | undefined>(async (ids) => byKey(ids, await em.find(Report, { id: { $in: [...ids] } }), (row) => row.id)),
    timelineByReport: new DataLoader<string, TimelineEntry[]>(async (reportIds) =>
      groupBy(reportIds, await em.find(TimelineEntry, { report: { $in: [...reportIds] } }, { orderBy: { at: 'asc', id: 'asc' } }), (row) => row.report.id),
    ),
  };
}

declare module '../access/access.context.js' {
  interface Loaders extends ReturnType<typeof createReportLoaders> {}
}
