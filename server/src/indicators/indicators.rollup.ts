import type { EntityManager } from '@mikro-orm/postgresql';
import { Priority } from '../reports/reports.enums.js';
import { durationStepSql, INDICATOR_TIME_ZONE } from './indicators.definitions.js';
import { DURATION_KINDS, factsSql, PERCENTILES, textArray, type FactScope, type RawFigures } from './indicators.raw.js';

/**
 * The maintained aggregates (issue 14). Two tables, both derived from the raw tables and nothing else:
 *
 * - `indicator_fact`: one narrow row per happening of `factsSql` (a receipt, a resolution, a call, a job …) with
 *   its report's dimensions copied in and its Riyadh day: what partial days, medians and percentiles are read from.
 * - `indicator_rollup`: per grain, Riyadh day and dimension values, the additive figures below summed. A grain is
 *   the set of dimensions a row keeps: TOTAL (none), each single dimension (DEPARTMENT is read through CATEGORY),
 *   and ALL (every dimension, crew included), so a question grouped or filtered by one dimension reads a dozen rows
 *   a day, and any other question the ALL grain. Dimensions outside a grain hold '*'; a report without a beneficiary
 *   type and a happening without a crew hold ''. Rows dated '-infinity' carry, per grain and group, the sum of every
 *   `open` delta ever: the reports open now, from which the backlog at any instant is counted back.
 *
 * - `indicator_histogram`: per one-dimension grain (and TOTAL), calendar month or Sunday-first week, dimension value
 *   and duration kind, how many durations fell on each step (`durationStep`): what medians and percentiles of whole
 *   months and weeks rank, a few hundred rows per group and month however many reports there are.
 * - `indicator_percentile`: each such month's and week's percentiles, ranked again whenever its steps change.
 *
 * They are kept by a projector that reads the outbox (every change of a report, its assignments and follow-ups
 * appends an event naming the report, in the change's own transaction, so a rolled-back change leaves nothing) and
 * recomputes each named report whole: its old facts are deleted, its facts read again from the raw tables, and the
 * rollups moved by the difference, in one statement. Recomputing a report is idempotent, so reading an event twice
 * counts nothing twice; the projector's cursor moves in the same transaction, under a lock one projector holds at a
 * time, and it reads the outbox as the event hub does (below the oldest running transaction), so nothing is lost.
 */

/** The figures a rollup row sums: each is `sum(case when <when> then <value> else 0 end)` over facts. */
export const ROLLUP_FIGURES = {
  received: { when: `f.kind = 'received'` },
  resolved: { when: `f.kind = 'resolved'` },
  closed: { when: `f.kind = 'closed'` },
  rejected: { when: `f.kind = 'rejected'` },
  referred: { when: `f.kind = 'rejected' and f.ok` },
  merged: { when: `f.kind = 'duplicate'` },
  resolvedOnTime: { when: `f.kind = 'resolved' and f.ok` },
  critical: { when: `f.kind = 'received' and f.priority = '${Priority.CRITICAL}'` },
  criticalAssignedIn15: { when: `f.kind = 'received' and f.ok` },
  resolvedLaterReopened: { when: `f.kind = 'resolved' and f.flag` },
  followUpsDue: { when: `f.kind = 'due'` },
  followUpsAttempted: { when: `f.kind = 'attempt' and f.flag` },
  followUpsReached: { when: `f.kind = 'reached'` },
  followUpsUnreachable: { when: `f.kind = 'unreachable'` },
  reachedFixed: { when: `f.kind = 'reached' and f.ok` },
  satisfactionSum: { when: `f.kind = 'reached'`, value: 'coalesce(f.score, 0)' },
  satisfied: { when: `f.kind = 'reached' and f.score >= 4` },
  callsMade: { when: `f.kind = 'attempt'` },
  inquiriesAnswered: { when: `f.kind = 'answered'` },
  jobsCompleted: { when: `f.kind = 'completed'` },
  declines: { when: `f.kind = 'declined'` },
  openDelta: { when: `f.kind = 'open'`, value: 'f.score' },
  /** Reports received that day and open now: open and overdue now is read from it. */
  openNow: { when: `f.kind = 'received' and f.flag` },
} as const satisfies Partial<Record<keyof RawFigures | 'openDelta' | 'openNow', { when: string; value?: string }>>;

