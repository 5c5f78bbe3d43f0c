import { inject, onBeforeUnmount, onMounted, provide, shallowRef, watch, type InjectionKey } from 'vue';
import type { DispatchEvent } from '../../domain/event.ts';
import { useRun, type Run } from '../../graphql/client.ts';
import type { ResultOf } from '../../graphql/graphql.ts';
import { LiveFeed } from '../../live/live-feed.ts';
import { currentToken, session } from '../../session/session.ts';
import { AlertCenter } from '../alerts/alerts.ts';
import { AcknowledgeReportMutation } from '../alerts/alerts.operations.ts';
import { CrewsQuery, OpenReportsPageQuery } from './dispatch.operations.ts';
import { DispatchStore } from './dispatch.store.ts';

/** How far the open-queue load has got. */
export interface LoadProgress {
  loaded: number;
  total: number | null;
  /** The first page has arrived: the queue can render. */
  ready: boolean;
  done: boolean;
  error: string | null;
}

export interface DispatchFloorOptions {
  /** Runs operations: the app's GraphQL client (provideFloor takes it with useRun()), a fake in tests. */
  run: Run;
  /** The feed's token was refused: the session is over. */
  onAuthFailed: () => void;
}

const FRESH_MS = 4000;
/** Rows in the preview: a screenful, so the first render does not wait for a full page. */
const PREVIEW_ROWS = 40;
const PAGE_ROWS = 100;
const RETRY_MS = 3000;

/**
 * A dispatcher's live session: the store, the CRITICAL alerts and the event feed, wired together.
 * Whenever the feed cannot resume from a cursor it asks for a resync, which pages through every open
 * report (100 at a time, rendering after the first page) and every crew; events keep applying meanwhile,
 * each by version, so the load and the live stream can interleave in any order.
 */
export class DispatchFloor {
  readonly alerts = new AlertCenter();
  readonly store: DispatchStore;
  readonly feed: LiveFeed;
  readonly progress = shallowRef<LoadProgress>({ loaded: 0, total: null, ready: false, done: false, error: null });
  /** Events applied since start, for the diagnostics hook. */
  eventsApplied = 0;
  /** Full reloads since start: 1 is the first load; more mean the feed could not resume from a cursor. */
  resyncs = 0;
  private generation = 0;
  private freshTimer: ReturnType<typeof setInterval> | null = null;
  private readonly run: Run;

  constructor(options: DispatchFloorOptions) {
    this.run = options.run;
    this.store = new DispatchStore({
      onCritical: (row) => {
        if (row.acknowledged) return;
        this.alerts.raise({
          reportId: row.id,
          reference: row.reference,
          categoryCode: row.categoryCode,
          municipalityCode: row.municipalityCode,
          raisedAt: Date.now(),
          likelyDuplicateOf: row.repeats,
        });
      },
    });
    this.feed = new LiveFeed({
      token: currentToken,
      onEvent: (event) => this.apply(event),
      onResync: () => void this.resync(),
      onAuthFailed: options.onAuthFailed,
    });
  }

  start(): void {
    this.feed.start();
    void this.preview();
    this.freshTimer = setInterval(() => this.store.expireFresh(FRESH_MS), 1000);
  }

  stop(): void {
    this.generation += 1;
    this.feed.stop();
    this.alerts.acknowledgeAll();
    if (this.freshTimer) clearInterval(this.freshTimer);
  }

  private apply(event: DispatchEvent): void {
    this.eventsApplied += 1;
    this.store.applyEvent(event);
    // Acknowledged by any dispatcher, or no longer open work: the alert goes from every console.
    if (event.report && (event.report.acknowledgedAt || !event.report.open)) this.alerts.acknowledge(event.report.id);
  }

  /**
   * Acknowledges a report for every dispatcher (acknowledgeReport) and drops its alert here at once; every
   * console, this one included, unpins the row when the event arrives. When the server could not be reached the
   * alert stays, so the dispatcher can try again (a report closed meanwhile loses its alert with the close's event).
   */
  async acknowledge(reportId: string): Promise<void> {
    try {
      await this.run(AcknowledgeReportMutation, { id: reportId });
      this.alerts.acknowledge(reportId);
    } catch {
      // the alert stays on screen: acknowledging again is safe (the first acknowledgement stands)
    }
  }

  /** Acknowledges every pending alert (the banner's "acknowledge all"). */
  async acknowledgeAll(): Promise<void> {
    await Promise.all(this.alerts.pending.value.map((alert) => this.acknowledge(alert.reportId)));
  }

  private applyPage(connection: ResultOf<typeof OpenReportsPageQuery>['reports']): void {
    for (const { node } of connection.edges) {
      this.store.upsertReport(node);
      if (node.activeAssignment) this.store.upsertAssignment(node.activeAssignment, node.id, node.activeAssignment.crew.id);
    }
  }

