import { Migration } from '@mikro-orm/migrations';

/**
 * The archive (issue 13) pages every report newest or oldest first by when it came or last changed, with
 * the id breaking ties: `reports(orderBy: RECEIVED_DESC | RECEIVED_ASC | UPDATED_DESC)`. A keyset page on
 * `(received_at, id)` or `(updated_at, id)` is an index range only with both columns in one index (read
 * backwards for newest first); the older single-column `report_received_at_index` cannot give the tie-break.
 */
export class Migration20261203000000Archive extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "report_received_at_id_index" on "report" ("received_at", "id");`);
    this.addSql(`create index "report_updated_at_id_index" on "report" ("updated_at", "id");`);
  }
}
