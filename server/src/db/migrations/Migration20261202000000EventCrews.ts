import { Migration } from '@mikro-orm/migrations';

/**
 * An outbox row names every crew that sees it (the access policy's `eventCrews`): for a report event, all
 * crews holding the report when it was written, the same rule as reading the report, where one column held
 * only the crew of the active assignment. Existing rows keep the crew they named.
 */
export class Migration20261202000000EventCrews extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "dispatch_event" add column "crew_ids" uuid[] not null default '{}';`);
    this.addSql(`update "dispatch_event" set "crew_ids" = array["crew_id"] where "crew_id" is not null;`);
    this.addSql(`alter table "dispatch_event" drop column "crew_id";`);
  }
}
