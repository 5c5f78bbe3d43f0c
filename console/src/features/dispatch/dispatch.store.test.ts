import { describe, expect, it, vi } from 'vitest';
import { assignment, crew, event, report } from '../../test/builders.ts';
import { compareQueue, toReportRow, type ReportRow } from '../../domain/report.ts';
import { DispatchStore } from './dispatch.store.ts';

/** A store that flushes synchronously, so tests read the queue right after a change. */
function store(options: { onCritical?: (row: ReportRow) => void; now?: () => number } = {}) {
  return new DispatchStore({ schedule: (flush) => flush(), ...options });
}

const references = (rows: readonly ReportRow[]) => rows.map((r) => r.reference);

describe('queue order', () => {
  it.each([
    ['priority first, whatever the target', { priority: 'LOW', targetAt: '2026-03-01T09:00:00Z' }, { priority: 'HIGH', targetAt: '2026-03-02T09:00:00Z' }, 'b'],
    ['CRITICAL before HIGH', { priority: 'HIGH' }, { priority: 'CRITICAL' }, 'b'],
    ['same priority: least time left to target first', { targetAt: '2026-03-01T12:00:00Z' }, { targetAt: '2026-03-01T10:00:00Z' }, 'b'],
    ['same priority and target: received first', { receivedAt: '2026-03-01T07:00:00Z' }, { receivedAt: '2026-03-01T08:00:00Z' }, 'a'],
  ] as const)('%s', (_name, a, b, first) => {
    const rowA = toReportRow(report({ ...a, reference: '940-2026-000002' }));
    const rowB = toReportRow(report({ ...b, reference: '940-2026-000001' }));
    const sorted = [rowA, rowB].sort(compareQueue);
    expect(sorted[0]).toBe(first === 'a' ? rowA : rowB);
  });

  it('keeps the queue ordered whatever order pages and events arrive in', () => {
    const s = store();
    const overdueCritical = report({ priority: 'CRITICAL', targetAt: '2026-03-01T07:00:00Z' });
    const critical = report({ priority: 'CRITICAL', targetAt: '2026-03-01T09:00:00Z' });
    const high = report({ priority: 'HIGH', targetAt: '2026-03-01T08:30:00Z' });
    const low = report({ priority: 'LOW', targetAt: '2026-03-01T08:00:00Z' });
    for (const r of [low, critical, high]) s.upsertReport(r);
    s.applyEvent(event('REPORT_CREATED', { report: overdueCritical }));
    expect(references(s.queue())).toEqual([overdueCritical.reference, critical.reference, high.reference, low.reference]);
  });

  it('moves a report when its priority changes', () => {
    const s = store();
    const first = report({ priority: 'HIGH' });
    const second = report({ priority: 'NORMAL' });
    s.upsertReport(first);
    s.upsertReport(second);
    s.applyEvent(event('REPORT_UPDATED', { report: { ...second, priority: 'CRITICAL', version: 2 } }));
    expect(references(s.queue())).toEqual([second.reference, first.reference]);
    expect(s.queue()).toHaveLength(2);
  });
});