export type RollupFigure = keyof typeof ROLLUP_FIGURES;
export const ROLLUP_FIGURE_NAMES = Object.keys(ROLLUP_FIGURES) as RollupFigure[];

/** A figure's column in indicator_rollup. */
export const column = (name: string) => name.replace(/[A-Z0-9]+/g, (part) => `_${part.toLowerCase()}`);

/** The sum of a figure over facts `f`, each multiplied by `sign` (an SQL expression). */
export const figureSql = (name: RollupFigure, sign = '1') => {
  const figure: { when: string; value?: string } = ROLLUP_FIGURES[name];
  return `sum(case when ${figure.when} then ${sign} * ${figure.value ?? '1'} else 0 end)::int`;
};

/** The grains of indicator_rollup and the dimension columns each keeps. */
export const GRAINS = {
  TOTAL: [],
  CHANNEL: ['channel'],
  CATEGORY: ['category_code'],
  MUNICIPALITY: ['municipality_code'],
  BENEFICIARY_TYPE: ['beneficiary_type'],
  PRIORITY: ['priority'],
  CREW: ['crew_id'],
  ALL: ['channel', 'category_code', 'municipality_code', 'beneficiary_type', 'priority', 'crew_id'],
} as const satisfies Record<string, readonly string[]>;
export type Grain = keyof typeof GRAINS;

/**
 * The grains of indicator_histogram: none (TOTAL) or one dimension, and the value a fact `f` (its category `c`
 * joined) holds there (null: not counted at that grain). DEPARTMENT is a grain of its own here, so a department's
 * weeks rank a department's steps, not its categories' summed.
 */
export const HISTOGRAM_GRAINS = {
  TOTAL: `''`,
  CHANNEL: 'f.channel',
  CATEGORY: 'f.category_code',
  DEPARTMENT: 'c.department_code',
  MUNICIPALITY: 'f.municipality_code',
  BENEFICIARY_TYPE: `coalesce(f.beneficiary_type, '')`,
  PRIORITY: 'f.priority',
  CREW: 'f.crew_id::text',
} as const;
export type HistogramGrain = keyof typeof HISTOGRAM_GRAINS;

/**
 * The spans indicator_histogram counts over: the first Riyadh day of the span holding a date expression, and
 * whether each one's percentiles are kept ranked in indicator_percentile (a span that is a series bucket: a
 * WEEK series reads its whole weeks' percentiles, a MONTH series its months'). A quarter only shortens a long
 * period's merge (3 quarters instead of 9 months), so it is never read ranked.
 */
export const HISTOGRAM_SPANS = {
  /** A calendar quarter. */
  Q: { start: (day: string) => `date_trunc('quarter', ${day})::date`, ranked: false },
  /** A calendar month. */
  M: { start: (day: string) => `date_trunc('month', ${day})::date`, ranked: true },
  /** A week, Sunday first (the WEEK bucket's). */
  W: { start: (day: string) => `(${day} - extract(dow from ${day})::int)`, ranked: true },
} as const;
const RANKED_SPANS = Object.entries(HISTOGRAM_SPANS)
  .filter(([, span]) => span.ranked)
  .map(([name]) => `'${name}'`)
  .join(', ');
export type HistogramSpan = keyof typeof HISTOGRAM_SPANS;

const KEY_COLUMNS = ['channel', 'category_code', 'municipality_code', 'beneficiary_type', 'priority', 'crew_id'] as const;
const FACT_COLUMNS = ['report_id', 'kind', 'at', 'day', 'channel', 'category_code', 'municipality_code', 'beneficiary_type', 'priority', 'crew_id', 'follow_up_id', 'minutes', 'ok', 'flag', 'score'];

/** The fractions the percentiles ask for (0.5, 0.9), and each one's column in indicator_percentile. */
const FRACTIONS = [...new Set(PERCENTILES.map((p) => p.fraction))];
export const fractionColumn = (fraction: number) => `p${Math.round(fraction * 100)}`;

