import { describe, expect, it, vi } from 'vitest';
import { assignment, crew, event, followUp, report } from '../../test/builders.ts';
import { compareQueue, toReportRow, type ReportRow } from '../../domain/report.ts';
import { DispatchStore } from './dispatch.store.ts';

/** A store that flushes synchronously, so tests read the queue right after a change. */
function store(options: { onCritical?: (row: ReportRow) => void; now?: () => number } = {}) {
  return new DispatchStore({ schedule: (flush) => flush(), ...options });
}

const references = (rows: readonly ReportRow[]) => rows.map((r) => r.reference);

/** A report with the queue key the server gives it (priority rank, target time, id), the order being the server's business. */
function keyed(key: string, overrides: Parameters<typeof report>[0] = {}) {
  return report({ queueKey: key, ...overrides });
}

describe('queue order', () => {
  it("is the order of the server's queue keys, whatever the priorities and times say", () => {
    const low = toReportRow(keyed('a', { priority: 'LOW', targetAt: '2026-03-02T09:00:00Z', receivedAt: '2026-03-01T09:00:00Z' }));
    const critical = toReportRow(keyed('b', { priority: 'CRITICAL', targetAt: '2026-03-01T09:00:00Z', receivedAt: '2026-03-01T07:00:00Z' }));
    expect([critical, low].sort(compareQueue)).toEqual([low, critical]);
  });

  it('compares keys as plain strings, by UTF-16 code units, not by a locale collation', () => {
    const keys = ['b', 'é', 'B', 'a', '0|z', 'A', 'e', '0|Z', '0|10', '0|9'];
    const sorted = keys.map((queueKey) => ({ queueKey })).sort(compareQueue);
    expect(sorted.map((row) => row.queueKey)).toEqual(['0|10', '0|9', '0|Z', '0|z', 'A', 'B', 'a', 'b', 'e', 'é']);
  });

  it('tells two reports apart by the id the keys end with, even at the same priority and target', () => {
    const at = '2026-03-01T09:00:00.000Z';
    const a = toReportRow(keyed(`2|${at}|0f5b`, { targetAt: at }));
    const b = toReportRow(keyed(`2|${at}|0f5a`, { targetAt: at }));
    expect(compareQueue(a, b)).toBe(1);
    expect(compareQueue(b, a)).toBe(-1);
    expect(compareQueue(a, a)).toBe(0);
  });

  it('keeps the queue in key order whatever order pages and events arrive in', () => {
    const s = store();
    const overdueCritical = keyed('0|2026-03-01T07:00:00.000Z|d', { priority: 'CRITICAL' });
    const critical = keyed('0|2026-03-01T09:00:00.000Z|c', { priority: 'CRITICAL' });
    const high = keyed('1|2026-03-01T08:30:00.000Z|b', { priority: 'HIGH' });
    const low = keyed('3|2026-03-01T08:00:00.000Z|a', { priority: 'LOW' });
    for (const r of [low, critical, high]) s.upsertReport(r);
    s.applyEvent(event('REPORT_CREATED', { report: overdueCritical }));
    expect(references(s.queue())).toEqual([overdueCritical.reference, critical.reference, high.reference, low.reference]);
  });

  it('moves a report when its key changes (triaged to another priority)', () => {
    const s = store();
    const first = keyed('1|2026-03-01T10:00:00.000Z|a', { priority: 'HIGH' });
    const second = keyed('2|2026-03-01T10:00:00.000Z|b', { priority: 'NORMAL' });
    s.upsertReport(first);
    s.upsertReport(second);
    s.applyEvent(event('REPORT_UPDATED', { report: { ...second, priority: 'CRITICAL', queueKey: '0|2026-03-01T10:00:00.000Z|b', version: 2 } }));
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

  it('takes a report out of the open queue when the server says it is no longer open, and a stale page cannot bring it back', () => {
    const s = store();
    const r = report({ status: 'IN_PROGRESS', version: 4 });
    s.upsertReport(r);
    s.applyEvent(event('ASSIGNMENT_UPDATED', { report: { ...r, status: 'RESOLVED', open: false, version: 5 } }));
    expect(s.queue()).toEqual([]);
    expect(s.reports.get(r.id)?.status).toBe('RESOLVED');
    s.upsertReport(r);
    expect(s.queue()).toEqual([]);
  });

  it('returns a reopened report to the queue', () => {
    const s = store();
    const r = report({ status: 'CLOSED', open: false, version: 6 });
    s.upsertReport(r);
    expect(s.queue()).toEqual([]);
    s.applyEvent(event('REPORT_UPDATED', { report: { ...r, status: 'RECEIVED', open: true, version: 7 } }));
    expect(references(s.queue())).toEqual([r.reference]);
  });

  it('holds in the queue exactly the reports the server calls open, keeping no status list of its own', () => {
    const s = store();
    const closedButOpen = report({ status: 'CLOSED', open: true });
    const receivedButNot = report({ status: 'RECEIVED', open: false });
    s.upsertReport(closedButOpen);
    s.upsertReport(receivedButNot);
    expect(references(s.queue())).toEqual([closedButOpen.reference]);
    expect(s.openCount).toBe(1);
  });

  it('tracks the active assignment of a report and its crew, each entity by its own version', () => {
    const s = store();
    const r = report({ status: 'RECEIVED' });
    const c = crew();
    const a = assignment({ status: 'PENDING' });
    s.upsertReport(r);
    s.upsertCrew(c);
    s.applyEvent(event('ASSIGNMENT_CREATED', { report: { ...r, status: 'ASSIGNED', version: 2 }, assignment: a, crew: { ...c, status: 'ASSIGNED', activeAssignment: { id: a.id }, version: 2 } }));
    expect(s.activeAssignment(r.id)?.crewId).toBe(c.id);
    expect(s.leadingAssignment(c.id)?.id).toBe(a.id);
    expect(s.crews.get(c.id)?.status).toBe('ASSIGNED');

    const completed = assignment({ ...a, status: 'COMPLETED', nextSteps: [], version: 4 });
    s.applyEvent(
      event('ASSIGNMENT_UPDATED', { report: { ...r, status: 'RESOLVED', open: false, version: 5 }, assignment: completed, crew: { ...c, status: 'AVAILABLE', activeAssignment: null, version: 3 } }),
    );
    s.applyEvent(
      event('ASSIGNMENT_UPDATED', {
        report: { ...r, status: 'IN_PROGRESS', version: 4 },
        assignment: { ...a, status: 'ON_SITE', version: 3 },
        crew: { ...c, status: 'ON_SITE', activeAssignment: { id: a.id }, version: 2 },
      }),
    );
    expect(s.activeAssignment(r.id)).toBeUndefined();
    expect(s.leadingAssignment(c.id)).toBeUndefined();
    expect(s.crews.get(c.id)?.status).toBe('AVAILABLE');
    expect(s.reports.get(r.id)?.status).toBe('RESOLVED');
  });

  it("names a crew's leading assignment as the server does, ranking none itself", () => {
    const s = store();
    const c = crew();
    const [onSite, pending] = [assignment({ status: 'ON_SITE' }), assignment({ status: 'PENDING' })];
    const [first, second] = [report({ status: 'IN_PROGRESS' }), report({ status: 'ASSIGNED' })];
    s.upsertReport(first);
    s.upsertReport(second);
    s.upsertAssignment(onSite, first.id, c.id);
    s.upsertAssignment(pending, second.id, c.id);
    s.upsertCrew({ ...c, activeAssignment: { id: pending.id } });
    expect(s.leadingAssignment(c.id)?.id).toBe(pending.id);
    s.upsertCrew({ ...c, activeAssignment: { id: onSite.id }, version: 2 });
    expect(s.leadingAssignment(c.id)?.id).toBe(onSite.id);
    s.upsertCrew({ ...c, activeAssignment: null, version: 3 });
    expect(s.leadingAssignment(c.id)).toBeUndefined();
  });

  it('counts an assignment active while the server offers the dispatcher moves on it, and finished when it offers none', () => {
    const s = store();
    const r = report({ status: 'ASSIGNED' });
    const c = crew();
    const a = assignment({ status: 'PENDING' });
    s.upsertAssignment(a, r.id, c.id);
    expect(s.activeAssignment(r.id)?.id).toBe(a.id);
    s.upsertAssignment({ ...a, status: 'DECLINED', nextSteps: [], version: 2 }, r.id, c.id);
    expect(s.activeAssignment(r.id)).toBeUndefined();
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
    ['a CRITICAL report that is no longer open', [], { priority: 'CRITICAL', status: 'RESOLVED', open: false }, false],
    ['a CRITICAL report returns to the queue', [{ priority: 'CRITICAL', status: 'CLOSED', open: false, version: 1 }], { priority: 'CRITICAL', status: 'RECEIVED', open: true, version: 2 }, true],
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

describe('follow-up calls', () => {
  it("keeps the latest follow-up each report's events name, by version, for an open detail view to follow", () => {
    const floor = store();
    const first = { ...followUp({ version: 2 }), report: { id: 'r-1' } };
    floor.applyEvent(event('FOLLOWUP_UPDATED', { followUp: first }));
    expect(floor.followUps.get('r-1')).toEqual({ id: first.id, version: 2 });
    floor.applyEvent(event('FOLLOWUP_UPDATED', { followUp: { ...first, version: 1 } }));
    expect(floor.followUps.get('r-1')).toEqual({ id: first.id, version: 2 });
    const next = { ...followUp({ version: 1 }), report: { id: 'r-1' } };
    floor.applyEvent(event('FOLLOWUP_CREATED', { followUp: next }));
    expect(floor.followUps.get('r-1')).toEqual({ id: next.id, version: 1 });
  });

  it('brings a report reopened after its follow-up back into the queue, marked', () => {
    const floor = store();
    const resolved = report({ status: 'RESOLVED', open: false, version: 5 });
    floor.upsertReport(resolved);
    expect(floor.queue()).toEqual([]);
    floor.applyEvent(event('REPORT_UPDATED', { report: { ...resolved, status: 'RECEIVED', open: true, reopenedAfterFollowUp: true, version: 6 } }));
    expect(floor.queue().map((r) => [r.id, r.reopenedAfterFollowUp])).toEqual([[resolved.id, true]]);
  });
});
