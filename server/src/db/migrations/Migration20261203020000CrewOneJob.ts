import { Migration } from '@mikro-orm/migrations';

/**
 * A crew works one job at a time: at most one of its assignments is EN_ROUTE or ON_SITE
 * (`WORKING_ASSIGNMENT_STATUSES` in assignments/assignments.enums.ts; test/rule-homes.test.ts compares this
 * predicate with it). The service refuses a second start with CONFLICT; this index holds the rule when two
 * starts race.
 *
 * Before the rule, a crew could be under way on several jobs. Migrations run on every start, so rather than
 * stop the server on such data, each crew keeps the job furthest along (ON_SITE before EN_ROUTE, then the
 * oldest, as `leadingOrderSql` orders them) and its other working jobs go back to ACCEPTED: still the crew's,
 * waiting in its queue, nothing lost; the crew starts them again when it gets there.
 */
export class Migration20261203020000CrewOneJob extends Migration {
  override async up(): Promise<void> {
    this.addSql(`update "assignment" a set "status" = 'ACCEPTED', "version" = a."version" + 1, "updated_at" = now()
      from (
        select "id", row_number() over (partition by "crew_id" order by (case "status" when 'ON_SITE' then 3 when 'EN_ROUTE' then 2 else 0 end) desc, "created_at", "id") as n
        from "assignment" where "status" in ('EN_ROUTE', 'ON_SITE')
      ) w
      where a."id" = w."id" and w.n > 1;`);
    this.addSql(`create unique index "assignment_one_working_per_crew" on "assignment" ("crew_id") where "status" in ('EN_ROUTE', 'ON_SITE');`);
  }
}