/** The DDL of indicator_histogram and indicator_percentile (their own migration adds them to a database that has the others). */
export const HISTOGRAM_DDL = [
  `create table "indicator_histogram" (
     "grain" varchar(20) not null, "span" char(1) not null, "start" date not null, "key" text not null, "kind" varchar(20) not null,
     "minutes" int not null, "count" int not null,
     primary key ("grain", "span", "start", "key", "kind", "minutes") include ("count"))`,
  // The received facts of the reports open now, with what a row is grouped by: open and overdue now looks up the
  // few whose target is still ahead here, without touching the facts' heap.
  `create index "indicator_fact_open_received_index" on "indicator_fact" ("report_id") include ("at", "day", "channel", "category_code", "municipality_code", "beneficiary_type", "priority") where "kind" = 'received' and "flag"`,
  // Each month's and week's percentiles, ranked once when its steps change: what a WEEK or MONTH series reads for
  // its whole buckets (371 rows for a year of departments by week, instead of ranking their steps again).
  `create table "indicator_percentile" (
     "grain" varchar(20) not null, "span" char(1) not null, "start" date not null, "key" text not null, "kind" varchar(20) not null,
     ${FRACTIONS.map((fraction) => `"${fractionColumn(fraction)}" int not null`).join(', ')},
     primary key ("grain", "span", "start", "key", "kind"))`,
];

/**
 * Counted steps `steps` (columns: the partition's, `minutes`, `n`) with, per partition, the running count up to
 * each step (`running`) and the partition's count (`total`): what {@link reachesSql} ranks.
 */
export function rankedStepsSql(steps: string, partition: readonly string[]): string {
  const by = partition.join(', ');
  return `select *, sum(n) over (partition by ${by} order by minutes) as running, sum(n) over (partition by ${by}) as total from (${steps}) s`;
}

/**
 * Whether a ranked step (see {@link rankedStepsSql}) is at or past the `fraction` percentile: the first step whose
 * running count reaches ceil(fraction × count), computed in float8 as PostgreSQL's `percentile_disc` does, so the
 * smallest such step is exactly `percentile_disc(fraction)` of the same durations' steps.
 */
export const reachesSql = (fraction: number) => `running >= greatest(1, ceil(${fraction}::float8 * total::float8))`;

/** The percentiles of each (grain, span, start, key, kind) of indicator_histogram rows `h` matching `where`, as indicator_percentile rows. */
function percentilesOfSql(where: string): string {
  const partition = ['grain', 'span', 'start', 'key', 'kind'];
  return `select ${partition.join(', ')}, ${FRACTIONS.map((fraction) => `min(minutes) filter (where ${reachesSql(fraction)}) as ${fractionColumn(fraction)}`).join(', ')}
            from (${rankedStepsSql(`select h.grain, h.span, h.start, h.key, h.kind, h.minutes, h.count::bigint as n from indicator_histogram h where h.span in (${RANKED_SPANS}) and h.count > 0 and ${where}`, partition)}) r
           group by ${partition.join(', ')}`;
}

/** Fills indicator_percentile from indicator_histogram (a rebuild, and the migration that adds the table). */
export const PERCENTILE_FILL_SQL = `insert into indicator_percentile ${percentilesOfSql('true')}`;

/** A span (quarter, month or week) of one grain, value and kind whose steps changed. */
interface Touched {
  grain: string;
  span: string;
  start: string;
  key: string;
  kind: string;
}

/** Ranks the touched months' and weeks' steps again: their percentiles replaced, or removed when no step is left. */
async function rerank(em: EntityManager, touched: readonly Touched[]): Promise<void> {
  if (!touched.length) return;
  const column = (name: keyof Touched) => textArray(touched.map((row) => row[name]));
  await em.execute(
    `with touched as (select * from unnest(?::text[], ?::text[], ?::date[], ?::text[], ?::text[]) t(grain, span, start, key, kind)),
          ranked as (${percentilesOfSql('(h.grain, h.span, h.start, h.key, h.kind) in (select grain, span, start, key, kind from touched)')}),
          gone as (delete from indicator_percentile p using touched t
                    where (p.grain, p.span, p.start, p.key, p.kind) = (t.grain, t.span, t.start, t.key, t.kind)
                      and not exists (select 1 from ranked r where (r.grain, r.span, r.start, r.key, r.kind) = (t.grain, t.span, t.start, t.key, t.kind)))
     insert into indicator_percentile select * from ranked
     on conflict (grain, span, start, key, kind) do update set ${FRACTIONS.map((fraction) => `${fractionColumn(fraction)} = excluded.${fractionColumn(fraction)}`).join(', ')}`,
    [column('grain'), column('span'), column('start'), column('key'), column('kind')],
  );
}

