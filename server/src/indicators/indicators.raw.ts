import type { EntityManager } from '@mikro-orm/postgresql';
import { AssignmentStatus } from '../assignments/assignments.enums.js';
import { assignmentTimelineAction } from '../assignments/assignments.transitions.js';
import { FixedAnswer, FollowUpStatus } from '../followups/followups.enums.js';
import { OPEN_STATUSES, Priority, ReportStatus } from '../reports/reports.enums.js';
import { REPORT_TRANSITIONS, ReportAction, TIMELINE_ACTION } from '../reports/reports.transitions.js';
import { durationStepSql, INDICATOR_TIME_ZONE, LIFE_SAFETY_ASSIGN_MINUTES } from './indicators.definitions.js';
import { IndicatorBucket, IndicatorDimension } from './indicators.enums.js';
import type { IndicatorFilter } from './indicators.types.js';

/**
 * The indicators computed straight from the raw tables (report, timeline_entry, assignment, follow_up,
 * follow_up_attempt), one plain statement per question, each rule of `INDICATORS` written as SQL once here.
 * It is exact by construction and slow at millions of reports: the tests' recomputation, and the benchmark's
 * hand-written baseline.
 */

/** One question: the period, the buckets of a series (none: the whole period), the dimensions and the filter. */
export interface IndicatorQuestion {
  from: Date;
  to: Date;
  /** The instant "now" is (open and overdue now), from the service's clock. */
  now: Date;
  /** The series' buckets in order, each with its first Riyadh day and the instant it ends (capped at `to`); null for the whole period. */
  buckets: { start: string; endAt: Date }[] | null;
  bucket: IndicatorBucket | null;
  groupBy: readonly IndicatorDimension[];
  filter: IndicatorFilter | null | undefined;
}

/** A row as the statement answers it: the dimension codes (`d0`, `d1`, `d2`), the bucket's first day, and the raw figures. */
export interface RawRow {
  keys: (string | null)[];
  bucketStart: string | null;
  figures: RawFigures;
}

/** The figures before the null rules: counts, sums and percentiles. */
export interface RawFigures {
  received: number;
  resolved: number;
  closed: number;
  rejected: number;
  referred: number;
  merged: number;
  backlog: number;
  overdueNow: number;
  firstAssignmentMedian: number | null;
  firstAssignmentP90: number | null;
  resolutionMedian: number | null;
  resolutionP90: number | null;
  resolvedOnTime: number;
  critical: number;
  criticalAssignedIn15: number;
  resolvedLaterReopened: number;
  followUpsDue: number;
  followUpsAttempted: number;
  followUpsReached: number;
  followUpsUnreachable: number;
  reachedFixed: number;
  satisfactionSum: number;
  satisfied: number;
  callsMade: number;
  inquiriesAnswered: number;
  answerMedian: number | null;
  jobsCompleted: number;
  onSiteMedian: number | null;
  declines: number;
}

/** Each dimension as a column of the report `r`, its category `c` or the fact `f`. */
export const DIMENSION_SQL: Record<IndicatorDimension, string> = {
  CHANNEL: 'r.channel',
  CATEGORY: 'r.category_code',
  DEPARTMENT: 'c.department_code',
  MUNICIPALITY: 'r.municipality_code',
  BENEFICIARY_TYPE: 'r.beneficiary_type',
  PRIORITY: 'r.priority',
  CREW: 'f.crew_id::text',
};

/** A PostgreSQL text array literal of `values`, bound as one parameter (`= any(?::text[])`). */
export function textArray(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

/** The filter as SQL over the report `r` and its category `c`, with its parameters. */
export function filterSql(filter: IndicatorFilter | null | undefined): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (column: string, values: readonly string[] | null | undefined) => {
    if (!values?.length) return;
    parts.push(`${column} = any(?::text[])`);
    params.push(textArray(values));
  };
  add('r.channel', filter?.channels);
  add('r.category_code', filter?.categoryCodes);
  add('c.department_code', filter?.departmentCodes);
  add('r.municipality_code', filter?.municipalityCodes);
  add('r.beneficiary_type', filter?.beneficiaryTypes);
  add('r.priority', filter?.priorities);
  return { sql: parts.length ? parts.join(' and ') : 'true', params };
}

