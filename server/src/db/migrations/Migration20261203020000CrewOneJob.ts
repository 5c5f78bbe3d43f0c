import { Migration } from '@mikro-orm/migrations';

/**
 * A crew works one job at a time: at most one of its assignments is EN_ROUTE or ON_SITE
 * (`WORKING_ASSIGNMENT_STATUSES` in assignments/assignments.enums.ts; test/rule-homes.test.ts compares this
 * predicate with it). The service refuses a second start with CONFLICT; this index holds the rule when two
 * starts race. A database where a crew already works two jobs fails here with a duplicate key error naming
 * the index: find them with `select crew_id from assignment where status in ('EN_ROUTE', 'ON_SITE') group by
 * crew_id having count(*) > 1`, finish or cancel one, and migrate again.
 */
export class Migration20261203020000CrewOneJob extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create unique index "assignment_one_working_per_crew" on "assignment" ("crew_id") where "status" in ('EN_ROUTE', 'ON_SITE');`);
  }
}