/** What the covering (kind, at) index of indicator_fact carries besides its key: all a median reads of a duration fact. */
export const DURATION_FACT_COLUMNS = ['minutes', 'day', 'channel', 'category_code', 'municipality_code', 'beneficiary_type', 'priority', 'crew_id'] as const;

/** The DDL of the aggregates and the projector's cursor (the migration runs it). */
export const ROLLUP_DDL = [
  `create table "indicator_fact" (
     "report_id" uuid not null, "kind" varchar(20) not null, "at" timestamptz not null, "day" date not null,
     "channel" text not null, "category_code" varchar(40) not null, "municipality_code" varchar(40) not null, "beneficiary_type" text null, "priority" text not null,
     "crew_id" uuid null, "follow_up_id" uuid null, "minutes" int null, "ok" boolean not null, "flag" boolean not null, "score" int null)`,
  `create index "indicator_fact_report_index" on "indicator_fact" ("report_id")`,
  // Partial days, and the durations a median or percentile ranks (read by kind and time, the minutes in the index).
  `create index "indicator_fact_at_index" on "indicator_fact" ("at")`,
  // Covering: a median reads the period's durations of one kind, with every dimension, by an index-only scan.
  `create index "indicator_fact_kind_at_index" on "indicator_fact" ("kind", "at") include (${DURATION_FACT_COLUMNS.map((name) => `"${name}"`).join(', ')})`,
  `create table "indicator_rollup" (
     "grain" varchar(20) not null, "day" date not null,
     ${KEY_COLUMNS.map((name) => `"${name}" text not null`).join(', ')},
     ${ROLLUP_FIGURE_NAMES.map((name) => `"${column(name)}" int not null default 0`).join(', ')},
     primary key ("grain", "day", ${KEY_COLUMNS.map((name) => `"${name}"`).join(', ')}))`,
  `create table "indicator_projector" ("id" smallint primary key, "tx_id" xid8 not null, "event_id" bigint not null)`,
];

/** The Riyadh day of a fact's time. */
const daySql = (at: string) => `(${at} at time zone '${INDICATOR_TIME_ZONE}')::date`;

/** Selects new fact rows (in FACT_COLUMNS order) from `factsSql`'s rows `f`, with their report's dimensions. */
function factRowsSql(scope: FactScope): { sql: string; params: unknown[] } {
  const facts = factsSql(scope);
  return {
    sql: `select f.report_id, f.kind, f.at, ${daySql('f.at')}, r.channel, r.category_code, r.municipality_code, r.beneficiary_type, r.priority,
                 f.crew_id, f.follow_up_id, f.minutes, coalesce(f.ok, false), coalesce(f.flag, false), f.score
            from (${facts.sql}) f join report r on r.id = f.report_id`,
    params: facts.params,
  };
}

/**
 * Adds the rows of `changes` (fact rows with a `sign` column: +1 added, -1 removed) into indicator_rollup, every
 * grain at once, plus the '-infinity' row of each `open` delta. One row per key is written (grouped first), so the
 * upsert never touches a row twice.
 */
