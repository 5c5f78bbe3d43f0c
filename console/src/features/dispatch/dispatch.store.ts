import { shallowRef, type ShallowRef } from 'vue';
import { toAssignmentRow, type AssignmentCore, type AssignmentRow } from '../../domain/assignment.ts';
import { toCrewRow, type CrewCore, type CrewRow } from '../../domain/crew.ts';
import type { DispatchEvent } from '../../domain/event.ts';
import { compareQueue, toReportRow, type ReportCore, type ReportRow } from '../../domain/report.ts';

/** What one upsert did: a stale or repeated version is dropped, never applied. */
export type Applied = 'inserted' | 'updated' | 'stale';

/** Index of the first row that sorts after `row` (or its own index when present). */
function lowerBound(rows: readonly ReportRow[], row: ReportRow): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareQueue(rows[mid]!, row) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Fastest the queue re-renders under a stream of events: ten times a second is live to a person and calm to read. */
const MIN_RENDER_INTERVAL_MS = 100;

/** Runs `flush` on an animation frame at most every MIN_RENDER_INTERVAL_MS. */
function throttledFrames(): (flush: () => void) => void {
  let last = -Infinity;
  return (flush) => {
    const wait = Math.max(0, last + MIN_RENDER_INTERVAL_MS - performance.now());
    setTimeout(
      () =>
        requestAnimationFrame(() => {
          last = performance.now();
          flush();
        }),
      wait,
    );
  };
}

export interface DispatchStoreOptions {
  /** Schedules a UI refresh; defaults to an animation frame at most every 100 ms, so a burst of events renders once. */
  schedule?: (flush: () => void) => void;
  /** Called when a live event brings a CRITICAL report into the queue (new, or raised to CRITICAL). */
  onCritical?: (row: ReportRow) => void;
  /** Clock for "fresh" marks; tests pass a fixed one. */
  now?: () => number;
}

/**
 * The console's picture of the dispatch floor: every report, assignment and crew it knows, each kept at
 * the highest version seen, whichever of a page or a live event brought it. Open reports are also held
 * in queue order, maintained by binary insertion so an event costs O(log n) comparisons, not a re-sort.
 * Readers depend on `revision`, bumped at most once per frame however many events arrived.
 */
export class DispatchStore {
  readonly reports = new Map<string, ReportRow>();
  readonly assignments = new Map<string, AssignmentRow>();
  readonly crews = new Map<string, CrewRow>();
  /** Reports that arrived live (not from a page), with when, so the queue can slide them in. */
  readonly fresh = new Map<string, number>();
  /** The latest follow-up heard of on each report (by report id): its id and version, so an open detail view can tell it changed. */
  readonly followUps = new Map<string, { id: string; version: number }>();
  readonly revision: ShallowRef<number> = shallowRef(0);
  private readonly activeByReport = new Map<string, string>();
  private readonly eventTouched = new Map<string, number>();
  private open: ReportRow[] = [];
  private pending = false;
  private readonly schedule: (flush: () => void) => void;
  private readonly now: () => number;
  private readonly onCritical?: (row: ReportRow) => void;
  private snapshotStartedAt = 0;
  private snapshotSeen = new Set<string>();

  constructor(options: DispatchStoreOptions = {}) {
    this.schedule = options.schedule ?? throttledFrames();
    this.now = options.now ?? Date.now;
    this.onCritical = options.onCritical;
  }

  /** Open reports in queue order. A new array on every call after a change, so computed views re-run. */
  queue(): readonly ReportRow[] {
    void this.revision.value;
    return this.open;
  }

  get openCount(): number {
    void this.revision.value;
    return this.open.length;
  }

  /** The report's active assignment, if a crew holds it. */
  activeAssignment(reportId: string): AssignmentRow | undefined {
    const id = this.activeByReport.get(reportId);
    return id ? this.assignments.get(id) : undefined;
  }

  /** The assignment a crew is furthest along on, as the server names it (the crew's active assignment), if the console holds it. */
  leadingAssignment(crewId: string): AssignmentRow | undefined {
    const id = this.crews.get(crewId)?.activeAssignmentId;
    return id ? this.assignments.get(id) : undefined;
  }

  /** Every crew, by its Arabic name (the one order whatever the language, so rows stay put when it is switched). */
  crewList(): CrewRow[] {
    void this.revision.value;
    return [...this.crews.values()].sort((a, b) => a.nameAr.localeCompare(b.nameAr, 'ar'));
  }

