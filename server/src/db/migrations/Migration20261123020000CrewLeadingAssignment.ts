import { Migration } from '@mikro-orm/migrations';

/**
 * A crew's status follows the active assignment furthest along (ON_SITE, EN_ROUTE, ACCEPTED, PENDING).
 * This partial index keeps that assignment first per crew, so finding it reads one index entry however
 * many active assignments the crew holds. The CASE must stay identical to `leadingOrderSql` in
 * assignments/assignments.mapper.ts, or the planner cannot match it.
 */
export class Migration20261123020000CrewLeadingAssignment extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index "assignment_crew_leading_index" on "assignment" ("crew_id", (case "status" when 'ON_SITE' then 3 when 'EN_ROUTE' then 2 when 'ACCEPTED' then 1 else 0 end) desc, "created_at", "id") where "status" in ('PENDING', 'ACCEPTED', 'EN_ROUTE', 'ON_SITE');`,
    );
  }
}