function rollupUpsertSql(changes: string, upsert = true): string {
  const grains = Object.entries(GRAINS) as [Grain, readonly string[]][];
  const keyOf = (name: (typeof KEY_COLUMNS)[number]) => {
    const kept = grains.filter(([, columns]) => columns.includes(name as never)).map(([grain]) => `'${grain}'`);
    const value = name === 'beneficiary_type' || name === 'crew_id' ? `coalesce(f.${name}::text, '')` : `f.${name}`;
    return `case when g.grain in (${kept.join(', ')}) then ${value} else '*' end`;
  };
  return `
    insert into indicator_rollup (grain, day, ${KEY_COLUMNS.join(', ')}, ${ROLLUP_FIGURE_NAMES.map(column).join(', ')})
    select g.grain, d.day, ${KEY_COLUMNS.map(keyOf).join(', ')}, ${ROLLUP_FIGURE_NAMES.map((name) => figureSql(name, 'f.sign')).join(', ')}
      from (${changes}) f
     cross join (values ${grains.map(([grain]) => `('${grain}')`).join(', ')}) g(grain)
     cross join lateral (values (f.day), (case when f.kind = 'open' then '-infinity'::date end)) d(day)
     where d.day is not null and (g.grain <> 'CREW' or f.crew_id is not null)
     group by 1, 2, 3, 4, 5, 6, 7, 8
    ${
      upsert
        ? `on conflict (grain, day, ${KEY_COLUMNS.join(', ')}) do update set
      ${ROLLUP_FIGURE_NAMES.map((name) => `${column(name)} = indicator_rollup.${column(name)} + excluded.${column(name)}`).join(', ')}`
        : ''
    }`;
}

/**
 * Adds the duration facts of `changes` (fact rows with a `sign` column) into indicator_histogram: each counted at
 * every grain where it has a value, in its quarter, month and week, on its step. Grouped first, so one row per key.
 */
function histogramUpsertSql(changes: string, upsert = true): string {
  const grains = Object.entries(HISTOGRAM_GRAINS);
  const spans = Object.entries(HISTOGRAM_SPANS);
  return `
    insert into indicator_histogram (grain, span, start, key, kind, minutes, count)
    select g.grain, s.span, s.start, g.key, f.kind, ${durationStepSql('f.minutes')}, sum(f.sign)::int
      from (${changes}) f join category c on c.code = f.category_code
     cross join lateral (values ${grains.map(([grain, value]) => `('${grain}', ${value})`).join(', ')}) g(grain, key)
     cross join lateral (values ${spans.map(([name, span]) => `('${name}', ${span.start('f.day')})`).join(', ')}) s(span, start)
     where f.kind in (${DURATION_KINDS.map((kind) => `'${kind}'`).join(', ')}) and f.minutes is not null and g.key is not null
     group by 1, 2, 3, 4, 5, 6
    ${upsert ? `having sum(f.sign) <> 0 on conflict (grain, span, start, key, kind, minutes) do update set count = indicator_histogram.count + excluded.count returning grain, span, start, key, kind` : ''}`;
}

/** Fills indicator_histogram from indicator_fact (a rebuild, and the migration that adds the table). */
export const HISTOGRAM_FILL_SQL = histogramUpsertSql(`select 1 as sign, * from indicator_fact`, false);

/** The set-based rebuild from the raw tables: empties the aggregates and fills them again (no parameters; the migrations run it too). */
export function rebuildSql(): string[] {
  return [`truncate indicator_histogram, indicator_percentile`, ...factsRebuildSql(), HISTOGRAM_FILL_SQL, PERCENTILE_FILL_SQL];
}

/** The rebuild of indicator_fact and indicator_rollup alone (what migration 20261204000000, before the histogram, runs). */
export function factsRebuildSql(): string[] {
  const rows = factRowsSql({ all: true });
  return [`truncate indicator_fact, indicator_rollup`, `insert into indicator_fact (${FACT_COLUMNS.join(', ')}) ${rows.sql}`, rollupUpsertSql(`select 1 as sign, * from indicator_fact`, false)];
}

/** One projector at a time (advisory lock key: "indicators" as a number). */
const LOCK = 0x1d1ca70;
/** How many outbox rows one projector transaction reads. */
const BATCH = 2_000;

/** Recomputes these reports' facts from the raw tables and moves the rollups by the difference, in one statement. */
export async function recompute(em: EntityManager, reportIds: readonly string[]): Promise<void> {
  if (!reportIds.length) return;
  const ids = `{${reportIds.join(',')}}`;
  const rows = factRowsSql({ reports: reportIds });
  const touched = await em.execute<Touched[]>(
    `with old as (delete from indicator_fact where report_id = any(?::uuid[]) returning *),
          new as (insert into indicator_fact (${FACT_COLUMNS.join(', ')}) ${rows.sql} returning *),
          changes as (select 1 as sign, * from new union all select -1 as sign, * from old),
          histogram as (${histogramUpsertSql(`select * from changes`)}),
          rolled as (${rollupUpsertSql(`select * from changes`)})
     select distinct grain, span, to_char(start, 'YYYY-MM-DD') as start, key, kind from histogram`,
    [ids, ...rows.params],
  );
  await rerank(
    em,
    touched.filter((row) => HISTOGRAM_SPANS[row.span as HistogramSpan].ranked),
  );
}