describe('reconciliation by version', () => {
  it('drops an update older than or equal to what it holds', () => {
    const s = store();
    const r = report({ version: 3, priority: 'HIGH' });
    s.upsertReport(r);
    expect(s.upsertReport({ ...r, version: 2, priority: 'LOW' })).toBe('stale');
    expect(s.upsertReport({ ...r, version: 3, priority: 'LOW' })).toBe('stale');
    expect(s.reports.get(r.id)?.priority).toBe('HIGH');
  });

  it('inserts a new report from a live event and marks it fresh', () => {
    const s = store({ now: () => 1000 });
    const r = report();
    s.applyEvent(event('REPORT_CREATED', { report: r }));
    expect(references(s.queue())).toEqual([r.reference]);
    expect(s.fresh.get(r.id)).toBe(1000);
  });

  it('takes a report out of the open queue when its status leaves it, and a stale page cannot bring it back', () => {
    const s = store();
    const r = report({ status: 'IN_PROGRESS', version: 4 });
    s.upsertReport(r);
    s.applyEvent(event('ASSIGNMENT_UPDATED', { report: { ...r, status: 'RESOLVED', version: 5 } }));
    expect(s.queue()).toEqual([]);
    expect(s.reports.get(r.id)?.status).toBe('RESOLVED');
    s.upsertReport(r);
    expect(s.queue()).toEqual([]);
  });

  it('returns a reopened report to the queue', () => {
    const s = store();
    const r = report({ status: 'CLOSED', version: 6 });
    s.upsertReport(r);
    s.applyEvent(event('REPORT_UPDATED', { report: { ...r, status: 'RECEIVED', version: 7 } }));
    expect(references(s.queue())).toEqual([r.reference]);
  });

  it('tracks the active assignment of a report and its crew, each entity by its own version', () => {
    const s = store();
    const r = report({ status: 'RECEIVED' });
    const c = crew();
    const a = assignment({ status: 'PENDING' });
    s.upsertReport(r);
    s.upsertCrew(c);
    s.applyEvent(event('ASSIGNMENT_CREATED', { report: { ...r, status: 'ASSIGNED', version: 2 }, assignment: a, crew: { ...c, status: 'ASSIGNED', version: 2 } }));
    expect(s.activeAssignment(r.id)?.crewId).toBe(c.id);
    expect(s.leadingAssignment(c.id)?.id).toBe(a.id);
    expect(s.crews.get(c.id)?.status).toBe('ASSIGNED');

    s.applyEvent(
      event('ASSIGNMENT_UPDATED', { report: { ...r, status: 'RESOLVED', version: 5 }, assignment: { ...a, status: 'COMPLETED', version: 4 }, crew: { ...c, status: 'AVAILABLE', version: 3 } }),
    );
    s.applyEvent(
      event('ASSIGNMENT_UPDATED', { report: { ...r, status: 'IN_PROGRESS', version: 4 }, assignment: { ...a, status: 'ON_SITE', version: 3 }, crew: { ...c, status: 'ON_SITE', version: 2 } }),
    );
    expect(s.activeAssignment(r.id)).toBeUndefined();
    expect(s.leadingAssignment(c.id)).toBeUndefined();
    expect(s.crews.get(c.id)?.status).toBe('AVAILABLE');
    expect(s.reports.get(r.id)?.status).toBe('RESOLVED');
  });

  it('renders a burst of events once', () => {
    const flushes: Array<() => void> = [];
    const s = new DispatchStore({ schedule: (flush) => flushes.push(flush) });
    for (let i = 0; i < 50; i += 1) s.applyEvent(event('REPORT_CREATED', { report: report() }));
    expect(flushes).toHaveLength(1);
    flushes[0]!();
    expect(s.revision.value).toBe(1);
    expect(s.queue()).toHaveLength(50);
  });
});

describe('CRITICAL alerts', () => {
  it.each([
    ['a new CRITICAL report arrives live', [], { priority: 'CRITICAL' }, true],
    ['a report is raised to CRITICAL', [{ priority: 'HIGH', version: 1 }], { priority: 'CRITICAL', version: 2 }, true],
    ['an already CRITICAL report changes', [{ priority: 'CRITICAL', version: 1 }], { priority: 'CRITICAL', version: 2, status: 'ASSIGNED' }, false],
    ['a CRITICAL report that is no longer open', [], { priority: 'CRITICAL', status: 'RESOLVED' }, false],
    ['a HIGH report arrives', [], { priority: 'HIGH' }, false],
  ] as const)('%s: alert %s', (_name, before, after, alerts) => {
    const onCritical = vi.fn();
    const s = store({ onCritical });
    const base = report();
    for (const b of before) s.upsertReport({ ...base, ...b });
    s.applyEvent(event('REPORT_UPDATED', { report: { ...base, ...after } }));
    expect(onCritical).toHaveBeenCalledTimes(alerts ? 1 : 0);
  });

  it('does not alert for CRITICAL reports loaded from a page (they are already on screen)', () => {
    const onCritical = vi.fn();
    store({ onCritical }).upsertReport(report({ priority: 'CRITICAL' }));
    expect(onCritical).not.toHaveBeenCalled();
  });
});

describe('full reload', () => {
  it('drops open reports the reload did not return, unless an event touched them meanwhile', () => {
    let clock = 100;
    const s = store({ now: () => clock });
    const kept = report();
    const closedMeanwhile = report();
    const createdDuringReload = report();
    s.upsertReport(kept);
    s.upsertReport(closedMeanwhile);
    clock = 200;
    s.beginSnapshot();
    s.upsertReport(kept);
    s.applyEvent(event('REPORT_CREATED', { report: createdDuringReload }));
    s.endSnapshot();
    expect(references(s.queue()).sort()).toEqual([kept.reference, createdDuringReload.reference].sort());
  });
});