/** The first Asia/Riyadh day of the bucket holding instant `at` (SQL over a timestamptz expression), as a date. */
export function bucketStartSql(at: string, bucket: IndicatorBucket): string {
  const local = `(${at} at time zone '${INDICATOR_TIME_ZONE}')`;
  if (bucket === IndicatorBucket.DAY) return `${local}::date`;
  // Sunday first: PostgreSQL's dow is 0 on Sunday.
  if (bucket === IndicatorBucket.WEEK) return `(${local}::date - extract(dow from ${local})::int)`;
  return `date_trunc('month', ${local})::date`;
}

const quote = (values: readonly string[]) => values.map((value) => `'${value}'`).join(', ');
/** The open statuses as an SQL list: literal, so a planner can prove the open-report partial indexes' predicate. */
export const OPEN = quote(OPEN_STATUSES);
/** A reopen: back to RECEIVED from a status the REOPEN transition leaves that is a resolution or after one. */
const REOPENED_FROM = quote(REPORT_TRANSITIONS[ReportAction.REOPEN].from.filter((status) => status === ReportStatus.RESOLVED || status === ReportStatus.CLOSED));
const ASSIGNED = TIMELINE_ACTION[ReportAction.ASSIGN];
const ANSWERED = TIMELINE_ACTION[ReportAction.ANSWER];
const COMPLETED = assignmentTimelineAction(AssignmentStatus.COMPLETED);
const ON_SITE = assignmentTimelineAction(AssignmentStatus.ON_SITE);
const DECLINED = assignmentTimelineAction(AssignmentStatus.DECLINED);
const MINUTES = (later: string, earlier: string) => `floor(extract(epoch from (${later} - ${earlier})) / 60)::int`;

/**
 * Which happenings a statement reads: those in a period (each branch bounds its own time column, so it can use
 * that column's index), or every happening of some reports (the aggregates' projector recomputes a changed
 * report whole), or every happening (a rebuild). Each branch binds the scope's parameters again.
 */
export type FactScope = { period: { from: Date; to: Date } } | { reports: readonly string[] } | { all: true };

/** Only the scope's reports (no bound otherwise): for a subquery that must see a report's whole history. */
function reportsOnly(scope: FactScope, reportColumn: string): { sql: string; params: unknown[] } {
  return 'reports' in scope ? scoped(scope, reportColumn, '') : { sql: 'true', params: [] };
}

function scoped(scope: FactScope, reportColumn: string, atColumn: string): { sql: string; params: unknown[] } {
  if ('period' in scope) return { sql: `${atColumn} >= ?::timestamptz and ${atColumn} < ?::timestamptz`, params: [scope.period.from.toISOString(), scope.period.to.toISOString()] };
  if ('reports' in scope) return { sql: `${reportColumn} = any(?::uuid[])`, params: [`{${scope.reports.join(',')}}`] };
  return { sql: 'true', params: [] };
}

/**
 * Everything that happened, one row per happening: its kind, time, report, crew or follow-up, and what the rules
 * need of it (`minutes`, `ok`, `flag`, `score`). The kinds and what their columns mean:
 * - `received` (receivedAt): ok = a CRITICAL report first assigned within LIFE_SAFETY_ASSIGN_MINUTES; flag = open now;
 * - `first_assigned` (the first ASSIGNED line): minutes from receipt;
 * - `resolved`, `closed`, `rejected`, `duplicate` (each change to that status): minutes from receipt; ok = at or
 *   before targetAt (for `rejected`: the report names where it was referred); flag = a later reopen from RESOLVED or CLOSED;
 * - `open` (each change into or out of an open status, the CREATED line included): score = +1 or -1;
 * - `answered`: minutes from receipt; `due` (dueAt); `reached`, `unreachable` (completedAt): ok = fixed YES, score = rating;
 * - `attempt` (each call): flag = the follow-up's first call; `completed`, `declined` (a crew's job): minutes on site.
 * Returns the SQL and its parameters.
 */
