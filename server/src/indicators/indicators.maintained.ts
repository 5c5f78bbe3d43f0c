import type { EntityManager } from '@mikro-orm/postgresql';
import { bucketOf, dayStart, nextBucket, riyadhDay } from './indicators.calendar.js';
import { IndicatorBucket, IndicatorDimension } from './indicators.enums.js';
import { durationStepSql } from './indicators.definitions.js';
import { DURATION_KINDS, emptyFigures, OPEN, PERCENTILES, textArray, type IndicatorQuestion, type RawRow } from './indicators.raw.js';
import {
  column,
  DURATION_FACT_COLUMNS,
  figureSql,
  fractionColumn,
  rankedStepsSql,
  reachesSql,
  ROLLUP_FIGURE_NAMES,
  type Grain,
  type HistogramGrain,
  type HistogramSpan,
  type RollupFigure,
} from './indicators.rollup.js';
import type { IndicatorFilter } from './indicators.types.js';

/**
 * The indicators from the maintained aggregates (indicators.rollup.ts): the same figures as `rawIndicators`,
 * read from far fewer rows. Whole Riyadh days inside the period come from `indicator_rollup` at the narrowest
 * grain that holds the question's dimensions, the partial days at either end from `indicator_fact`. Medians and
 * percentiles rank counted duration steps: whole months and weeks from `indicator_histogram` when the question
 * uses one dimension at most, the days left over (and any other question) from the facts. "Open and overdue now"
 * is the reports received in the row and open now (a rollup figure) less the few whose target is still ahead (it
 * depends on now, so that part is read from the open reports themselves); the backlog at an instant is the
 * reports open now less the `open` deltas since. Exact: every figure is a sum of the same per-happening values the
 * raw statement counts, or a rank over the same steps. Run it in one REPEATABLE READ transaction, so the
 * statements read one state of the aggregates.
 */

const ceilDay = (at: Date) => (dayStart(riyadhDay(at)).getTime() === at.getTime() ? riyadhDay(at) : nextBucket(riyadhDay(at), IndicatorBucket.DAY));

/** The dimensions a question reads: what it groups by and what it filters on; DEPARTMENT is read through CATEGORY. */
function grainOf(groupBy: readonly IndicatorDimension[], filter: IndicatorFilter | null | undefined): Grain {
  const used = new Set<string>(groupBy.map((dimension) => (dimension === IndicatorDimension.DEPARTMENT ? IndicatorDimension.CATEGORY : dimension)));
  if (filter?.channels?.length) used.add(IndicatorDimension.CHANNEL);
  if (filter?.categoryCodes?.length || filter?.departmentCodes?.length) used.add(IndicatorDimension.CATEGORY);
  if (filter?.municipalityCodes?.length) used.add(IndicatorDimension.MUNICIPALITY);
  if (filter?.beneficiaryTypes?.length) used.add(IndicatorDimension.BENEFICIARY_TYPE);
  if (filter?.priorities?.length) used.add(IndicatorDimension.PRIORITY);
  if (used.size === 0) return 'TOTAL';
  if (used.size === 1) return [...used][0] as Grain;
  return 'ALL';
}

/** A dimension's column in a rollup row `d` or a fact row `f` (its category `c` joined for the department). */
function dimensionSql(dimension: IndicatorDimension, alias: 'd' | 'f'): string {
  if (dimension === IndicatorDimension.DEPARTMENT) return 'c.department_code';
  const name = { CHANNEL: 'channel', CATEGORY: 'category_code', MUNICIPALITY: 'municipality_code', BENEFICIARY_TYPE: 'beneficiary_type', PRIORITY: 'priority', CREW: 'crew_id' }[dimension];
  if (alias === 'd' && (name === 'beneficiary_type' || name === 'crew_id')) return `nullif(d.${name}, '')`;
  return name === 'crew_id' ? `${alias}.crew_id::text` : `${alias}.${name}`;
}

