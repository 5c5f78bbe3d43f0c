import { Migration } from '@mikro-orm/migrations';

/**
 * Who has a report open now (issue 13): one row per open report page, shared by every server process so a
 * dispatcher on one replica sees a colleague on another. Unlogged: presence lives seconds to hours and is
 * rebuilt by the open pages themselves, so it is not worth a WAL record per page opened; after a crash
 * PostgreSQL empties it, which is what a crash means for presence anyway. `instance_id` is the server process
 * that holds the page's socket: it refreshes `expires_at` for all its rows in one statement, and when it dies
 * its rows pass `expires_at` and any process sweeps them.
 */
export class Migration20261203040000Presence extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create unlogged table "report_presence" ("id" uuid not null, "report_id" uuid not null, "user_id" uuid not null, "name" varchar(120) not null, "role" text not null, "instance_id" uuid not null, "since" timestamptz not null, "expires_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "report_presence_report_index" on "report_presence" ("report_id");`);
    this.addSql(`create index "report_presence_user_index" on "report_presence" ("user_id");`);
    this.addSql(`create index "report_presence_instance_index" on "report_presence" ("instance_id");`);
    this.addSql(`create index "report_presence_expires_index" on "report_presence" ("expires_at");`);
  }
}
