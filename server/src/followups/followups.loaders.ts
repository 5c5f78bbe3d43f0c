import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { groupBy } from '../common/loaders.js';
import { FollowUp, FollowUpAttempt } from './followups.entity.js';

/** Follow-ups for one request: each report's latest, and each follow-up's calls, one query per batch. */
export function createFollowUpLoaders(em: EntityManager) {
  return {
    latestFollowUpByReport: new DataLoader<string, FollowUp | undefined>(async (reportIds) => {
      const rows = await em.find(FollowUp, { report: { $in: [...reportIds] } }, { orderBy: { createdAt: 'desc', id: 'desc' } });
      const latest = new Map<string, FollowUp>();
      for (const row of rows) {
        if (!latest.has(row.report.id)) latest.set(row.report.id, row);
      }
      return reportIds.map((id) => latest.get(id));
    }),
    attemptsByFollowUp: new DataLoader<string, FollowUpAttempt[]>(async (ids) =>
      groupBy(ids, await em.find(FollowUpAttempt, { followUp: { $in: [...ids] } }, { orderBy: { at: 'asc', id: 'asc' } }), (row) => row.followUp.id),
    ),
  };
}

declare module '../access/access.context.js' {
  interface Loaders extends ReturnType<typeof createFollowUpLoaders> {}
}
