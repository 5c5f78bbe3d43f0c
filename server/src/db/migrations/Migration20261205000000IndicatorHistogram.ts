import { Migration } from '@mikro-orm/migrations';
import { column, HISTOGRAM_DDL, rebuildSql } from '../../indicators/indicators.rollup.js';

/**
 * `indicator_histogram` (issue 14): per one-dimension grain, month or week, dimension value and duration kind, how
 * many durations fell on each step, so medians and percentiles of long periods rank counted steps instead of every
 * duration; `indicator_percentile`, each month's and week's percentiles ranked once; and the rollups' `open_now`
 * (reports received that day and open now), from which open and overdue now is read. The received facts gained
 * their open-now flag, so the aggregates are rebuilt from the raw tables in the same transaction (as
 * `indicators:rebuild` does); the projector keeps them from then on.
 */
export class Migration20261205000000IndicatorHistogram extends Migration {
  override async up(): Promise<void> {
    for (const statement of HISTOGRAM_DDL) this.addSql(`${statement};`);
    // A database migrated before this column existed lacks it; one created since has it from ROLLUP_DDL already.
    this.addSql(`alter table "indicator_rollup" add column if not exists "${column('openNow')}" int not null default 0;`);
    for (const statement of rebuildSql()) this.addSql(`${statement};`);
  }
}