export function factsSql(scope: FactScope): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const where = (reportColumn: string, atColumn: string | null) => {
    const part = atColumn === null ? reportsOnly(scope, reportColumn) : scoped(scope, reportColumn, atColumn);
    params.push(...part.params);
    return part.sql;
  };
  const sql = `
  select r.id as report_id, null::uuid as crew_id, null::uuid as follow_up_id, 'received' as kind, r.received_at as at, null::int as minutes,
         (r.priority = '${Priority.CRITICAL}' and exists (select 1 from timeline_entry a where a.report_id = r.id and a.action = '${ASSIGNED}'
            and a.at <= r.received_at + interval '${LIFE_SAFETY_ASSIGN_MINUTES} minutes')) as ok,
         r.status in (${OPEN}) as flag, null::int as score
    from report r where ${where('r.id', 'r.received_at')}
  union all
  select a.report_id, null, null, 'first_assigned', a.at, ${MINUTES('a.at', 'r.received_at')}, false, false, null
    from (select distinct on (t.report_id) t.report_id, t.at from timeline_entry t where t.action = '${ASSIGNED}' and ${where('t.report_id', null)}
           order by t.report_id, t.at, t.id) a
    join report r on r.id = a.report_id
   where ${where('a.report_id', 'a.at')}
  union all
  select t.report_id, null, null, lower(t.to_status), t.at, ${MINUTES('t.at', 'r.received_at')},
         case when t.to_status = '${ReportStatus.REJECTED}' then r.referred_to is not null else t.at <= r.target_at end,
         exists (select 1 from timeline_entry l where l.report_id = t.report_id and l.id > t.id and l.to_status = '${ReportStatus.RECEIVED}' and l.from_status in (${REOPENED_FROM})),
         null
    from timeline_entry t join report r on r.id = t.report_id
   where t.to_status in ('${ReportStatus.RESOLVED}', '${ReportStatus.CLOSED}', '${ReportStatus.REJECTED}', '${ReportStatus.DUPLICATE}')
     and ${where('t.report_id', 't.at')}
  union all
  select t.report_id, null, null, 'open', t.at, null, false, false, case when t.to_status in (${OPEN}) then 1 else -1 end
    from timeline_entry t
   where t.to_status is not null and (coalesce(t.from_status, '') in (${OPEN})) <> (t.to_status in (${OPEN}))
     and ${where('t.report_id', 't.at')}
  union all
  select t.report_id, null, null, 'answered', t.at, ${MINUTES('t.at', 'r.received_at')}, false, false, null
    from timeline_entry t join report r on r.id = t.report_id
   where t.action = '${ANSWERED}' and ${where('t.report_id', 't.at')}
  union all
  select fu.report_id, null, fu.id, 'due', fu.due_at, null, false, false, null
    from follow_up fu where ${where('fu.report_id', 'fu.due_at')}
  union all
  select fu.report_id, null, fu.id, lower(fu.status), fu.completed_at, null, fu.fixed = '${FixedAnswer.YES}', false, fu.satisfaction
    from follow_up fu
   where fu.status in ('${FollowUpStatus.REACHED}', '${FollowUpStatus.UNREACHABLE}') and fu.completed_at is not null and ${where('fu.report_id', 'fu.completed_at')}
  union all
  select fu.report_id, null, fu.id, 'attempt', fa.at, null, false,
         not exists (select 1 from follow_up_attempt e where e.follow_up_id = fa.follow_up_id and (e.at, e.id) < (fa.at, fa.id)), null
    from follow_up_attempt fa join follow_up fu on fu.id = fa.follow_up_id
   where ${where('fu.report_id', 'fa.at')}
  union all
  select t.report_id, a.crew_id, null, case t.action when '${COMPLETED}' then 'completed' else 'declined' end, t.at,
         case when t.action = '${COMPLETED}' then (select ${MINUTES('t.at', 'max(o.at)')} from timeline_entry o
                where o.report_id = t.report_id and o.assignment_id = t.assignment_id and o.action = '${ON_SITE}' and o.id < t.id) end,
         false, false, null
    from timeline_entry t join assignment a on a.id = t.assignment_id
   where t.action in ('${COMPLETED}', '${DECLINED}') and ${where('t.report_id', 't.at')}`;
  return { sql, params };
}

