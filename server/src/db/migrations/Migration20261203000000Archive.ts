import { Migration } from '@mikro-orm/migrations';

/**
 * The archive (issue 13) pages every report newest or oldest first by when it came or last changed, with
 * the id breaking ties: `reports(orderBy: RECEIVED_DESC | RECEIVED_ASC | UPDATED_DESC)`. A keyset page on
 * `(received_at, id)` or `(updated_at, id)` is an index range only with both columns in one index (read
 * backwards for newest first). It replaces the single-column `report_received_at_index`: that one cannot give the
 * tie-break, yet, being narrower, the planner preferred it and an incremental sort to the pair; the pair serves every
 * read by receipt time the single column did.
 */
export class Migration20261203000000Archive extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "report_received_at_id_index" on "report" ("received_at", "id");`);
    this.addSql(`create index "report_updated_at_id_index" on "report" ("updated_at", "id");`);
    this.addSql(`drop index "report_received_at_index";`);
  }
}
