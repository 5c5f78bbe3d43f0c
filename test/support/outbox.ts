import { sql } from './factories.js';
import type { App } from './server.js';

/**
 * The order of these reports' events of one type as the outbox table itself gives it: `(tx_id, id)`, read
 * with SQL. The delivery tests compare what a subscriber received against this, rather than decoding the
 * server's cursors with the server's own comparison (which would check the code against itself).
 */
export async function outboxOrder(app: App, type: string, reportIds: string[]): Promise<string[]> {
  const rows = await sql<{ report_id: string }>(
    app,
    `select report_id::text as report_id from dispatch_event
      where type = ? and report_id::text in (select jsonb_array_elements_text(?::jsonb))
      order by tx_id, id`,
    [type, JSON.stringify(reportIds)],
  );
  return rows.map((row) => row.report_id);
}

/** Whether the outbox row of `first`'s event comes before `second`'s in `(tx_id, id)` order, read with SQL. */
export async function outboxBefore(app: App, type: string, first: string, second: string): Promise<boolean> {
  const [row] = await sql<{ before: boolean }>(
    app,
    `select (a.tx_id, a.id) < (b.tx_id, b.id) as before
       from dispatch_event a, dispatch_event b
      where a.type = ? and a.report_id = ? and b.type = ? and b.report_id = ?`,
    [type, first, type, second],
  );
  return row.before;
}
