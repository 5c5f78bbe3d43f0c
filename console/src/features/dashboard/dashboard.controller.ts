import { shallowRef } from 'vue';
import type { Run } from '../../graphql/client.ts';
import type { ResultOf } from '../../graphql/graphql.ts';
import { DashboardCardsQuery, DashboardDepartmentsQuery, DashboardTotalsQuery, DashboardTrendsQuery, IndicatorDefinitionsQuery } from './dashboard.operations.ts';
import { bucketFor, previousInstants, riyadhDay, toInstants, type DayRange, type Instants } from './dashboard.period.ts';

export type Definition = ResultOf<typeof IndicatorDefinitionsQuery>['indicatorDefinitions'][number];
type Totals = ResultOf<typeof DashboardTotalsQuery>['totals'][number];
type Trends = ResultOf<typeof DashboardTrendsQuery>;
type Departments = ResultOf<typeof DashboardDepartmentsQuery>;
/** A row of any of the dashboard's answers: its key (in a breakdown), its bucket (in a series) and the figures asked. */
export type IndicatorRow = Partial<Totals>;

/** Everything the dashboard shows for a period. */
export interface DashboardData {
  current: IndicatorRow[];
  previous: IndicatorRow[];
  series: Trends['series'];
  byMunicipality: Trends['byMunicipality'];
  byChannel: Trends['byChannel'];
  byDepartment: Departments['byDepartment'];
  byCategory: Departments['byCategory'];
}

/** At most one refetch of the cards per this many milliseconds, however many live events arrive. */
export const LIVE_THROTTLE_MS = 10_000;

export interface DashboardControllerOptions {
  run: Run;
  /** The clock; tests pass a fixed one. */
  now?: () => Date;
}

/**
 * The dashboard's state: the definitions (loaded once), the figures of the period shown and of the previous one,
 * and the live refresh of the cards. A newer load supersedes an older one still in flight.
 */
export class DashboardController {
  readonly definitions = shallowRef<Definition[]>([]);
  readonly data = shallowRef<DashboardData | null>(null);
  readonly loading = shallowRef(false);
  readonly failed = shallowRef<string | null>(null);
  /** The instants the figures were asked for ([from, to)) and the previous period's. */
  readonly asked = shallowRef<{ period: Instants; previous: Instants } | null>(null);
  private range: DayRange | null = null;
  private generation = 0;
  private lastCards = 0;
  private pending: ReturnType<typeof setTimeout> | null = null;
  private readonly run: Run;
  private readonly now: () => Date;

  constructor(options: DashboardControllerOptions) {
    this.run = options.run;
    this.now = options.now ?? (() => new Date());
  }

  /** Loads the definitions (once) and every figure of `range`. */
  async show(range: DayRange): Promise<void> {
    this.range = range;
    const generation = ++this.generation;
    const period = toInstants(range, this.now());
    const previous = previousInstants(range, period);
    this.loading.value = true;
    this.failed.value = null;
    try {
      if (this.definitions.value.length === 0) this.definitions.value = (await this.run(IndicatorDefinitionsQuery, {})).indicatorDefinitions;
      const [current, before, trends, departments] = await Promise.all([
        this.run(DashboardTotalsQuery, { period }),
        this.run(DashboardTotalsQuery, { period: previous }),
        this.run(DashboardTrendsQuery, { period, bucket: bucketFor(range) }),
        this.run(DashboardDepartmentsQuery, { period }),
      ]);
      if (generation !== this.generation) return;
      this.data.value = { current: current.totals, previous: before.totals, ...trends, ...departments };
      this.asked.value = { period, previous };
      this.lastCards = this.now().getTime();
    } catch (err) {
      if (generation === this.generation) this.failed.value = err instanceof Error ? err.message : String(err);
    } finally {
      if (generation === this.generation) this.loading.value = false;
    }
  }

  /** Whether the period shown reaches today: only then can live events change its figures. */
  get showsToday(): boolean {
    return this.range !== null && this.range.to >= riyadhDay(this.now());
  }

  /**
   * A report was created or changed somewhere: refetch the cards (this period and the previous), at most once
   * every LIVE_THROTTLE_MS; events inside the window make one refetch at its end.
   */
  liveChanged(): void {
    if (!this.showsToday || this.pending) return;
    const wait = this.lastCards + LIVE_THROTTLE_MS - this.now().getTime();
    if (wait <= 0) void this.refreshCards();
    else this.pending = setTimeout(() => void this.refreshCards(), wait);
  }

  private async refreshCards(): Promise<void> {
    this.pending = null;
    const range = this.range;
    const data = this.data.value;
    if (!range || !data) return;
    const generation = this.generation;
    this.lastCards = this.now().getTime();
    const period = toInstants(range, this.now());
    const previous = previousInstants(range, period);
    try {
      const cards = await this.run(DashboardCardsQuery, { period, previous });
      if (generation !== this.generation || !this.data.value) return;
      // The cards' figures replace theirs in the totals; the other indicators keep the last full load's.
      const merge = (rows: IndicatorRow[], fresh: IndicatorRow[]) => (fresh[0] ? [{ ...rows[0], ...fresh[0] }] : rows);
      this.data.value = { ...this.data.value, current: merge(this.data.value.current, cards.current), previous: merge(this.data.value.previous, cards.previous) };
      this.asked.value = { period, previous };
    } catch {
      // the cards keep their last figures; the next event tries again
    }
  }

  stop(): void {
    this.generation += 1;
    if (this.pending) clearTimeout(this.pending);
    this.pending = null;
  }
}