  /** Applies a report snapshot if it is newer than what the store holds; keeps the queue ordered. */
  upsertReport(report: ReportCore, live = false): Applied {
    const existing = this.reports.get(report.id);
    if (this.snapshotStartedAt && !live) this.snapshotSeen.add(report.id);
    if (existing && existing.version >= report.version) return 'stale';
    const row = toReportRow(report);
    this.reports.set(row.id, row);
    if (existing?.open) this.removeOpen(existing);
    if (row.open) this.insertOpen(row);
    if (live) {
      this.eventTouched.set(row.id, this.now());
      if (!existing) this.fresh.set(row.id, this.now());
      const raised = !existing || existing.priority !== 'CRITICAL' || !existing.open;
      if (raised && row.priority === 'CRITICAL' && row.open) this.onCritical?.(row);
    }
    this.changed();
    return existing ? 'updated' : 'inserted';
  }

  /** Applies an assignment snapshot if newer; tracks which assignment is active on each report. */
  upsertAssignment(assignment: AssignmentCore, reportId: string, crewId: string): Applied {
    const existing = this.assignments.get(assignment.id);
    if (existing && existing.version >= assignment.version) return 'stale';
    const row = toAssignmentRow(assignment, reportId, crewId);
    this.assignments.set(row.id, row);
    if (row.active) this.activeByReport.set(reportId, row.id);
    else if (this.activeByReport.get(reportId) === row.id) this.activeByReport.delete(reportId);
    this.changed();
    return existing ? 'updated' : 'inserted';
  }

  /** Applies a crew snapshot if newer. */
  upsertCrew(crew: CrewCore): Applied {
    const existing = this.crews.get(crew.id);
    if (existing && existing.version >= crew.version) return 'stale';
    this.crews.set(crew.id, toCrewRow(crew));
    this.changed();
    return existing ? 'updated' : 'inserted';
  }

  /** Applies every entity a live event carries, each by its own version. */
  applyEvent(event: DispatchEvent): void {
    if (event.followUp) this.heardFollowUp(event.followUp.report.id, event.followUp);
    if (event.report) this.upsertReport(event.report, true);
    if (event.crew) this.upsertCrew(event.crew);
    if (event.assignment && event.report && event.crew) this.upsertAssignment(event.assignment, event.report.id, event.crew.id);
  }

  /**
   * Starts a full reload of open reports (first load, or after the live feed could not resume). Reports
   * a reload does not return were closed meanwhile, unless a live event touched them since it started.
   */
  beginSnapshot(): void {
    this.snapshotStartedAt = this.now();
    this.snapshotSeen = new Set();
  }

  /** Ends a full reload: drops open reports it did not see and no event has touched since it began. */
  endSnapshot(): void {
    const startedAt = this.snapshotStartedAt;
    this.snapshotStartedAt = 0;
    for (const row of [...this.open]) {
      if (this.snapshotSeen.has(row.id)) continue;
      if ((this.eventTouched.get(row.id) ?? 0) >= startedAt) continue;
      this.removeOpen(row);
      this.reports.delete(row.id);
      this.activeByReport.delete(row.id);
    }
    this.snapshotSeen = new Set();
    this.changed();
  }

  /** Forgets the "fresh" mark of reports that arrived longer ago than `ms`. */
  expireFresh(ms: number): void {
    const limit = this.now() - ms;
    for (const [id, at] of this.fresh) if (at < limit) this.fresh.delete(id);
  }

  /** Keeps the follow-up an event names, unless the store holds a newer version of the same one. */
  private heardFollowUp(reportId: string, followUp: { id: string; version: number }): void {
    const known = this.followUps.get(reportId);
    if (known && known.id === followUp.id && known.version >= followUp.version) return;
    this.followUps.set(reportId, { id: followUp.id, version: followUp.version });
    this.changed();
  }

  private insertOpen(row: ReportRow): void {
    this.open.splice(lowerBound(this.open, row), 0, row);
  }

  private removeOpen(row: ReportRow): void {
    const index = lowerBound(this.open, row);
    if (this.open[index]?.id === row.id) this.open.splice(index, 1);
  }

  private changed(): void {
    if (this.pending) return;
    this.pending = true;
    this.schedule(() => {
      this.pending = false;
      this.open = this.open.slice();
      this.revision.value += 1;
    });
  }
}
