import { ArgsType, Extensions, Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import type { CostExtensions } from '../common/limits.js';
import { ViewType } from '../common/view-type.js';
import { BeneficiaryType, Channel, Priority } from '../reports/reports.enums.js';
import { INDICATOR_CODES, INDICATORS, type IndicatorCode } from './indicators.definitions.js';
import { IndicatorBucket, IndicatorDimension, IndicatorGroup, IndicatorUnit } from './indicators.enums.js';

/**
 * The most rows one answer may hold: a year of days, or a year of weeks by department. The service refuses a
 * question whose rows could exceed it (buckets × the possible values of each dimension) before any work, and
 * the cost rule counts a list of rows as this many.
 */
export const INDICATOR_ROWS_MAX = 400;
const ROWS: CostExtensions = { maxItems: INDICATOR_ROWS_MAX };
/** At most three dimensions at once. */
export const INDICATOR_DIMENSIONS_MAX = 3;
const KEYS: CostExtensions = { maxItems: INDICATOR_DIMENSIONS_MAX };

@InputType({ description: 'A period [from, to): from included, to excluded; at most 5 years' })
export class PeriodInput {
  @Field(() => Date, { description: 'The first instant of the period' })
  from!: Date;

  @Field(() => Date, { description: 'The instant after the period (excluded); after from' })
  to!: Date;
}

@InputType({ description: 'Which reports the indicators count (each list: any of; absent or empty: all). Follow-ups, calls and jobs count with their report.' })
export class IndicatorFilter {
  @Field(() => [Channel], { nullable: true, description: 'Channels the reports arrived by' })
  channels?: Channel[] | null;

  @Field(() => [String], { nullable: true, description: 'Category codes' })
  categoryCodes?: string[] | null;

  @Field(() => [String], { nullable: true, description: "Department codes (a report's department is its category's)" })
  departmentCodes?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Municipality codes' })
  municipalityCodes?: string[] | null;

  @Field(() => [BeneficiaryType], { nullable: true, description: 'Who filed them (a report without one matches none of these)' })
  beneficiaryTypes?: BeneficiaryType[] | null;

  @Field(() => [Priority], { nullable: true, description: "The reports' current priorities" })
  priorities?: Priority[] | null;
}

@ArgsType()
export class IndicatorsArgs {
  @Field(() => PeriodInput, { description: 'The period, [from, to)' })
  period!: PeriodInput;

  @Field(() => [IndicatorDimension], { defaultValue: [], description: 'Group the rows by these (at most 3); none: one row for the whole period' })
  groupBy!: IndicatorDimension[];

  @Field(() => IndicatorFilter, { nullable: true, description: 'Which reports count; none: every report' })
  filter?: IndicatorFilter | null;
}

@ArgsType()
export class IndicatorSeriesArgs extends IndicatorsArgs {
  @Field(() => IndicatorBucket, { description: 'One row per Asia/Riyadh day, week (Sunday first) or month of the period (and per group)' })
  bucket!: IndicatorBucket;
}

@ViewType('IndicatorKey', "One dimension's value in a row: its code, and its Arabic and English name where a reference table has one")
export class IndicatorKeyView {
  @Field(() => IndicatorDimension, { description: 'Which groupBy dimension this is' })
  dimension!: IndicatorDimension;

  @Field(() => String, { nullable: true, description: 'The value: an enum value, a reference code or a crew id; null when the report has none (no beneficiary type given)' })
  code!: string | null;

  @Field(() => String, { nullable: true, description: 'Its Arabic name (categories, departments, municipalities, crews); null for enum values, which the console words itself' })
  labelAr!: string | null;

  @Field(() => String, { nullable: true, description: 'Its English name, like labelAr' })
  labelEn!: string | null;
}

/**
 * One row of indicators: a group (its keys) over the period or over one bucket of a series. Besides
 * `bucketStart` and `keys`, it has one nullable field per indicator of `INDICATORS`, added below from that
 * table so the row and the definitions cannot drift apart.
 */
@ViewType('IndicatorRow', 'Every indicator for one group (and, in a series, one bucket); see indicatorDefinitions for each rule')
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the interface below types the fields the loop adds from INDICATORS
export class IndicatorRowView {
  @Field(() => String, { nullable: true, description: 'In a series: the first Asia/Riyadh day of the bucket (YYYY-MM-DD); null in indicators' })
  bucketStart!: string | null;

  @Extensions(KEYS)
  @Field(() => [IndicatorKeyView], { description: 'The value of each groupBy dimension, in the order asked' })
  keys!: IndicatorKeyView[];
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- one nullable field per indicator, declared by the loop below
export interface IndicatorRowView extends Record<IndicatorCode, number | null> {}

const SCALAR = { COUNT: Int, MINUTES: Int, SHARE: Float, SCORE: Float } as const;
for (const code of INDICATOR_CODES) {
  const definition = INDICATORS[code];
  Field(() => SCALAR[definition.unit], { nullable: true, description: `${definition.labelEn} (${definition.unit.toLowerCase()}): ${definition.rule}` })(IndicatorRowView.prototype, code);
}

@ObjectType('IndicatorDefinition', { description: 'What an indicator means: its code (its field on IndicatorRow), labels, unit and exact rule' })
export class IndicatorDefinitionView {
  @Field(() => String, { description: 'The indicator, also its field on IndicatorRow' })
  code!: string;

  @Field(() => IndicatorGroup, { description: 'Its family in the published package' })
  group!: IndicatorGroup;

  @Field(() => IndicatorUnit, { description: 'How its number reads (count, minutes, share or score)' })
  unit!: IndicatorUnit;

  @Field(() => String, { description: 'Its name in Arabic' })
  labelAr!: string;

  @Field(() => String, { description: 'Its name in English' })
  labelEn!: string;

  @Field(() => String, { description: 'The exact rule (English)' })
  rule!: string;

  @Field(() => Boolean, { description: 'A satisfaction figure: null in a row with fewer than 5 reached follow-ups' })
  hiddenInSmallGroups!: boolean;
}

/** How many indicator definitions there are, for the cost rule. */
export const DEFINITIONS: CostExtensions = { maxItems: INDICATOR_CODES.length };
export { ROWS as INDICATOR_ROWS_COST };
