import { Migration } from '@mikro-orm/migrations';

/**
 * Duplicates before they become alarms, and CRITICAL reports pinned until acknowledged (issue 13).
 * - `category.duplicate_radius_m` / `duplicate_window_hours`: a category's own duplicate rule; null takes
 *   DUPLICATE_RADIUS_M / DUPLICATE_WINDOW_HOURS.
 * - `report_duplicate_index`: the candidates of a report are its category's reports received within the window
 *   and inside a lat/lng box around it. A B-tree on (category, received_at, lat, lng) answers that as one range
 *   per report, with the box checked on the index entries, so only nearby rows reach the heap (no PostGIS here;
 *   the exact distance is computed afterwards). At 1,000,000 reports the planner uses it (test/duplicates.test.ts).
 * - `duplicate_dismissal`: pairs a dispatcher marked "not a duplicate", stored once per pair (lower id first).
 * - `report.acknowledged_at` / `acknowledged_by`: a dispatcher saw a CRITICAL report, a fact every console shares.
 */
export class Migration20261203010000Duplicates extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "category" add column "duplicate_radius_m" int null, add column "duplicate_window_hours" int null;`);
    this.addSql(`alter table "report" add column "acknowledged_at" timestamptz null, add column "acknowledged_by" varchar(120) null;`);
    this.addSql(`create index "report_duplicate_index" on "report" ("category_code", "received_at", "lat", "lng");`);
    this.addSql(
      `create table "duplicate_dismissal" ("report_id" uuid not null, "other_id" uuid not null, "dismissed_at" timestamptz not null, "dismissed_by" varchar(120) not null, primary key ("report_id", "other_id"), constraint "duplicate_dismissal_ordered_check" check ("report_id" < "other_id"));`,
    );
    this.addSql(`create index "duplicate_dismissal_other_id_index" on "duplicate_dismissal" ("other_id");`);
    this.addSql(`alter table "duplicate_dismissal" add constraint "duplicate_dismissal_report_id_foreign" foreign key ("report_id") references "report" ("id") on delete cascade;`);
    this.addSql(`alter table "duplicate_dismissal" add constraint "duplicate_dismissal_other_id_foreign" foreign key ("other_id") references "report" ("id") on delete cascade;`);
  }
}
