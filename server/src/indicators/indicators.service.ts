import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../common/errors.js';
import type { ReferenceService } from '../reference/reference.service.js';
import { BeneficiaryType, Channel, Priority } from '../reports/reports.enums.js';
import { INDICATOR_CODES, INDICATORS, SMALL_GROUP, type IndicatorCode, type IndicatorValues } from './indicators.definitions.js';
import { IndicatorBucket, IndicatorDimension, IndicatorGroup } from './indicators.enums.js';
import { bucketsOf } from './indicators.calendar.js';
import { maintainedIndicators } from './indicators.maintained.js';
import { rawIndicators, type IndicatorQuestion, type RawFigures, type RawRow } from './indicators.raw.js';
import { catchUp, rebuild } from './indicators.rollup.js';
import { INDICATOR_DIMENSIONS_MAX, INDICATOR_ROWS_MAX, type IndicatorFilter, type IndicatorKeyView, type IndicatorRowView } from './indicators.types.js';

/** A clock: what "now" is (open and overdue now); tests move it. */
export type Clock = () => Date;

/** The longest period one question may cover: five calendar years. */
const MAX_YEARS = 5;

/** What the service answers before the resolver maps it: rows whose indicator fields are filled. */
export type IndicatorRow = Pick<IndicatorRowView, 'bucketStart' | 'keys'> & IndicatorValues;

/**
 * The performance indicators (issue 14): validates a question, bounds its size before any work, asks the
 * implementation for the raw figures and applies the null rules of `INDICATORS` (no data is null; a small
 * group hides satisfaction). Read-only, so every role that may read aggregates (integrators too) may ask.
 */
export class IndicatorsService {
  constructor(
    private readonly reference: ReferenceService,
    private readonly clock: Clock = () => new Date(),
  ) {}

  /** The indicators of [from, to), one row per group (one row in all without groupBy). */
  indicators(em: EntityManager, period: { from: Date; to: Date }, groupBy: readonly IndicatorDimension[], filter: IndicatorFilter | null | undefined): Promise<IndicatorRow[]> {
    return this.answer(em, period, groupBy, filter, null);
  }

  /** The indicators of each bucket of [from, to) (and each group): every bucket without groupBy, else the buckets and groups where anything happened. */
  series(em: EntityManager, period: { from: Date; to: Date }, bucket: IndicatorBucket, groupBy: readonly IndicatorDimension[], filter: IndicatorFilter | null | undefined): Promise<IndicatorRow[]> {
    return this.answer(em, period, groupBy, filter, bucket);
  }

  private async answer(
    em: EntityManager,
    period: { from: Date; to: Date },
    groupBy: readonly IndicatorDimension[],
    filter: IndicatorFilter | null | undefined,
    bucket: IndicatorBucket | null,
    source: 'maintained' | 'raw' = 'maintained',
  ): Promise<IndicatorRow[]> {
    const { from, to } = this.checkPeriod(period);
    this.checkGroupBy(groupBy);
    await this.checkFilter(em, filter);
    const buckets = bucket ? bucketsOf(from, to, bucket, INDICATOR_ROWS_MAX) : null;
    if (buckets && buckets.length > INDICATOR_ROWS_MAX)
      throw badInput('bucket', `A ${bucket} series of this period has more than ${INDICATOR_ROWS_MAX} buckets: choose a longer bucket or a shorter period`);
    const bound = (buckets?.length ?? 1) * (await this.groupsBound(em, groupBy));
    if (bound > INDICATOR_ROWS_MAX) {
      throw badInput('groupBy', `This question could answer ${bound} rows, more than ${INDICATOR_ROWS_MAX}: group by fewer dimensions, or use a longer bucket or a shorter period`);
    }
    const question: IndicatorQuestion = { from, to, now: this.clock(), buckets, bucket, groupBy, filter };
    if (source === 'raw') return this.rows(em, question, (await rawIndicators(em, question)).filter(hasData));
    // Project every committed change first (a no-op probe when there is none), then read one state of the aggregates.
    await catchUp(em);
    const raw = await em.transactional(
      async (tx) => {
        // A year's steps are sorted in memory, not spilled to disk; and no parallel workers: each statement reads
        // a few thousand to a hundred thousand index entries, where starting workers costs more than it saves and
        // takes cores from the other questions in flight.
        await tx.execute(`set local work_mem = '64MB'`);
        await tx.execute(`set local max_parallel_workers_per_gather = 0`);
        return maintainedIndicators(tx, question);
      },
      { isolationLevel: 'repeatable read', readOnly: true },
    );
    return this.rows(em, question, raw.filter(hasData));
  }

  /**
   * The same answer as `indicators` (bucket null) or `series`, computed straight from the raw tables instead of the
   * maintained aggregates: slow at scale, exact by construction. What the tests compare the API with, and an
   * operator's check that the aggregates agree with the data.
   */
  recompute(
    em: EntityManager,
    period: { from: Date; to: Date },
    groupBy: readonly IndicatorDimension[],
    filter: IndicatorFilter | null | undefined,
    bucket: IndicatorBucket | null,
  ): Promise<IndicatorRow[]> {
    return this.answer(em, period, groupBy, filter, bucket, 'raw');
  }