const count = (where: string) => `count(*) filter (where ${where})::int`;
/**
 * The medians and percentiles: which fact kind's durations each ranks and at what fraction. Both
 * implementations read them from here: the raw statement with `percentile_disc`, the maintained one by ranking
 * counted steps (indicator_histogram) the way `percentile_disc` does.
 */
export const PERCENTILES = [
  { name: 'firstAssignmentMedian', fraction: 0.5, kind: 'first_assigned' },
  { name: 'firstAssignmentP90', fraction: 0.9, kind: 'first_assigned' },
  { name: 'resolutionMedian', fraction: 0.5, kind: 'resolved' },
  { name: 'resolutionP90', fraction: 0.9, kind: 'resolved' },
  { name: 'answerMedian', fraction: 0.5, kind: 'answered' },
  { name: 'onSiteMedian', fraction: 0.5, kind: 'completed' },
] as const satisfies readonly { name: keyof RawFigures; fraction: number; kind: string }[];
/** The fact kinds whose durations are ranked. */
export const DURATION_KINDS = [...new Set(PERCENTILES.map((p) => p.kind))];

/** A median or percentile of the facts' durations, each told to its step (`durationStep`: exact below an hour, else within 1/32). */
const percentile = (fraction: number, kind: string) => `percentile_disc(${fraction}) within group (order by ${durationStepSql('f.minutes')}) filter (where f.kind = '${kind}')`;

/** The aggregate of each raw figure over the facts `f` of a row (the report `r` joined); backlog comes from its own statement. */
const FIGURES_SQL: Record<Exclude<keyof RawFigures, 'backlog'>, string> = {
  received: count(`f.kind = 'received'`),
  resolved: count(`f.kind = 'resolved'`),
  closed: count(`f.kind = 'closed'`),
  rejected: count(`f.kind = 'rejected'`),
  referred: count(`f.kind = 'rejected' and r.referred_to is not null`),
  merged: count(`f.kind = 'duplicate'`),
  overdueNow: count(`f.kind = 'received' and r.status in (${OPEN}) and r.target_at < ?::timestamptz`),
  resolvedOnTime: count(`f.kind = 'resolved' and f.ok`),
  critical: count(`f.kind = 'received' and r.priority = '${Priority.CRITICAL}'`),
  criticalAssignedIn15: count(`f.kind = 'received' and f.ok`),
  resolvedLaterReopened: count(`f.kind = 'resolved' and f.flag`),
  followUpsDue: count(`f.kind = 'due'`),
  followUpsAttempted: count(`f.kind = 'attempt' and f.flag`),
  followUpsReached: count(`f.kind = 'reached'`),
  followUpsUnreachable: count(`f.kind = 'unreachable'`),
  reachedFixed: count(`f.kind = 'reached' and f.ok`),
  satisfactionSum: `coalesce(sum(f.score) filter (where f.kind = 'reached'), 0)::int`,
  satisfied: count(`f.kind = 'reached' and f.score >= 4`),
  callsMade: count(`f.kind = 'attempt'`),
  inquiriesAnswered: count(`f.kind = 'answered'`),
  jobsCompleted: count(`f.kind = 'completed'`),
  declines: count(`f.kind = 'declined'`),
  ...(Object.fromEntries(PERCENTILES.map((p) => [p.name, percentile(p.fraction, p.kind)])) as Record<(typeof PERCENTILES)[number]['name'], string>),
};

const keyColumns = (groupBy: readonly IndicatorDimension[]) => groupBy.map((dimension, index) => `${DIMENSION_SQL[dimension]} as d${index}`);
const keyNames = (groupBy: readonly IndicatorDimension[]) => groupBy.map((_, index) => `d${index}`);