/** The filter over rollup rows `d` or facts `f`, with its parameters. */
function filterOn(filter: IndicatorFilter | null | undefined, alias: 'd' | 'f'): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (columnSql: string, values: readonly string[] | null | undefined) => {
    if (!values?.length) return;
    parts.push(`${columnSql} = any(?::text[])`);
    params.push(textArray(values));
  };
  add(`${alias}.channel`, filter?.channels);
  add(`${alias}.category_code`, filter?.categoryCodes);
  add('c.department_code', filter?.departmentCodes);
  add(`${alias}.municipality_code`, filter?.municipalityCodes);
  add(`${alias}.beneficiary_type`, filter?.beneficiaryTypes);
  add(`${alias}.priority`, filter?.priorities);
  return { sql: parts.length ? parts.join(' and ') : 'true', params };
}

/** The first day of the bucket holding a date expression, as a date (null for the whole period): cheap to group by. */
function bucketDate(day: string, bucket: IndicatorBucket | null): string {
  if (!bucket) return 'null::date';
  if (bucket === IndicatorBucket.DAY) return day;
  if (bucket === IndicatorBucket.WEEK) return `(${day} - extract(dow from ${day})::int)`;
  return `date_trunc('month', ${day})::date`;
}

/** A bucket's date as the API writes it, `YYYY-MM-DD`: formatted once per answered row, after grouping. */
const dateText = (date: string) => `to_char(${date}, 'YYYY-MM-DD')`;

/** The histogram grain of a question: TOTAL, or the one dimension it groups and filters by; null when it uses more (then its facts are ranked). */
function histogramGrainOf(groupBy: readonly IndicatorDimension[], filter: IndicatorFilter | null | undefined): HistogramGrain | null {
  const used = new Set<IndicatorDimension>(groupBy);
  if (filter?.channels?.length) used.add(IndicatorDimension.CHANNEL);
  if (filter?.categoryCodes?.length) used.add(IndicatorDimension.CATEGORY);
  if (filter?.departmentCodes?.length) used.add(IndicatorDimension.DEPARTMENT);
  if (filter?.municipalityCodes?.length) used.add(IndicatorDimension.MUNICIPALITY);
  if (filter?.beneficiaryTypes?.length) used.add(IndicatorDimension.BENEFICIARY_TYPE);
  if (filter?.priorities?.length) used.add(IndicatorDimension.PRIORITY);
  if (used.size > 1) return null;
  return used.size ? [...used][0] : 'TOTAL';
}

/** The filter's values for a histogram grain's one dimension (null: no filter on it). */
function histogramFilterValues(grain: HistogramGrain, filter: IndicatorFilter | null | undefined): readonly string[] | null {
  const values: Partial<Record<HistogramGrain, readonly string[] | null | undefined>> = {
    CHANNEL: filter?.channels,
    CATEGORY: filter?.categoryCodes,
    DEPARTMENT: filter?.departmentCodes,
    MUNICIPALITY: filter?.municipalityCodes,
    BENEFICIARY_TYPE: filter?.beneficiaryTypes,
    PRIORITY: filter?.priorities,
  };
  return values[grain]?.length ? values[grain] : null;
}

/** Whole Riyadh days [a, b) as histogram spans (start ranges) and the days left over, which are read from the facts. */
interface Cover {
  spans: { span: HistogramSpan; from: string; to: string }[];
  days: [string, string][];
}

const nextMonth = (month: string) => nextBucket(month, IndicatorBucket.MONTH);
const quarterOf = (day: string) => `${day.slice(0, 5)}${String(Math.floor((Number(day.slice(5, 7)) - 1) / 3) * 3 + 1).padStart(2, '0')}-01`;
/** Each span's first day at or before a day, and the next span's first day: months and weeks are the series' buckets. */
const SPAN_DAYS: Record<HistogramSpan, { floor: (day: string) => string; next: (start: string) => string }> = {
  Q: { floor: quarterOf, next: (quarter) => nextMonth(nextMonth(nextMonth(quarter))) },
  M: { floor: (day) => bucketOf(day, IndicatorBucket.MONTH), next: nextMonth },
  W: { floor: (day) => bucketOf(day, IndicatorBucket.WEEK), next: (start) => nextBucket(start, IndicatorBucket.WEEK) },
};

