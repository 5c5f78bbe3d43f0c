import { Migration } from '@mikro-orm/migrations';

/**
 * Photos and voice notes (issue 11): one row per uploader and content hash, attached to a report (and for a
 * crew's after-photos its assignment). The bytes are in the media store, not here. The partial index finds
 * unattached uploads for the maintenance job without reading attached ones; `server_secret` keeps the key
 * that signs media links when MEDIA_URL_SECRET is not set, so every replica on the database agrees.
 */
export class Migration20261202010000Media extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "media" (
      "id" uuid not null primary key,
      "kind" varchar(255) not null check ("kind" in ('PHOTO', 'VOICE')),
      "purpose" varchar(255) null check ("purpose" in ('REPORT', 'AFTER_WORK')),
      "content_type" varchar(60) not null,
      "display_type" varchar(60) null,
      "bytes" int not null,
      "sha256" varchar(64) not null,
      "width" int null,
      "height" int null,
      "duration_seconds" double precision null,
      "uploaded_by" varchar(80) not null,
      "uploaded_at" timestamptz not null,
      "report_id" uuid null references "report" ("id") on update cascade on delete set null,
      "assignment_id" uuid null references "assignment" ("id") on update cascade on delete set null,
      "attached_at" timestamptz null,
      constraint "media_uploaded_by_sha256_unique" unique ("uploaded_by", "sha256")
    );`);
    this.addSql(`create index "media_report_id_index" on "media" ("report_id");`);
    this.addSql(`create index "media_assignment_id_index" on "media" ("assignment_id");`);
    this.addSql(`create index "media_sha256_index" on "media" ("sha256");`);
    this.addSql(`create index "media_unattached_index" on "media" ("uploaded_at") where "report_id" is null;`);
    this.addSql(`create table "server_secret" ("name" varchar(40) not null primary key, "value" text not null);`);
  }
}
