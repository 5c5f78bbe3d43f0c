import { Field, Int } from 'type-graphql';
import { ViewType } from '../common/view-type.js';
import { ReportStatus } from './reports.enums.js';

/**
 * A report that may be the same problem as the one asked about: same category, near in place and time.
 * `reference`, `status`, `open`, `distanceMeters`, `minutesApart` and `earlier` hold no personal data, so every
 * reader of the asking report gets them (a gateway tells its citizen "already reported as 940-…"); `report`,
 * the whole other report, follows the report audience (see `seesDuplicateHints` in the access policy).
 */
@ViewType('PossibleDuplicate', 'Another report that may be the same problem: same category, near in place and time (a suggestion; merge it with markDuplicate or dismiss it with dismissDuplicate)')
export class PossibleDuplicateView {
  @Field(() => String, { description: 'Its reference, e.g. 940-2026-000123: what a gateway quotes to the citizen' })
  reference!: string;

  @Field(() => ReportStatus, { description: 'Its status' })
  status!: ReportStatus;

  @Field(() => Boolean, { description: 'Whether it is open work (being handled): a CRITICAL report that repeats an open one raises a quieter alert' })
  open!: boolean;

  @Field(() => Int, { description: 'Straight-line distance between the two reports, in metres' })
  distanceMeters!: number;

  @Field(() => Int, { description: 'Minutes between the two receipts, whichever came first' })
  minutesApart!: number;

  @Field(() => Boolean, { description: 'Whether it was received before the report asked about' })
  earlier!: boolean;

  reportId!: string;
}