  /** Brings the maintained aggregates up to every committed change (what each question does first); returns how many events it read. */
  catchUp(em: EntityManager): Promise<number> {
    return catchUp(em);
  }

  /** Rebuilds the maintained aggregates from the raw tables (`indicators:rebuild`, and after a bulk load). */
  rebuild(em: EntityManager): Promise<void> {
    return rebuild(em);
  }

  private checkPeriod(period: { from: Date; to: Date }): { from: Date; to: Date } {
    const { from, to } = period;
    if (!(from instanceof Date) || Number.isNaN(from.getTime())) throw badInput('period.from', 'from must be an instant');
    if (!(to instanceof Date) || Number.isNaN(to.getTime())) throw badInput('period.to', 'to must be an instant');
    if (to <= from) throw badInput('period.to', 'to must be after from (the period is [from, to))');
    const longest = new Date(from);
    longest.setUTCFullYear(longest.getUTCFullYear() + MAX_YEARS);
    if (to > longest) throw badInput('period.to', `A period may cover at most ${MAX_YEARS} years`);
    return { from, to };
  }

  private checkGroupBy(groupBy: readonly IndicatorDimension[]): void {
    if (groupBy.length > INDICATOR_DIMENSIONS_MAX) throw badInput('groupBy', `Group by at most ${INDICATOR_DIMENSIONS_MAX} dimensions at once`);
    if (new Set(groupBy).size !== groupBy.length) throw badInput('groupBy', 'Each dimension at most once');
    for (const dimension of groupBy) if (!Object.values(IndicatorDimension).includes(dimension)) throw badInput('groupBy', `Unknown dimension ${String(dimension)}`);
  }

  private async checkFilter(em: EntityManager, filter: IndicatorFilter | null | undefined): Promise<void> {
    if (!filter) return;
    const reference = await this.reference.cached(em);
    const codes: [keyof IndicatorFilter, ReadonlyMap<string, unknown> | ReadonlySet<string>][] = [
      ['categoryCodes', reference.category],
      ['departmentCodes', reference.department],
      ['municipalityCodes', reference.municipality],
      ['channels', new Set<string>(Object.values(Channel))],
      ['beneficiaryTypes', new Set<string>(Object.values(BeneficiaryType))],
      ['priorities', new Set<string>(Object.values(Priority))],
    ];
    for (const [field, known] of codes) {
      const values = (filter[field] ?? []) as string[];
      values.forEach((value, index) => {
        if (!known.has(value)) throw badInput(`filter.${field}.${index}`, `Unknown code ${JSON.stringify(value)}`);
      });
    }
  }

  /** How many values each dimension may take at most (null counts for beneficiary type), multiplied: the rows a question could answer per bucket. */
  private async groupsBound(em: EntityManager, groupBy: readonly IndicatorDimension[]): Promise<number> {
    if (!groupBy.length) return 1;
    const reference = await this.reference.cached(em);
    let bound = 1;
    for (const dimension of groupBy) {
      switch (dimension) {
        case IndicatorDimension.CHANNEL:
          bound *= Object.values(Channel).length;
          break;
        case IndicatorDimension.PRIORITY:
          bound *= Object.values(Priority).length;
          break;
        case IndicatorDimension.BENEFICIARY_TYPE:
          bound *= Object.values(BeneficiaryType).length + 1;
          break;
        case IndicatorDimension.CATEGORY:
          bound *= reference.category.size;
          break;
        case IndicatorDimension.DEPARTMENT:
          bound *= reference.department.size;
          break;
        case IndicatorDimension.MUNICIPALITY:
          bound *= reference.municipality.size;
          break;
        case IndicatorDimension.CREW: {
          const [{ crews }] = await em.execute<{ crews: number }[]>('select count(*)::int as crews from crew');
          bound *= crews;
          break;
        }
      }
    }
    return bound;
  }

  /** Rows in order (bucket, then keys), each key labelled, the null rules applied; without groupBy, every bucket (or the one period row) even when empty. */
  private async rows(em: EntityManager, question: IndicatorQuestion, raw: RawRow[]): Promise<IndicatorRow[]> {
    const { groupBy, buckets } = question;
    if (!groupBy.length) {
      const byBucket = new Map(raw.map((row) => [row.bucketStart, row]));
      const starts = buckets ? buckets.map((b) => b.start) : [null];
      raw = starts.map((start) => byBucket.get(start) ?? { keys: [], bucketStart: start, figures: null as unknown as RawFigures });
    }
    const labels = await this.labels(em, groupBy, raw);
    const compare = (a: RawRow, b: RawRow) => {
      if (a.bucketStart !== b.bucketStart) return (a.bucketStart ?? '') < (b.bucketStart ?? '') ? -1 : 1;
      for (let i = 0; i < a.keys.length; i++) {
        if (a.keys[i] === b.keys[i]) continue;
        if (a.keys[i] === null) return 1;
        if (b.keys[i] === null) return -1;
        return (a.keys[i] as string) < (b.keys[i] as string) ? -1 : 1;
      }
      return 0;
    };
    const byCrew = groupBy.includes(IndicatorDimension.CREW);
    return raw.sort(compare).map((row) => ({
      bucketStart: row.bucketStart,
      keys: row.keys.map((code, index) => ({ dimension: groupBy[index], code, ...(labels(groupBy[index], code) ?? { labelAr: null, labelEn: null }) })),
      ...valuesOf(row.figures, byCrew),
    }));
  }

