import { Migration } from '@mikro-orm/migrations';

/** Tables, constraints and the indexes the dispatcher's queue, the outbox and intake depend on. */
export class Migration20261123000000Initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "api_key" ("id" uuid not null, "name" varchar(120) not null, "key_hash" varchar(64) not null, "role" text not null, "revoked_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "api_key" add constraint "api_key_key_hash_unique" unique ("key_hash");`);
    this.addSql(`alter table "api_key" add constraint "api_key_role_check" check ("role" in ('DISPATCHER', 'SUPERVISOR', 'CREW', 'INTAKE', 'INTEGRATOR'));`);
    this.addSql(`create table "department" ("code" varchar(40) not null, "name_ar" varchar(200) not null, "name_en" varchar(200) not null, primary key ("code"));`);
    this.addSql(
      `create table "category" ("code" varchar(40) not null, "name_ar" varchar(200) not null, "name_en" varchar(200) not null, "department_code" varchar(40) not null, "default_priority" text not null, "target_hours" int not null, "life_safety" boolean not null, primary key ("code"));`,
    );
    this.addSql(`alter table "category" add constraint "category_default_priority_check" check ("default_priority" in ('CRITICAL', 'HIGH', 'NORMAL', 'LOW'));`);
    this.addSql(
      `create table "dispatch_event" ("id" bigserial primary key, "type" text not null, "occurred_at" timestamptz not null default now(), "report_id" uuid null, "assignment_id" uuid null, "crew_id" uuid null, "payload" jsonb not null);`,
    );
    this.addSql(
      `alter table "dispatch_event" add constraint "dispatch_event_type_check" check ("type" in ('REPORT_CREATED', 'REPORT_UPDATED', 'ASSIGNMENT_CREATED', 'ASSIGNMENT_UPDATED', 'CREW_UPDATED', 'REPORT_OVERDUE'));`,
    );
    this.addSql(
      `create table "municipality" ("code" varchar(40) not null, "name_ar" varchar(200) not null, "name_en" varchar(200) not null, "lat" double precision not null, "lng" double precision not null, primary key ("code"));`,
    );
    this.addSql(
      `create table "crew" ("id" uuid not null, "name" varchar(120) not null, "department_code" varchar(40) not null, "municipality_code" varchar(40) not null, "skills" text[] not null, "on_duty" boolean not null default false, "lat" double precision null, "lng" double precision null, "location_at" timestamptz null, "version" int not null default 1, primary key ("id"));`,
    );
    this.addSql(
      `create table "report" ("id" uuid not null, "reference" varchar(30) not null, "kind" text not null, "channel" text not null, "category_code" varchar(40) not null, "priority" text not null, "priority_rank" smallint not null, "status" text not null default 'RECEIVED', "description" text not null, "lat" double precision not null, "lng" double precision not null, "address" varchar(500) null, "municipality_code" varchar(40) not null, "reporter_name" varchar(200) null, "reporter_phone" varchar(20) null, "beneficiary_type" text null, "received_at" timestamptz not null, "target_at" timestamptz not null, "submitted_by" varchar(60) not null, "idempotency_key" varchar(120) not null, "duplicate_of_id" uuid null, "rejection_reason" varchar(1000) null, "referred_to" varchar(200) null, "overdue_notified_at" timestamptz null, "updated_at" timestamptz not null, "version" int not null default 1, primary key ("id"));`,
    );
    this.addSql(`alter table "report" add constraint "report_reference_unique" unique ("reference");`);
    this.addSql(`create index "report_received_at_index" on "report" ("received_at");`);
    this.addSql(`alter table "report" add constraint "report_submitted_by_idempotency_key_unique" unique ("submitted_by", "idempotency_key");`);
    this.addSql(`alter table "report" add constraint "report_kind_check" check ("kind" in ('INCIDENT', 'NOTE', 'INQUIRY'));`);
    this.addSql(`alter table "report" add constraint "report_channel_check" check ("channel" in ('BALAGHATI_APP', 'WHATSAPP', 'CALL_940', 'WEB_PORTAL', 'EMAIL', 'SOCIAL_MEDIA'));`);
    this.addSql(`alter table "report" add constraint "report_priority_check" check ("priority" in ('CRITICAL', 'HIGH', 'NORMAL', 'LOW'));`);
    this.addSql(`alter table "report" add constraint "report_status_check" check ("status" in ('RECEIVED', 'ASSIGNED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED', 'REJECTED', 'DUPLICATE'));`);
    this.addSql(`alter table "report" add constraint "report_beneficiary_type_check" check ("beneficiary_type" in ('CITIZEN', 'RESIDENT', 'CONTRACTOR', 'INVESTOR', 'STAFF'));`);
    this.addSql(
      `create table "assignment" ("id" uuid not null, "report_id" uuid not null, "crew_id" uuid not null, "status" text not null default 'PENDING', "note" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, primary key ("id"));`,
    );
    this.addSql(`create index "assignment_report_id_index" on "assignment" ("report_id");`);
    this.addSql(`create index "assignment_crew_id_status_index" on "assignment" ("crew_id", "status");`);
    this.addSql(`alter table "assignment" add constraint "assignment_status_check" check ("status" in ('PENDING', 'ACCEPTED', 'EN_ROUTE', 'ON_SITE', 'COMPLETED', 'DECLINED', 'CANCELLED'));`);
    this.addSql(
      `create table "timeline_entry" ("id" bigserial primary key, "report_id" uuid not null, "assignment_id" uuid null, "at" timestamptz not null, "actor" varchar(120) not null, "action" varchar(40) not null, "from_status" varchar(20) null, "to_status" varchar(20) null, "note" text null);`,
    );
    this.addSql(`create index "timeline_entry_report_id_at_index" on "timeline_entry" ("report_id", "at");`);
    this.addSql(
      `create table "app_user" ("id" uuid not null, "username" varchar(80) not null, "password_hash" varchar(300) not null, "role" text not null, "crew_id" uuid null, "active" boolean not null default true, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "app_user" add constraint "app_user_username_unique" unique ("username");`);
    this.addSql(`alter table "app_user" add constraint "app_user_role_check" check ("role" in ('DISPATCHER', 'SUPERVISOR', 'CREW', 'INTAKE', 'INTEGRATOR'));`);
    this.addSql(
      `create table "session" ("id" uuid not null, "token_hash" varchar(64) not null, "user_id" uuid not null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "session" add constraint "session_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "session_user_id_index" on "session" ("user_id");`);
    this.addSql(`alter table "category" add constraint "category_department_code_foreign" foreign key ("department_code") references "department" ("code");`);
    this.addSql(`alter table "crew" add constraint "crew_department_code_foreign" foreign key ("department_code") references "department" ("code");`);
    this.addSql(`alter table "crew" add constraint "crew_municipality_code_foreign" foreign key ("municipality_code") references "municipality" ("code");`);
    this.addSql(`alter table "report" add constraint "report_category_code_foreign" foreign key ("category_code") references "category" ("code");`);
    this.addSql(`alter table "report" add constraint "report_municipality_code_foreign" foreign key ("municipality_code") references "municipality" ("code");`);
    this.addSql(`alter table "report" add constraint "report_duplicate_of_id_foreign" foreign key ("duplicate_of_id") references "report" ("id") on delete set null;`);
    this.addSql(`alter table "assignment" add constraint "assignment_report_id_foreign" foreign key ("report_id") references "report" ("id");`);
    this.addSql(`alter table "assignment" add constraint "assignment_crew_id_foreign" foreign key ("crew_id") references "crew" ("id");`);
    this.addSql(`alter table "timeline_entry" add constraint "timeline_entry_report_id_foreign" foreign key ("report_id") references "report" ("id");`);
    this.addSql(`alter table "app_user" add constraint "app_user_crew_id_foreign" foreign key ("crew_id") references "crew" ("id") on delete set null;`);
    this.addSql(`alter table "session" add constraint "session_user_id_foreign" foreign key ("user_id") references "app_user" ("id");`);

    this.addSql(`alter table "dispatch_event" add column "tx_id" xid8 not null default pg_current_xact_id();`);
    this.addSql(`create index "dispatch_event_cursor_index" on "dispatch_event" ("tx_id", "id");`);
    this.addSql(`create index "dispatch_event_occurred_at_index" on "dispatch_event" ("occurred_at");`);
    this.addSql(`create sequence "report_reference_seq" start 1;`);
    this.addSql(`alter table "report" add constraint "report_location_check" check ("lat" between -90 and 90 and "lng" between -180 and 180);`);
    this.addSql(`create index "report_order_index" on "report" ("priority_rank", "target_at", "id");`);
    this.addSql(`create index "report_queue_index" on "report" ("priority_rank", "target_at", "id") where "status" in ('RECEIVED', 'ASSIGNED', 'IN_PROGRESS');`);
    this.addSql(`create index "report_overdue_scan_index" on "report" ("target_at") where "status" in ('RECEIVED', 'ASSIGNED', 'IN_PROGRESS') and "overdue_notified_at" is null;`);
    this.addSql(`create index "report_municipality_index" on "report" ("municipality_code", "priority_rank", "target_at");`);
    this.addSql(`create unique index "assignment_one_active_per_report" on "assignment" ("report_id") where "status" in ('PENDING', 'ACCEPTED', 'EN_ROUTE', 'ON_SITE');`);
  }
}