/**
 * Brings the aggregates up to every committed change: reads the outbox past the cursor (below the oldest running
 * transaction, in (tx_id, id) order), recomputes the reports named, moves the cursor, one batch per transaction.
 * Cheap when there is nothing new (one indexed probe); when a projector is already running, waits for it.
 */
export async function catchUp(em: EntityManager): Promise<number> {
  let projected = 0;
  for (;;) {
    const done = await em.transactional(async (tx) => {
      const [pending] = await tx.execute<{ pending: boolean }[]>(
        `select exists (select 1 from dispatch_event e, indicator_projector p
                         where p.id = 1 and (e.tx_id, e.id) > (p.tx_id, p.event_id) and e.tx_id < pg_snapshot_xmin(pg_current_snapshot()))
             or exists (${LOST_SQL}) as pending`,
      );
      if (!pending.pending) return true;
      await tx.execute(`select pg_advisory_xact_lock(${LOCK})`);
      // Retention pruned events the projector had not read (nobody asked for indicators for that long): rebuild instead.
      const [lost] = await tx.execute<{ lost: boolean }[]>(`select exists (${LOST_SQL}) as lost`);
      if (lost.lost) {
        await rebuildIn(tx);
        return false;
      }
      const [cursor] = await tx.execute<{ tx_id: string; event_id: string }[]>(`select tx_id::text, event_id::text from indicator_projector where id = 1 for update`);
      const events = await tx.execute<{ tx_id: string; id: string; report_id: string | null }[]>(
        `select e.tx_id::text, e.id::text, e.report_id from dispatch_event e
          where (e.tx_id, e.id) > (?::text::xid8, ?::bigint) and e.tx_id < pg_snapshot_xmin(pg_current_snapshot())
          order by e.tx_id, e.id limit ${BATCH}`,
        [cursor.tx_id, cursor.event_id],
      );
      if (!events.length) return true;
      await recompute(tx, [...new Set(events.map((event) => event.report_id).filter((id): id is string => !!id))]);
      const last = events[events.length - 1];
      await tx.execute(`update indicator_projector set tx_id = ?::text::xid8, event_id = ?::bigint where id = 1`, [last.tx_id, last.id]);
      projected += events.length;
      return events.length < BATCH;
    });
    if (done) return projected;
  }
}

/**
 * Rebuilds the aggregates from the raw tables (after a bulk load, or to repair): under the projector's lock, the
 * cursor set to the oldest transaction running when it starts, so every change the rebuild might not see is
 * projected again afterwards (recomputing is idempotent).
 */
export async function rebuild(em: EntityManager): Promise<void> {
  await em.transactional(async (tx) => {
    await tx.execute(`select pg_advisory_xact_lock(${LOCK})`);
    await rebuildIn(tx);
  });
}

/** The rebuild inside a transaction that holds the projector's lock. */
async function rebuildIn(tx: EntityManager): Promise<void> {
  await tx.execute(
    `insert into indicator_projector (id, tx_id, event_id) values (1, pg_snapshot_xmin(pg_current_snapshot()), 0)
     on conflict (id) do update set tx_id = excluded.tx_id, event_id = 0`,
  );
  for (const statement of rebuildSql()) await tx.execute(statement);
}

/** Whether retention pruned past the projector's cursor: events it never read are gone. */
const LOST_SQL = `select 1 from dispatch_event_retention r, indicator_projector p where p.id = 1 and (r.pruned_tx_id, r.pruned_id) > (p.tx_id, p.event_id)`;

/** The cursor row the migration starts from: the oldest running transaction, like a rebuild. */
export const PROJECTOR_START_SQL = `insert into indicator_projector (id, tx_id, event_id) values (1, pg_snapshot_xmin(pg_current_snapshot()), 0)`;