/**
 * Covers whole days [a, b) with the fewest histogram rows: the whole spans of the first level, then the next
 * level's inside what is left at either end, and so on, the rest as days. A stretch is cut at the first level's
 * boundaries even when it holds no whole span, so a week never crosses a month's first day and a MONTH series can
 * put each week in its month.
 */
function coverWith(levels: readonly HistogramSpan[], a: string, b: string, cover: Cover): void {
  if (a >= b) return;
  if (!levels.length) {
    cover.days.push([a, b]);
    return;
  }
  const [level, ...rest] = levels;
  const { floor, next } = SPAN_DAYS[level];
  const first = floor(a) === a ? a : next(floor(a));
  const last = floor(b);
  if (first < last) {
    cover.spans.push({ span: level, from: first, to: last });
    coverWith(rest, a, first, cover);
    coverWith(rest, last, b, cover);
  } else if (first < b) {
    coverWith(rest, a, first, cover);
    coverWith(rest, first, b, cover);
  } else coverWith(rest, a, b, cover);
}

/** The span levels a question's whole days are covered with: those that nest in its buckets (none for DAY). */
function coverDays(a: string, b: string, bucket: IndicatorBucket | null): Cover {
  const levels: HistogramSpan[] = bucket === IndicatorBucket.DAY ? [] : bucket === IndicatorBucket.WEEK ? ['W'] : bucket === IndicatorBucket.MONTH ? ['M', 'W'] : ['Q', 'M', 'W'];
  const cover: Cover = { spans: [], days: [] };
  coverWith(levels, a, b, cover);
  return cover;
}

