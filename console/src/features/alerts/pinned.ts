import type { ReportRow } from '../../domain/report.ts';

/** Whether a row is pinned at the top of the queue: CRITICAL, open, and no dispatcher has acknowledged it yet (the server's fact). */
export function isPinned(row: Pick<ReportRow, 'priority' | 'open' | 'acknowledged'>): boolean {
  return row.priority === 'CRITICAL' && row.open && !row.acknowledged;
}

/**
 * The queue as a dispatcher sees it: unacknowledged CRITICAL reports first, then every other report, each part
 * in the order given (the server's: priority, then time left, so acknowledged CRITICAL reports follow by time
 * left). A view over the rows the console holds; the server's order and its index stay as they are, and since
 * they put CRITICAL first the rows to pin are always among the first loaded.
 */
export function pinUnacknowledged<T extends Pick<ReportRow, 'priority' | 'open' | 'acknowledged'>>(rows: readonly T[]): readonly T[] {
  const pinned = rows.filter(isPinned);
  if (pinned.length === 0) return rows;
  return [...pinned, ...rows.filter((row) => !isPinned(row))];
}
