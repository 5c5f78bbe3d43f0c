import { Migration } from '@mikro-orm/migrations';

/**
 * Text search (`reports(filter: { text })`) is `ilike '%…%'` over the description and the reference.
 * A B-tree cannot serve a pattern with a leading wildcard, so without these the search read every
 * report; pg_trgm's GIN indexes find the candidate rows from the pattern's trigrams instead. pg_trgm
 * is a trusted extension (PostgreSQL 13+): the database owner may create it without being superuser.
 * Trigrams are taken from letters as the database's LC_CTYPE classifies them, so the database must have
 * a UTF-8 ctype for Arabic words to yield any (see `startEmbeddedPostgres` and README "Text search").
 */
export class Migration20261201010000SearchIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create extension if not exists pg_trgm;`);
    this.addSql(`create index "report_description_trgm_index" on "report" using gin ("description" gin_trgm_ops);`);
    this.addSql(`create index "report_reference_trgm_index" on "report" using gin ("reference" gin_trgm_ops);`);
  }
}
