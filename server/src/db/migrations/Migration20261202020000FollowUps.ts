import { Migration } from '@mikro-orm/migrations';

/**
 * The satisfaction center (issue 12): the AGENT role; follow-ups (one open per report: the partial unique index) with
 * their attempts, found for `claimNextFollowUp` through a partial index of the open ones in call order; a report's
 * inquiry answer and whether a follow-up reopened it; and the reporter's phone in E.164, indexed, so a caller's
 * history is one index read. Existing phones are normalised here as the code does for Saudi numbers.
 */
export class Migration20261202020000FollowUps extends Migration {
  override async up(): Promise<void> {
    for (const table of ['app_user', 'api_key']) {
      this.addSql(`alter table "${table}" drop constraint "${table}_role_check";`);
      this.addSql(`alter table "${table}" add constraint "${table}_role_check" check ("role" in ('DISPATCHER', 'SUPERVISOR', 'CREW', 'INTAKE', 'INTEGRATOR', 'AGENT'));`);
    }
    this.addSql(`alter table "dispatch_event" drop constraint "dispatch_event_type_check";`);
    this.addSql(
      `alter table "dispatch_event" add constraint "dispatch_event_type_check" check ("type" in ('REPORT_CREATED', 'REPORT_UPDATED', 'ASSIGNMENT_CREATED', 'ASSIGNMENT_UPDATED', 'CREW_UPDATED', 'REPORT_OVERDUE', 'FOLLOWUP_CREATED', 'FOLLOWUP_UPDATED'));`,
    );
    this.addSql(
      `alter table "report" add column "answer" text null, add column "answered_at" timestamptz null, add column "reopened_after_follow_up_at" timestamptz null, add column "reporter_phone_e164" varchar(20) null;`,
    );
    this.addSql(`update "report" set "reporter_phone_e164" = case
        when "reporter_phone" ~ '^\\+[0-9]{7,15}$' then "reporter_phone"
        when "reporter_phone" ~ '^00[0-9]{7,15}$' then '+' || substr("reporter_phone", 3)
        when "reporter_phone" ~ '^0[0-9]{8,9}$' then '+966' || substr("reporter_phone", 2)
        when "reporter_phone" ~ '^966[0-9]{8,9}$' then '+' || "reporter_phone"
        when "reporter_phone" ~ '^5[0-9]{8}$' then '+966' || "reporter_phone"
        else null end where "reporter_phone" is not null;`);
    this.addSql(`create index "report_reporter_phone_index" on "report" ("reporter_phone_e164", "received_at" desc) where "reporter_phone_e164" is not null;`);
    this.addSql(`create table "follow_up" (
      "id" uuid not null primary key,
      "report_id" uuid not null references "report" ("id") on update cascade,
      "status" varchar(20) not null check ("status" in ('PENDING', 'REACHED', 'UNREACHABLE')),
      "phone" varchar(20) not null,
      "beneficiary_type" varchar(20) null,
      "due_at" timestamptz not null,
      "next_attempt_at" timestamptz not null,
      "attempts" int not null default 0,
      "unanswered" int not null default 0,
      "claimed_by" uuid null,
      "claimed_by_name" varchar(120) null,
      "claimed_until" timestamptz null,
      "satisfaction" int null check ("satisfaction" between 1 and 5),
      "fixed" varchar(10) null check ("fixed" in ('YES', 'NO', 'PARTLY')),
      "comment" text null,
      "closed_reason" text null,
      "created_at" timestamptz not null,
      "completed_at" timestamptz null,
      "completed_by" varchar(120) null,
      "version" int not null default 1
    );`);
    this.addSql(`create unique index "follow_up_one_open_per_report" on "follow_up" ("report_id") where "status" = 'PENDING';`);
    this.addSql(`create index "follow_up_report_index" on "follow_up" ("report_id", "created_at");`);
    this.addSql(`create index "follow_up_callable_index" on "follow_up" ("next_attempt_at", "id") where "status" = 'PENDING';`);
    this.addSql(`create index "follow_up_completed_index" on "follow_up" ("completed_at") where "completed_at" is not null;`);
    this.addSql(`create table "follow_up_attempt" (
      "id" bigserial primary key,
      "follow_up_id" uuid not null references "follow_up" ("id") on update cascade on delete cascade,
      "at" timestamptz not null,
      "agent" varchar(120) not null,
      "outcome" varchar(20) not null check ("outcome" in ('NO_ANSWER', 'BUSY', 'WRONG_NUMBER', 'CALL_BACK_LATER', 'REACHED')),
      "note" text null,
      "call_back_at" timestamptz null
    );`);
    this.addSql(`create index "follow_up_attempt_follow_up_index" on "follow_up_attempt" ("follow_up_id", "at");`);
  }
}