/** The indicators of a question from the raw tables: one row per group (and bucket) where anything happened or anything was open at its end. */
export async function rawIndicators(em: EntityManager, question: IndicatorQuestion): Promise<RawRow[]> {
  const { from, to, now, bucket, groupBy } = question;
  const filter = filterSql(question.filter);
  const facts = factsSql({ period: { from, to } });
  const byCrew = groupBy.includes(IndicatorDimension.CREW);
  const bucketColumn = bucket ? `to_char(${bucketStartSql('f.at', bucket)}, 'YYYY-MM-DD')` : 'null::text';
  const groups = [...keyNames(groupBy), 'b'];
  const factsQuery = `
    with facts as (${facts.sql})
    select ${[...keyColumns(groupBy), `${bucketColumn} as b`, ...Object.entries(FIGURES_SQL).map(([name, sql]) => `${sql} as "${name}"`)].join(', ')}
      from facts f join report r on r.id = f.report_id join category c on c.code = r.category_code
     where f.kind <> 'open' and ${filter.sql}${byCrew ? ' and f.crew_id is not null' : ''}
     group by ${groups.join(', ')}`;
  const records = await em.execute<Record<string, unknown>[]>(factsQuery, [...facts.params, now.toISOString(), ...filter.params]);

  const rows = new Map<string, RawRow>();
  const rowFor = (record: Record<string, unknown>): RawRow => {
    const keys = groupBy.map((_, index) => (record[`d${index}`] as string | null) ?? null);
    const bucketStart = (record.b as string | null) ?? null;
    const id = JSON.stringify([keys, bucketStart]);
    let row = rows.get(id);
    if (!row) {
      row = { keys, bucketStart, figures: emptyFigures() };
      rows.set(id, row);
    }
    return row;
  };
  for (const record of records) {
    const row = rowFor(record);
    for (const name of Object.keys(FIGURES_SQL) as (keyof typeof FIGURES_SQL)[]) row.figures[name] = record[name] as never;
  }
  if (!byCrew) {
    const ends = question.buckets ?? [{ start: null, endAt: to }];
    const backlogSql = `
      select ${[...keyColumns(groupBy), 'e.bucket_start as b', 'count(*)::int as backlog'].join(', ')}
        from unnest(?::text[], ?::timestamptz[]) as e(bucket_start, end_at)
        join report r on r.received_at < e.end_at
        join category c on c.code = r.category_code
       where ${filter.sql}
         and coalesce((select t.to_status from timeline_entry t where t.report_id = r.id and t.to_status is not null and t.at < e.end_at
                        order by t.at desc, t.id desc limit 1), '${ReportStatus.RECEIVED}') in (${OPEN})
       group by ${groups.join(', ')}`;
    const backlog = await em.execute<Record<string, unknown>[]>(backlogSql, [
      `{${ends.map((end) => (end.start === null ? 'NULL' : `"${end.start}"`)).join(',')}}`,
      `{${ends.map((end) => `"${end.endAt.toISOString()}"`).join(',')}}`,
      ...filter.params,
    ]);
    for (const record of backlog) rowFor(record).figures.backlog = record.backlog as number;
  }
  return [...rows.values()];
}

export function emptyFigures(): RawFigures {
  return {
    received: 0,
    resolved: 0,
    closed: 0,
    rejected: 0,
    referred: 0,
    merged: 0,
    backlog: 0,
    overdueNow: 0,
    firstAssignmentMedian: null,
    firstAssignmentP90: null,
    resolutionMedian: null,
    resolutionP90: null,
    resolvedOnTime: 0,
    critical: 0,
    criticalAssignedIn15: 0,
    resolvedLaterReopened: 0,
    followUpsDue: 0,
    followUpsAttempted: 0,
    followUpsReached: 0,
    followUpsUnreachable: 0,
    reachedFixed: 0,
    satisfactionSum: 0,
    satisfied: 0,
    callsMade: 0,
    inquiriesAnswered: 0,
    answerMedian: null,
    jobsCompleted: 0,
    onSiteMedian: null,
    declines: 0,
  };
}