/** The indicators of a question from the maintained aggregates (brought up to date by the caller). */
export async function maintainedIndicators(em: EntityManager, question: IndicatorQuestion): Promise<RawRow[]> {
  const { from, to, now, bucket, groupBy, filter } = question;
  const grain = grainOf(groupBy, filter);
  const byCrew = groupBy.includes(IndicatorDimension.CREW);
  const needsCategory = groupBy.includes(IndicatorDimension.DEPARTMENT) || !!filter?.departmentCodes?.length;
  // Grouped byte-wise (collate "C"): the codes are ASCII, and a locale-aware sort of a year's rows costs more than the rest.
  const keys = (alias: 'd' | 'f') => groupBy.map((dimension, index) => `(${dimensionSql(dimension, alias)}) collate "C" as d${index}`);
  const keyNames = groupBy.map((_, index) => `d${index}`);
  const groups = [...keyNames, 'b'];
  const join = (alias: 'd' | 'f') => (needsCategory ? ` join category c on c.code = ${alias}.category_code` : '');
  // The rollup rows of the grain with every dimension it does not keep at '*': only crews' happenings when grouped by crew.
  const crewRows = (alias: 'd' | 'f') => (byCrew ? (alias === 'd' ? ` and d.crew_id <> ''` : ' and f.crew_id is not null') : '');

  // Whole days inside [from, to) from the rollup; the partial days at the ends from the facts.
  const wholeFrom = ceilDay(from);
  const wholeTo = riyadhDay(to);
  const hasWhole = wholeFrom < wholeTo;
  const edges: [Date, Date][] = hasWhole
    ? [
        [from, dayStart(wholeFrom)],
        [dayStart(wholeTo), to],
      ]
    : [[from, to]];
  const edgeSql = edges.map(() => '(f.at >= ?::timestamptz and f.at < ?::timestamptz)').join(' or ');
  const edgeParams = edges.flatMap(([a, b]) => [a.toISOString(), b.toISOString()]);
  const counted = ROLLUP_FIGURE_NAMES.filter((name) => name !== 'openDelta');
  const dFilter = filterOn(filter, 'd');
  const fFilter = filterOn(filter, 'f');
  const figuresSql = `
    select ${[...keyNames, dateText('x.b') + ' as b', ...counted.map((name) => `sum(${column(name)})::int as "${name}"`)].join(', ')} from (
      ${
        hasWhole
          ? `select ${[...keys('d'), `${bucketDate('d.day', bucket)} as b`, ...counted.map((name) => `d.${column(name)}`)].join(', ')}
               from indicator_rollup d${join('d')}
              where d.grain = ? and d.day >= ?::date and d.day < ?::date and ${dFilter.sql}${crewRows('d')}
             union all`
          : ''
      }
      select ${[...keys('f'), `${bucketDate('f.day', bucket)} as b`, ...counted.map((name) => `${figureSql(name as RollupFigure)} as ${column(name)}`)].join(', ')}
        from indicator_fact f${join('f')}
       where (${edgeSql}) and ${fFilter.sql}${crewRows('f')}
       group by ${groups.join(', ')}
    ) x group by ${groups.join(', ')}`;
  const figureParams = [...(hasWhole ? [grain, wholeFrom, wholeTo, ...dFilter.params] : []), ...edgeParams, ...fFilter.params];

  // Medians and percentiles rank counted steps the way percentile_disc ranks values (reachesSql): whole months and
  // weeks from indicator_histogram when the question has one dimension at most, the rest of the period from the
  // facts. A WEEK or MONTH series reads its whole buckets' percentiles as ranked once (indicator_percentile).
  const histogramGrain = histogramGrainOf(groupBy, filter);
  const cover: Cover = histogramGrain && hasWhole ? coverDays(wholeFrom, wholeTo, bucket) : { spans: [], days: [] };
  // Ranked percentiles do not add up, so they answer a bucket only when each row is one histogram key: TOTAL, or grouped by the grain's dimension.
  const oneKeyPerRow = histogramGrain === 'TOTAL' || groupBy.length === 1;
  const wholeBucketSpan: HistogramSpan | null = !oneKeyPerRow ? null : bucket === IndicatorBucket.WEEK ? 'W' : bucket === IndicatorBucket.MONTH ? 'M' : null;
  const ranked = cover.spans.filter(({ span }) => span !== wholeBucketSpan);
  const direct = cover.spans.filter(({ span }) => span === wholeBucketSpan);
  const factRanges: [Date, Date][] = histogramGrain && hasWhole ? [edges[0], ...cover.days.map(([a, b]): [Date, Date] => [dayStart(a), dayStart(b)]), edges[1]] : [[from, to]];
  // One select per range (not one OR), so each is an index-only scan of the covering (kind, at) index; an empty range at all would match nothing.
  const nonEmpty = factRanges.filter(([a, b]) => a < b);
  const durationRanges = nonEmpty.length ? nonEmpty : [factRanges[0]];
  const histogramValues = histogramGrain ? histogramFilterValues(histogramGrain, filter) : null;
  const spanKeys = (alias: 'h' | 'p') =>
    groupBy.map((dimension, index) => `(${dimension === IndicatorDimension.BENEFICIARY_TYPE ? `nullif(${alias}.key, '')` : `${alias}.key`}) collate "C" as d${index}`);
  const spanWhere = (alias: 'h' | 'p') =>
    `${alias}.grain = ? and ${alias}.span = ? and ${alias}.start >= ?::date and ${alias}.start < ?::date${histogramValues ? ` and ${alias}.key = any(?::text[])` : ''}`;
  const spanParams = ({ span, from: a, to: b }: Cover['spans'][number]) => [histogramGrain, span, a, b, ...(histogramValues ? [textArray(histogramValues)] : [])];
  // One select per span range (not one OR), so each is an index-only scan of the primary key, which carries the count.
  const histogramSql = ranked
    .map(
      () => `select ${[...spanKeys('h'), `${bucketDate('h.start', bucket)} as b`, 'h.kind', 'h.minutes', 'h.count::bigint as n'].join(', ')}
         from indicator_histogram h where ${spanWhere('h')}
       union all`,
    )
    .join('\n');
  const partition = [...keyNames, 'b', 'kind'];
  const percentilesSql = `
    with h as (
      ${histogramSql}
      select ${[...keys('f'), `${bucketDate('f.day', bucket)} as b`, 'f.kind', `${durationStepSql('f.minutes')} as minutes`, 'count(*) as n'].join(', ')}
        from (${durationRanges.map(() => `select ${['kind', 'at', ...DURATION_FACT_COLUMNS].map((name) => `f.${name}`).join(', ')} from indicator_fact f where f.kind = any(?::text[]) and f.at >= ?::timestamptz and f.at < ?::timestamptz and f.minutes is not null`).join(' union all ')}) f${join('f')}
       where ${fFilter.sql}${crewRows('f')}
       group by ${Array.from({ length: keyNames.length + 3 }, (_, index) => index + 1).join(', ')}
    ), steps as (
      select ${partition.join(', ')}, minutes, sum(n) as n from h group by ${partition.join(', ')}, minutes having sum(n) > 0
    )
    select ${[...keyNames, `${dateText('b')} as b`, ...PERCENTILES.map((p) => `min(minutes) filter (where kind = '${p.kind}' and ${reachesSql(p.fraction)}) as "${p.name}"`)].join(', ')}
      from (${rankedStepsSql('select * from steps', partition)}) ranked group by ${[...keyNames, 'b'].join(', ')}`;
  const percentileParams = [...ranked.flatMap(spanParams), ...durationRanges.flatMap(([a, b]) => [textArray(DURATION_KINDS), a.toISOString(), b.toISOString()]), ...fFilter.params];
  // The whole buckets of a WEEK or MONTH series: each one's percentiles as ranked when its steps last changed.
  const directSql = direct.map(
    () => `select ${[...spanKeys('p'), `${dateText('p.start')} as b`, ...PERCENTILES.map((p) => `max(p.${fractionColumn(p.fraction)}) filter (where p.kind = '${p.kind}') as "${p.name}"`)].join(', ')}
             from indicator_percentile p where ${spanWhere('p')}
            group by ${Array.from({ length: keyNames.length + 1 }, (_, index) => index + 1).join(', ')}`,
  );

  const rows = new Map<string, RawRow>();
  const rowFor = (record: Record<string, unknown>): RawRow => {
    const rowKeys = groupBy.map((_, index) => (record[`d${index}`] as string | null) ?? null);
    const bucketStart = (record.b as string | null) ?? null;
    const id = JSON.stringify([rowKeys, bucketStart]);
    let row = rows.get(id);
    if (!row) {
      row = { keys: rowKeys, bucketStart, figures: emptyFigures() };
      rows.set(id, row);
    }
    return row;
  };
  for (const record of await em.execute<Record<string, unknown>[]>(figuresSql, figureParams)) {
    const row = rowFor(record);
    for (const name of counted) if (name !== 'openNow') (row.figures as unknown as Record<string, number>)[name] = record[name] as number;
    // Open and overdue now, first as every report received in the row and open now (less those not yet past their target, below).
    row.figures.overdueNow = record.openNow as number;
  }
  const percentiles = [
    ...(await em.execute<Record<string, unknown>[]>(percentilesSql, percentileParams)),
    ...(directSql.length ? await em.execute<Record<string, unknown>[]>(directSql.join(' union all '), direct.flatMap(spanParams)) : []),
  ];
  for (const record of percentiles) {
    const row = rowFor(record);
    for (const p of PERCENTILES) (row.figures as unknown as Record<string, number | null>)[p.name] = record[p.name] as number | null;
  }
  if (byCrew) return [...rows.values()];

  // Open and overdue now: of the reports received in the row and open now (the rollups' openNow, as of the facts),
  // those whose target is still ahead are taken off. Those are the few open reports whose targetAt is after now,
  // found by index-only scans of the open-report index and of the open received facts' partial index, so the
  // figure costs days × groups and not the open reports of the period. The receipt bounds the report too (a received
  // fact's time is its report's receivedAt), so a short period starts from its few reports instead of every open one
  // whose target is ahead.
  const notYetSql = `
    select ${[...keys('f'), `${dateText(bucketDate('f.day', bucket))} as b`, 'count(*)::int as n'].join(', ')}
      from report r join indicator_fact f on f.report_id = r.id and f.kind = 'received' and f.flag${join('f')}
     where r.status in (${OPEN}) and r.target_at >= ?::timestamptz and r.received_at >= ?::timestamptz and r.received_at < ?::timestamptz
       and f.at >= ?::timestamptz and f.at < ?::timestamptz and ${fFilter.sql}
     group by ${groups.join(', ')}`;
  const period = [from.toISOString(), to.toISOString()];
  for (const record of await em.execute<Record<string, unknown>[]>(notYetSql, [now.toISOString(), ...period, ...period, ...fFilter.params])) {
    rowFor(record).figures.overdueNow -= record.n as number;
  }

  // The backlog at each end: open now (the '-infinity' rows) less the open deltas from the end on.
  const ends = question.buckets ?? [{ start: null as string | null, endAt: to }];
  const firstDay = ceilDay(ends[0].endAt);
  const keyOnly = groupBy.map((_, index) => `d${index}`);
  const deltasSql = `
    select ${[...keys('d'), `case when d.day = '-infinity'::date then null else to_char(d.day, 'YYYY-MM-DD') end as day`, 'sum(d.open_delta)::int as delta'].join(', ')}
      from indicator_rollup d${join('d')}
     where d.grain = ? and (d.day = '-infinity'::date or d.day >= ?::date) and d.open_delta <> 0 and ${dFilter.sql}
     group by ${[...keyOnly, 'd.day'].join(', ')}`;
  const deltas = await em.execute<Record<string, unknown>[]>(deltasSql, [grain, firstDay, ...dFilter.params]);
  // The open deltas of the partial day after `to` (when `to` is not a Riyadh midnight): [to, the next midnight).
  const tail = ceilDay(to);
  const tailDeltas =
    dayStart(tail).getTime() === to.getTime()
      ? []
      : await em.execute<Record<string, unknown>[]>(
          `select ${[...keys('f'), 'sum(f.score)::int as delta'].join(', ')} from indicator_fact f${join('f')}
            where f.kind = 'open' and f.at >= ?::timestamptz and f.at < ?::timestamptz and ${fFilter.sql}
            ${keyOnly.length ? `group by ${keyOnly.join(', ')}` : ''}`,
          [to.toISOString(), dayStart(tail).toISOString(), ...fFilter.params],
        );
  const byGroup = new Map<string, { keys: (string | null)[]; now: number; days: [string, number][]; tail: number }>();
  const groupOf = (record: Record<string, unknown>) => {
    const groupKeys = groupBy.map((_, index) => (record[`d${index}`] as string | null) ?? null);
    const id = JSON.stringify(groupKeys);
    let group = byGroup.get(id);
    if (!group) {
      group = { keys: groupKeys, now: 0, days: [], tail: 0 };
      byGroup.set(id, group);
    }
    return group;
  };
  for (const record of deltas) {
    const group = groupOf(record);
    if (record.day === null) group.now += record.delta as number;
    else group.days.push([record.day as string, record.delta as number]);
  }
  for (const record of tailDeltas) groupOf(record).tail += (record.delta as number) ?? 0;
  for (const group of byGroup.values()) {
    for (const end of ends) {
      const endDay = ceilDay(end.endAt);
      let open = group.now;
      for (const [day, delta] of group.days) if (day >= endDay) open -= delta;
      if (end.endAt.getTime() === to.getTime()) open -= group.tail;
      if (open === 0) continue;
      const id = JSON.stringify([group.keys, end.start]);
      let row = rows.get(id);
      if (!row) {
        row = { keys: group.keys, bucketStart: end.start, figures: emptyFigures() };
        rows.set(id, row);
      }
      row.figures.backlog = open;
    }
  }
  return [...rows.values()];
}
