import { emptyArchiveFilter, toQuery, type ArchiveFilter } from '../archive/archive.filters.ts';
import type { DayRange } from './dashboard.period.ts';

/** The dimensions a bar or a scorecard row stands for, and the archive condition each becomes. */
export type DrillDimension = 'MUNICIPALITY' | 'DEPARTMENT' | 'CATEGORY' | 'CHANNEL';

const CONDITION: Record<DrillDimension, 'municipality' | 'department' | 'category' | 'channel'> = {
  MUNICIPALITY: 'municipality',
  DEPARTMENT: 'department',
  CATEGORY: 'category',
  CHANNEL: 'channel',
};

/**
 * The archive address listing the reports behind a bar or a row: received in the period's days (the archive's
 * from/to, both inclusive, in Riyadh) and of that municipality, department, category or channel, written with
 * the archive's own query keys (archive.filters.ts), so the link is the same one its form would make.
 */
export function drillDownUrl(range: DayRange, dimension?: DrillDimension, code?: string | null): string {
  const filter: ArchiveFilter = { ...emptyArchiveFilter(), from: range.from, to: range.to };
  if (dimension && code) Object.assign(filter, { [CONDITION[dimension]]: code });
  return `/archive?${toQuery(filter)}`;
}
