import { Migration } from '@mikro-orm/migrations';
import { factsRebuildSql, PROJECTOR_START_SQL, ROLLUP_DDL } from '../../indicators/indicators.rollup.js';

/**
 * The performance indicators' maintained aggregates (issue 14): `indicator_fact` (one narrow row per happening,
 * with its report's dimensions and Riyadh day), `indicator_rollup` (additive figures per grain, day and dimension
 * values) and the projector's outbox cursor, filled from the existing data by the same set-based rebuild as
 * `indicators:rebuild`. The cursor starts at the oldest running transaction, so nothing written meanwhile is lost.
 */
export class Migration20261204000000Indicators extends Migration {
  override async up(): Promise<void> {
    for (const statement of ROLLUP_DDL) this.addSql(`${statement};`);
    this.addSql(`${PROJECTOR_START_SQL};`);
    for (const statement of factsRebuildSql()) this.addSql(`${statement};`);
  }
}