  /**
   * Shows the top of the queue (a screenful), then the crews, while the live feed is still connecting.
   * Only the resync that follows the subscription is authoritative (it sweeps what closed meanwhile),
   * so a preview that arrives after a resync began is dropped; its errors are the resync's to report.
   */
  private async preview(): Promise<void> {
    const generation = this.generation;
    try {
      const page = await this.run(OpenReportsPageQuery, { first: PREVIEW_ROWS, after: null, withCount: true });
      if (generation !== this.generation || this.progress.value.ready) return;
      this.applyPage(page.reports);
      this.progress.value = { loaded: page.reports.edges.length, total: page.reports.totalCount ?? null, ready: true, done: false, error: null };
      const crews = await this.run(CrewsQuery, {});
      if (generation !== this.generation) return;
      for (const crew of crews.crews) this.store.upsertCrew(crew);
    } catch {
      // a failed preview changes nothing: the resync that follows reports load errors
    }
  }

  /** Reloads crews and every open report; a newer resync supersedes an older one still paging. */
  async resync(): Promise<void> {
    const generation = ++this.generation;
    this.resyncs += 1;
    this.progress.value = { ...this.progress.value, done: false, error: null };
    try {
      this.store.beginSnapshot();
      const crews = this.run(CrewsQuery, {});
      crews.catch(() => undefined);
      let after: string | null = null;
      let loaded = 0;
      let total: number | null = null;
      for (;;) {
        const page: ResultOf<typeof OpenReportsPageQuery> = await this.run(OpenReportsPageQuery, { first: PAGE_ROWS, after, withCount: after === null });
        if (generation !== this.generation) return;
        total ??= page.reports.totalCount ?? null;
        this.applyPage(page.reports);
        loaded += page.reports.edges.length;
        this.progress.value = { loaded: Math.max(loaded, this.progress.value.loaded), total, ready: true, done: false, error: null };
        if (!page.reports.pageInfo.hasNextPage || !page.reports.pageInfo.endCursor) break;
        after = page.reports.pageInfo.endCursor;
      }
      for (const crew of (await crews).crews) this.store.upsertCrew(crew);
      if (generation !== this.generation) return;
      this.store.endSnapshot();
      this.progress.value = { loaded, total, ready: true, done: true, error: null };
    } catch (err) {
      if (generation !== this.generation) return;
      this.progress.value = { ...this.progress.value, error: err instanceof Error ? err.message : String(err) };
      setTimeout(() => generation === this.generation && void this.resync(), RETRY_MS);
    }
  }

  /** The live session's state, for support and for the end-to-end and benchmark programs (cheap: no rows). */
  diagnostics() {
    return {
      state: this.feed.state.value,
      cursor: this.feed.cursor,
      eventsApplied: this.eventsApplied,
      resyncs: this.resyncs,
      progress: this.progress.value,
      openCount: this.store.openCount,
    };
  }

  /** Every open report the console holds, by id and version, to compare with the database. */
  openReports() {
    return this.store.queue().map((r) => ({ id: r.id, version: r.version, status: r.status }));
  }
}

/** How the dispatch screens reach the floor of the shell they sit in: provideFloor() provides it, useFloor() injects it. */
export const DISPATCH_FLOOR: InjectionKey<DispatchFloor> = Symbol('DispatchFloor');

/** The floor of the dispatch shell this component sits in; throws outside one, which is a wiring mistake. */
export function useFloor(): DispatchFloor {
  const floor = inject(DISPATCH_FLOOR, null);
  if (!floor) throw new Error('useFloor() needs a DispatchFloor provided by an ancestor (provideFloor)');
  return floor;
}

/**
 * Gives the calling component (the dispatch shell) a floor for its lifetime, over the GraphQL client the
 * app provides through @urql/vue, and provides the floor to every screen inside: it starts on mount and serves `window.__balagh` while it runs, reconnects the feed at
 * once when the session's token is renewed (the old token dies with the renewal), and stops on unmount.
 */
export function provideFloor(options: Omit<DispatchFloorOptions, 'run'>): DispatchFloor {
  const floor = new DispatchFloor({ ...options, run: useRun() });
  provide(DISPATCH_FLOOR, floor);
  onMounted(() => {
    floor.start();
    exposeDiagnostics(floor);
  });
  onBeforeUnmount(() => {
    floor.stop();
    exposeDiagnostics(null);
  });
  watch(
    () => session.value?.token,
    (token, previous) => {
      if (token && previous) floor.feed.reconnectNow();
    },
  );
  return floor;
}

/** Points the read-only `window.__balagh` hook (support, end-to-end tests, benchmark) at a floor; with none it answers null. */
export function exposeDiagnostics(floor: DispatchFloor | null): void {
  Object.defineProperty(window, '__balagh', {
    configurable: true,
    value: { diagnostics: () => floor?.diagnostics() ?? null, openReports: () => floor?.openReports() ?? null },
  });
}
