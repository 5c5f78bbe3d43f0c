import { Migration } from '@mikro-orm/migrations';
import { HISTOGRAM_DDL, HISTOGRAM_FILL_SQL, PERCENTILE_FILL_SQL } from '../../indicators/indicators.rollup.js';

/**
 * `indicator_histogram` (issue 14): per one-dimension grain, month or week, dimension value and duration kind, how
 * many durations fell on each step, so medians and percentiles of long periods rank counted steps instead of every
 * duration; and `indicator_percentile`, each month's and week's percentiles ranked once. Filled from
 * `indicator_fact` in the same transaction; the projector keeps them from then on.
 */
export class Migration20261205000000IndicatorHistogram extends Migration {
  override async up(): Promise<void> {
    for (const statement of HISTOGRAM_DDL) this.addSql(`${statement};`);
    this.addSql(`${HISTOGRAM_FILL_SQL};`);
    this.addSql(`${PERCENTILE_FILL_SQL};`);
  }
}
