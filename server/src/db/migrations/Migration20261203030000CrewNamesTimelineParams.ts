import { Migration } from '@mikro-orm/migrations';

/**
 * Crews get an English name beside their Arabic one (the `name` column, now the entity's `nameAr`), so each
 * console shows the crew in its viewer's language; the English name starts as today's single name until
 * someone writes it. Timeline lines get
 * `params`: what the server used to spell out in English inside the note (the crew assigned, the report
 * merged with, the media counted) is stored as data and the console words it, so `note` keeps only what a
 * person typed. Old lines keep their note as it was written.
 */
export class Migration20261203030000CrewNamesTimelineParams extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "crew" add column "name_en" varchar(120) null;`);
    this.addSql(`update "crew" set "name_en" = "name";`);
    this.addSql(`alter table "crew" alter column "name_en" set not null;`);
    this.addSql(`alter table "timeline_entry" add column "params" jsonb null;`);
  }
}
