import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { groupBy } from '../common/loaders.js';
import { Media } from './media.entity.js';

/** Media for one request: a report's (all of it, evidence and after-photos) and an assignment's after-photos, oldest first, one query per batch. */
export function createMediaLoaders(em: EntityManager) {
  return {
    mediaByReport: new DataLoader<string, Media[]>(async (reportIds) =>
      groupBy(reportIds, await em.find(Media, { report: { $in: [...reportIds] } }, { orderBy: { attachedAt: 'asc', uploadedAt: 'asc', id: 'asc' } }), (row) => row.report?.id ?? ''),
    ),
    mediaByAssignment: new DataLoader<string, Media[]>(async (assignmentIds) =>
      groupBy(assignmentIds, await em.find(Media, { assignment: { $in: [...assignmentIds] } }, { orderBy: { attachedAt: 'asc', uploadedAt: 'asc', id: 'asc' } }), (row) => row.assignment?.id ?? ''),
    ),
  };
}

declare module '../access/access.context.js' {
  interface Loaders extends ReturnType<typeof createMediaLoaders> {}
}
