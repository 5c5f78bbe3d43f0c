import { IndicatorGroup, IndicatorUnit } from './indicators.enums.js';

/**
 * The performance indicators (issue 14), written once. Each entry is the indicator's name (its code, which is
 * also its field on `IndicatorRow`), its Arabic and English label, its unit and the exact rule it counts by.
 * The GraphQL row type, `indicatorDefinitions` (what the console labels and explains with), the README's
 * "Indicators" section (a test compares them) and both implementations are read from this table.
 *
 * Common to every rule:
 * - A period is `[from, to)` in instants; days, weeks (Sunday first) and months are Asia/Riyadh ones.
 * - Something happens "in the period" when its time is at or after `from` and before `to`.
 * - A report counts under its current channel, category, department (its category's), municipality,
 *   beneficiary type and priority; a job under its crew.
 * - Durations are whole minutes (seconds ÷ 60, rounded down). A median or 90th percentile is the lower one
 *   (`percentile_disc`): the smallest duration that at least half (nine tenths) of the durations do not exceed,
 *   told to the precision of {@link durationStep}: exact below 64 minutes, and above that rounded down to a
 *   32nd of its doubling (64-127 to 2 minutes, 1024-2047 to 32), so never more than 3.1 % under the exact one.
 * - An indicator with no data is null, never 0 or NaN: a row (group or bucket) in which nothing happened has
 *   every indicator null; a share, mean, median or percentile is null when there is nothing to divide or rank.
 *   A count in a row where something happened is exact, 0 included.
 * - Satisfaction figures (`satisfactionMean`, `satisfiedShare`, `firstTimeFix`) are null in a row with fewer
 *   than {@link SMALL_GROUP} reached follow-ups, so no single reporter's answer can be read back.
 */
export const INDICATOR_TIME_ZONE = 'Asia/Riyadh';

/**
 * Durations up to this many minutes are told exactly in medians and percentiles. Above it, a duration is told
 * to a step of 1/{@link DURATION_STEPS_PER_DOUBLING} of the power of two at or below it. A median of a year at
 * millions of reports then ranks a few hundred counted steps per group and month (indicator_histogram) instead of
 * every duration, so its cost grows with the period and the groups, not the table (issue 14).
 */
export const DURATION_EXACT_BELOW = 64;
/** How many steps each doubling of a duration above {@link DURATION_EXACT_BELOW} is told in (relative precision 1/32). */
export const DURATION_STEPS_PER_DOUBLING = 32;

/** The step a duration of `minutes` is told to, as its lower end: exact below 64, else rounded down to 1/32 of its doubling. Monotone, so a percentile of steps is the step of the percentile. */
export function durationStep(minutes: number): number {
  if (minutes < DURATION_EXACT_BELOW) return minutes;
  const width = 2 ** (31 - Math.clz32(minutes) - Math.log2(DURATION_STEPS_PER_DOUBLING));
  return minutes - (minutes % width);
}

/** {@link durationStep} as an SQL expression over an integer expression (a CASE over the powers of two, so exact and cheap). */
export function durationStepSql(minutes: string): string {
  const shift = Math.log2(DURATION_STEPS_PER_DOUBLING);
  const branches: string[] = [];
  for (let power = Math.log2(DURATION_EXACT_BELOW); power < 31; power++) {
    branches.push(`when ${minutes} < ${2 ** (power + 1)} then ${minutes} & ${~(2 ** (power - shift) - 1)}`);
  }
  return `(case when ${minutes} < ${DURATION_EXACT_BELOW} then ${minutes} ${branches.join(' ')} end)`;
}

/** Fewer reached follow-ups than this in a row hide its satisfaction figures. */
export const SMALL_GROUP = 5;

/** Life-safety reports count as assigned in time when their first assignment came within this many minutes. */
export const LIFE_SAFETY_ASSIGN_MINUTES = 15;

export interface IndicatorDefinition {
  group: IndicatorGroup;
  unit: IndicatorUnit;
  labelAr: string;
  labelEn: string;
  /** The exact rule, in words. */
  rule: string;
  /** A satisfaction figure, hidden in a row with fewer than SMALL_GROUP reached follow-ups. */
  hiddenInSmallGroups?: true;
}

const { VOLUME, SPEED, QUALITY, SATISFACTION, CREWS } = IndicatorGroup;
const { COUNT, MINUTES, SHARE, SCORE } = IndicatorUnit;

