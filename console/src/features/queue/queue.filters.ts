import type { Priority, ReportRow, ReportStatus } from '../../domain/report.ts';

/** The queue's filters; an empty value means "any". */
export interface QueueFilter {
  municipality: string;
  category: string;
  priority: Priority | '';
  status: ReportStatus | '';
  /** Free text matched against reference, description and address, case-insensitively. */
  text: string;
}

export function emptyFilter(): QueueFilter {
  return { municipality: '', category: '', priority: '', status: '', text: '' };
}

export function isFiltering(filter: QueueFilter): boolean {
  return Boolean(filter.municipality || filter.category || filter.priority || filter.status || filter.text.trim());
}

/** The rows that pass the filter, in their original (queue) order; always a new array. */
export function filterQueue(rows: readonly ReportRow[], filter: QueueFilter): ReportRow[] {
  if (!isFiltering(filter)) return rows.slice();
  const words = filter.text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return rows.filter(
    (row) =>
      (!filter.municipality || row.municipalityCode === filter.municipality) &&
      (!filter.category || row.categoryCode === filter.category) &&
      (!filter.priority || row.priority === filter.priority) &&
      (!filter.status || row.status === filter.status) &&
      words.every((word) => row.search.includes(word)),
  );
}

/** How many of the rows are past their response target at `now`. */
export function countOverdue(rows: readonly ReportRow[], now: number): number {
  let count = 0;
  for (const row of rows) if (row.targetAt < now) count += 1;
  return count;
}