  private async labels(em: EntityManager, groupBy: readonly IndicatorDimension[], raw: RawRow[]) {
    const reference = groupBy.length ? await this.reference.cached(em) : undefined;
    const crewIds = groupBy.includes(IndicatorDimension.CREW) ? [...new Set(raw.map((row) => row.keys[groupBy.indexOf(IndicatorDimension.CREW)]).filter((id): id is string => !!id))] : [];
    const crews = new Map<string, { labelAr: string; labelEn: string }>();
    if (crewIds.length) {
      const rows = await em.execute<{ id: string; name: string; name_en: string }[]>('select id::text, name, name_en from crew where id = any(?::uuid[])', [`{${crewIds.join(',')}}`]);
      for (const row of rows) crews.set(row.id, { labelAr: row.name, labelEn: row.name_en });
    }
    return (dimension: IndicatorDimension, code: string | null): Pick<IndicatorKeyView, 'labelAr' | 'labelEn'> | undefined => {
      if (code === null || !reference) return undefined;
      const named =
        dimension === IndicatorDimension.CATEGORY
          ? reference.category.get(code)
          : dimension === IndicatorDimension.DEPARTMENT
            ? reference.department.get(code)
            : dimension === IndicatorDimension.MUNICIPALITY
              ? reference.municipality.get(code)
              : undefined;
      if (named) return { labelAr: named.nameAr, labelEn: named.nameEn };
      return dimension === IndicatorDimension.CREW ? crews.get(code) : undefined;
    };
  }
}

/** Whether anything happened in a row: a count, a sum or a duration (a row whose happenings were all moved elsewhere, e.g. by a triage, holds zeros). */
export function hasData(row: RawRow): boolean {
  return Object.values(row.figures).some((value) => value !== null && value !== 0);
}

/** The null rules of INDICATORS over one row's raw figures (null: nothing happened in the row). */
export function valuesOf(figures: RawFigures | null, byCrew = false): IndicatorValues {
  const values = Object.fromEntries(INDICATOR_CODES.map((code) => [code, null])) as IndicatorValues;
  if (!figures) return values;
  const share = (part: number, whole: number) => (whole > 0 ? part / whole : null);
  const computed: IndicatorValues = {
    received: figures.received,
    resolved: figures.resolved,
    closed: figures.closed,
    rejected: figures.rejected,
    referred: figures.referred,
    merged: figures.merged,
    backlog: figures.backlog,
    overdueNow: figures.overdueNow,
    firstAssignmentMedian: figures.firstAssignmentMedian,
    firstAssignmentP90: figures.firstAssignmentP90,
    resolutionMedian: figures.resolutionMedian,
    resolutionP90: figures.resolutionP90,
    targetCompliance: share(figures.resolvedOnTime, figures.resolved),
    lifeSafetyAssignedIn15: share(figures.criticalAssignedIn15, figures.critical),
    reopenRate: share(figures.resolvedLaterReopened, figures.resolved),
    firstTimeFix: share(figures.reachedFixed, figures.followUpsReached),
    followUpsDue: figures.followUpsDue,
    followUpsAttempted: figures.followUpsAttempted,
    followUpsReached: figures.followUpsReached,
    followUpsUnreachable: figures.followUpsUnreachable,
    satisfactionMean: share(figures.satisfactionSum, figures.followUpsReached),
    satisfiedShare: share(figures.satisfied, figures.followUpsReached),
    callsMade: figures.callsMade,
    inquiriesAnswered: figures.inquiriesAnswered,
    answerMedian: figures.answerMedian,
    jobsCompleted: figures.jobsCompleted,
    onSiteMedian: figures.onSiteMedian,
    declines: figures.declines,
  };
  for (const code of INDICATOR_CODES) {
    const definition: { group: IndicatorGroup; hiddenInSmallGroups?: true } = INDICATORS[code];
    if (byCrew && definition.group !== IndicatorGroup.CREWS) continue;
    if (definition.hiddenInSmallGroups && figures.followUpsReached < SMALL_GROUP) continue;
    values[code as IndicatorCode] = computed[code];
  }
  return values;
}

declare module '../access/access.context.js' {
  interface Services {
    indicators: IndicatorsService;
  }
}