/** Every indicator, in the order the API and the README list them. */
export const INDICATORS = {
  received: { group: VOLUME, unit: COUNT, labelAr: 'البلاغات الواردة', labelEn: 'Received', rule: 'Reports (of every kind) whose receivedAt is in the period.' },
  resolved: {
    group: VOLUME,
    unit: COUNT,
    labelAr: 'البلاغات المعالجة',
    labelEn: 'Resolved',
    rule: 'Changes of a report to RESOLVED (a crew completed the job, or an inquiry or note was answered) in the period; a report resolved again after a reopen counts again.',
  },
  closed: { group: VOLUME, unit: COUNT, labelAr: 'البلاغات المغلقة', labelEn: 'Closed', rule: 'Changes of a report to CLOSED in the period.' },
  rejected: { group: VOLUME, unit: COUNT, labelAr: 'البلاغات المرفوضة', labelEn: 'Rejected', rule: 'Changes of a report to REJECTED in the period (referred or invalid).' },
  referred: {
    group: VOLUME,
    unit: COUNT,
    labelAr: 'البلاغات المحالة لجهات أخرى',
    labelEn: 'Referred',
    rule: 'Of the rejections in the period, those whose report names the entity it was referred to.',
  },
  merged: {
    group: VOLUME,
    unit: COUNT,
    labelAr: 'البلاغات المدمجة كمكررة',
    labelEn: 'Merged as duplicates',
    rule: 'Changes of a report to DUPLICATE (merged into the report it repeats) in the period.',
  },
  backlog: {
    group: VOLUME,
    unit: COUNT,
    labelAr: 'البلاغات المفتوحة في نهاية الفترة',
    labelEn: 'Open at the end (backlog)',
    rule: 'Reports received before the end of the period (of a series: of the bucket, or of the period if earlier) whose status at that instant was open (RECEIVED, ASSIGNED or IN_PROGRESS): the last status change before it, by time then order of writing.',
  },
  overdueNow: {
    group: VOLUME,
    unit: COUNT,
    labelAr: 'المفتوحة والمتأخرة الآن',
    labelEn: 'Open and overdue now',
    rule: 'Reports received in the period that are open now and whose targetAt is before now.',
  },
  firstAssignmentMedian: {
    group: SPEED,
    unit: MINUTES,
    labelAr: 'وسيط زمن أول إسناد',
    labelEn: 'Time to first assignment, median',
    rule: 'Over reports whose first assignment to a crew happened in the period: the median of the minutes from receivedAt to that first assignment. Told to its step: exact below 64 minutes, else rounded down to a 32nd of its doubling (under 3.1 % low).',
  },
  firstAssignmentP90: {
    group: SPEED,
    unit: MINUTES,
    labelAr: 'زمن أول إسناد (المئين 90)',
    labelEn: 'Time to first assignment, 90th percentile',
    rule: 'The same durations as the median time to first assignment: their 90th percentile, told to its step the same way.',
  },
  resolutionMedian: {
    group: SPEED,
    unit: MINUTES,
    labelAr: 'وسيط زمن المعالجة',
    labelEn: 'Time to resolution, median',
    rule: "Over the resolutions in the period (see Resolved): the median of the minutes from the report's receivedAt to the resolution. Told to its step: exact below 64 minutes, else rounded down to a 32nd of its doubling (under 3.1 % low).",
  },
  resolutionP90: {
    group: SPEED,
    unit: MINUTES,
    labelAr: 'زمن المعالجة (المئين 90)',
    labelEn: 'Time to resolution, 90th percentile',
    rule: 'The same durations as the median time to resolution: their 90th percentile, told to its step the same way.',
  },
  targetCompliance: {
    group: SPEED,
    unit: SHARE,
    labelAr: 'نسبة الالتزام بالمستهدف',
    labelEn: 'Target compliance',
    rule: "Of the resolutions in the period, the share that came at or before the report's targetAt (a resolution exactly at its target complies).",
  },
  lifeSafetyAssignedIn15: {
    group: SPEED,
    unit: SHARE,
    labelAr: 'بلاغات السلامة المسندة خلال 15 دقيقة',
    labelEn: 'Life-safety assigned within 15 minutes',
    rule: 'Of the CRITICAL (life-safety) reports received in the period, the share whose first assignment came at most 15 minutes after receivedAt (one not yet assigned does not).',
  },
  reopenRate: {
    group: QUALITY,
    unit: SHARE,
    labelAr: 'نسبة إعادة الفتح',
    labelEn: 'Reopen rate',
    rule: 'Of the resolutions in the period, the share after which the report was later reopened (back to RECEIVED from RESOLVED or CLOSED, by a follow-up call or a dispatcher), whenever that reopen happened.',
  },
  firstTimeFix: {
    group: QUALITY,
    unit: SHARE,
    labelAr: 'نسبة الإصلاح من المرة الأولى',
    labelEn: 'First-time fix',
    rule: 'Of the follow-ups REACHED in the period (completedAt in it), the share where the reporter said it was fixed (fixed = YES).',
    hiddenInSmallGroups: true,
  },
  followUpsDue: { group: SATISFACTION, unit: COUNT, labelAr: 'اتصالات المتابعة المستحقة', labelEn: 'Follow-ups due', rule: 'Follow-ups whose dueAt (first callable) is in the period.' },
  followUpsAttempted: {
    group: SATISFACTION,
    unit: COUNT,
    labelAr: 'المتابعات التي جرى الاتصال بها',
    labelEn: 'Follow-ups attempted',
    rule: 'Follow-ups whose first call was made in the period (a follow-up called again later is not counted again).',
  },
  followUpsReached: {
    group: SATISFACTION,
    unit: COUNT,
    labelAr: 'المتابعات التي تم الوصول فيها للمبلّغ',
    labelEn: 'Follow-ups reached',
    rule: 'Follow-ups that ended REACHED in the period (completedAt in it).',
  },
  followUpsUnreachable: {
    group: SATISFACTION,
    unit: COUNT,
    labelAr: 'المتابعات التي تعذر الوصول فيها',
    labelEn: 'Follow-ups unreachable',
    rule: 'Follow-ups that ended UNREACHABLE in the period (completedAt in it).',
  },
  satisfactionMean: {
    group: SATISFACTION,
    unit: SCORE,
    labelAr: 'متوسط الرضا',
    labelEn: 'Mean satisfaction',
    rule: 'The mean rating (1-5) of the follow-ups reached in the period.',
    hiddenInSmallGroups: true,
  },
  satisfiedShare: {
    group: SATISFACTION,
    unit: SHARE,
    labelAr: 'نسبة الراضين',
    labelEn: 'Share satisfied',
    rule: 'Of the follow-ups reached in the period, the share rated 4 or 5.',
    hiddenInSmallGroups: true,
  },
  callsMade: {
    group: SATISFACTION,
    unit: COUNT,
    labelAr: 'الاتصالات المنفذة',
    labelEn: 'Calls made',
    rule: 'Follow-up calls (attempts, whatever their outcome) made in the period; a WEEK series gives calls per week.',
  },
  inquiriesAnswered: { group: SATISFACTION, unit: COUNT, labelAr: 'الاستفسارات المجاب عنها', labelEn: 'Inquiries answered', rule: 'Inquiries and notes answered (answerInquiry) in the period.' },
  answerMedian: {
    group: SATISFACTION,
    unit: MINUTES,
    labelAr: 'وسيط زمن الرد على الاستفسار',
    labelEn: 'Time to answer, median',
    rule: "Over the answers in the period: the median of the minutes from the report's receivedAt to its answer. Told to its step: exact below 64 minutes, else rounded down to a 32nd of its doubling (under 3.1 % low).",
  },
  jobsCompleted: { group: CREWS, unit: COUNT, labelAr: 'المهام المنجزة', labelEn: 'Jobs completed', rule: 'Assignments a crew completed in the period.' },
  onSiteMedian: {
    group: CREWS,
    unit: MINUTES,
    labelAr: 'وسيط زمن العمل في الموقع',
    labelEn: 'Time on site, median',
    rule: 'Over the jobs completed in the period: the median of the minutes from the crew arriving on site (ON_SITE) to completing; a job completed without an ON_SITE step has no duration. Told to its step: exact below 64 minutes, else rounded down to a 32nd of its doubling (under 3.1 % low).',
  },
  declines: { group: CREWS, unit: COUNT, labelAr: 'المهام المعتذر عنها', labelEn: 'Declines', rule: 'Assignments a crew declined in the period.' },
} as const satisfies Record<string, IndicatorDefinition>;

/** An indicator's code: its key in {@link INDICATORS} and its field on `IndicatorRow`. */
export type IndicatorCode = keyof typeof INDICATORS;

/** Every indicator's code, in order. */
export const INDICATOR_CODES = Object.keys(INDICATORS) as IndicatorCode[];

/** One answer's numbers: every indicator, null when it has no data. */
export type IndicatorValues = Record<IndicatorCode, number | null>;
