import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeRun } from '../../test/fake-run.ts';
import { fromQuery } from '../archive/archive.filters.ts';
import { LIVE_THROTTLE_MS, DashboardController } from './dashboard.controller.ts';
import { BOM, csvField, toCsv } from './dashboard.csv.ts';
import { drillDownUrl } from './dashboard.drill.ts';
import { changeOf, formatChange, formatValue } from './dashboard.indicators.ts';
import { bucketFor, customRange, formatGregorianDay, formatHijriDay, presetRange, previousInstants, riyadhDay, toInstants } from './dashboard.period.ts';
import { scoreTone } from './dashboard.scorecard.ts';

/** Wednesday 2 December 2026, 01:30 in Riyadh (22:30 UTC the day before). */
const WEDNESDAY_EARLY = new Date('2026-12-01T22:30:00Z');

describe('period presets in Riyadh time', () => {
  it('takes the day from Riyadh, not UTC: 01:30 in Riyadh is already the next day', () => {
    expect(riyadhDay(WEDNESDAY_EARLY)).toBe('2026-12-02');
    expect(presetRange('today', WEDNESDAY_EARLY)).toEqual({ from: '2026-12-02', to: '2026-12-02' });
  });

  it('starts the week on Sunday', () => {
    expect(presetRange('week', WEDNESDAY_EARLY)).toEqual({ from: '2026-11-29', to: '2026-12-05' });
    // On a Sunday the week is that very day onwards; on a Saturday it began six days before.
    expect(presetRange('week', new Date('2026-11-29T09:00:00+03:00')).from).toBe('2026-11-29');
    expect(presetRange('week', new Date('2026-12-05T23:59:00+03:00'))).toEqual({ from: '2026-11-29', to: '2026-12-05' });
    // 23:30 on Saturday UTC is Sunday 02:30 in Riyadh: a new week there.
    expect(presetRange('week', new Date('2026-12-05T23:30:00Z')).from).toBe('2026-12-06');
  });

  it('gives this month, the last 30 days (today included) and this year', () => {
    expect(presetRange('month', WEDNESDAY_EARLY)).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(presetRange('month', new Date('2028-02-10T12:00:00+03:00'))).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    expect(presetRange('last30', WEDNESDAY_EARLY)).toEqual({ from: '2026-11-03', to: '2026-12-02' });
    expect(presetRange('year', WEDNESDAY_EARLY)).toEqual({ from: '2026-01-01', to: '2026-12-31' });
  });

  it('asks the API for Riyadh midnights, never past the next whole minute', () => {
    expect(toInstants({ from: '2026-11-01', to: '2026-11-30' }, WEDNESDAY_EARLY)).toEqual({ from: '2026-10-31T21:00:00.000Z', to: '2026-11-30T21:00:00.000Z' });
    expect(toInstants({ from: '2026-11-29', to: '2026-12-05' }, new Date('2026-12-02T10:15:20+03:00'))).toEqual({ from: '2026-11-28T21:00:00.000Z', to: '2026-12-02T07:16:00.000Z' });
  });

  it('compares with the same stretch of the previous period of equal length', () => {
    const now = new Date('2026-12-02T10:15:20+03:00');
    const today = presetRange('today', now);
    expect(previousInstants(today, toInstants(today, now))).toEqual({ from: '2026-11-30T21:00:00.000Z', to: '2026-12-01T07:16:00.000Z' });
    const week = presetRange('week', now);
    expect(previousInstants(week, toInstants(week, now))).toEqual({ from: '2026-11-21T21:00:00.000Z', to: '2026-11-25T07:16:00.000Z' });
    // October's 31 days compare with the 31 days before them: 31 August to 30 September.
    const past = { from: '2026-10-01', to: '2026-10-31' };
    expect(previousInstants(past, toInstants(past, now))).toEqual({ from: '2026-08-30T21:00:00.000Z', to: '2026-09-30T21:00:00.000Z' });
  });

  it('refuses a custom period that ends before it starts, and picks a series step by length', () => {
    expect(customRange('2026-12-05', '2026-12-01')).toBeNull();
    expect(customRange('2026-12-01', 'x')).toBeNull();
    expect(customRange('2026-12-01', '2026-12-01')).toEqual({ from: '2026-12-01', to: '2026-12-01' });
    expect(bucketFor({ from: '2026-12-01', to: '2026-12-31' })).toBe('DAY');
    expect(bucketFor({ from: '2026-09-01', to: '2026-12-31' })).toBe('WEEK');
    expect(bucketFor({ from: '2026-01-01', to: '2026-12-31' })).toBe('MONTH');
  });

  it('shows the Gregorian day with the Umm al-Qura date beside it', () => {
    expect(formatGregorianDay('2026-12-02', 'en')).toBe('2 December 2026');
    expect(formatHijriDay('2026-03-20', 'en')).toMatch(/^1 Shawwal 1447/);
    expect(formatHijriDay('2026-03-20', 'ar')).toMatch(/^1 شوال 1447/);
  });
});

describe('changes against the previous period', () => {
  it('points up or down and colours by whether more is better for that indicator', () => {
    expect(changeOf('resolved', 12, 10)).toEqual({ arrow: '▲', fraction: 0.2, tone: 'good' });
    expect(changeOf('backlog', 12, 10)).toEqual({ arrow: '▲', fraction: 0.2, tone: 'bad' });
    expect(changeOf('reopenRate', 0.1, 0.2)).toEqual({ arrow: '▼', fraction: -0.5, tone: 'good' });
    expect(changeOf('received', 5, 10)).toMatchObject({ arrow: '▼', tone: 'neutral' });
    expect(changeOf('resolved', 7, 7)).toEqual({ arrow: '●', fraction: 0, tone: 'neutral' });
  });

  it('says nothing of a percentage when there is no figure or nothing to divide by', () => {
    expect(changeOf('resolved', null, 3)).toEqual({ arrow: null, fraction: null, tone: 'neutral' });
    expect(changeOf('resolved', 3, 0)).toEqual({ arrow: '▲', fraction: null, tone: 'good' });
    expect(formatChange(changeOf('resolved', 3, 0), 'en')).toBe('');
    expect(formatChange(changeOf('resolved', 12, 10), 'en')).toBe('+20%');
    expect(formatChange(changeOf('backlog', 5, 10), 'en')).toBe('−50%');
  });

  it('writes a missing figure as a dash, never 0', () => {
    expect(formatValue(null, 'SHARE', 'en')).toBe('–');
    expect(formatValue(0, 'COUNT', 'en')).toBe('0');
    expect(formatValue(0.915, 'SHARE', 'en')).toBe('92%');
    expect(formatValue(4.25, 'SCORE', 'en')).toBe('4.3');
    expect(formatValue(90, 'MINUTES', 'en')).toBe('1 hr 30 mins');
  });

  it('colours the scorecard by its bounds', () => {
    expect(scoreTone('targetCompliance', 0.95)).toBe('good');
    expect(scoreTone('targetCompliance', 0.8)).toBe('watch');
    expect(scoreTone('targetCompliance', 0.5)).toBe('poor');
    expect(scoreTone('reopenRate', 0.2)).toBe('poor');
    expect(scoreTone('satisfactionMean', null)).toBe('none');
  });
});

describe('CSV export', () => {
  it('starts with a byte-order mark and quotes what must be quoted', () => {
    const csv = toCsv(
      ['البلدية', 'Received'],
      [
        ['الدمام', 12],
        ['Al "Khobar", east', null],
        ['two\nlines', 0.5],
      ],
    );
    expect(csv.startsWith(BOM)).toBe(true);
    expect(new TextEncoder().encode(csv).slice(0, 3)).toEqual(new Uint8Array([0xef, 0xbb, 0xbf]));
    expect(csv.slice(1).split('\r\n')).toEqual(['البلدية,Received', 'الدمام,12', '"Al ""Khobar"", east",', '"two\nlines",0.5', '']);
    expect(csvField(undefined)).toBe('');
  });
});

describe('drill-down into the archive', () => {
  it('writes the archive’s own query keys, which its form reads back', () => {
    const range = { from: '2026-11-29', to: '2026-12-05' };
    expect(drillDownUrl(range, 'MUNICIPALITY', 'DAMMAM')).toBe('/archive?municipality=DAMMAM&from=2026-11-29&to=2026-12-05');
    expect(drillDownUrl(range, 'DEPARTMENT', 'ROADS')).toBe('/archive?department=ROADS&from=2026-11-29&to=2026-12-05');
    expect(drillDownUrl(range, 'CHANNEL', 'WHATSAPP')).toBe('/archive?channel=WHATSAPP&from=2026-11-29&to=2026-12-05');
    expect(fromQuery(drillDownUrl(range, 'CATEGORY', 'POTHOLE').split('?')[1])).toMatchObject({ category: 'POTHOLE', from: '2026-11-29', to: '2026-12-05' });
    expect(drillDownUrl(range)).toBe('/archive?from=2026-11-29&to=2026-12-05');
  });
});

describe('live refresh of the cards', () => {
  let now: Date;
  beforeEach(() => {
    vi.useFakeTimers();
    now = new Date('2026-12-02T10:00:00+03:00');
    vi.setSystemTime(now);
  });
  afterEach(() => vi.useRealTimers());

  it('refetches the cards at most once every 10 seconds however many events arrive', async () => {
    const row = { bucketStart: null, keys: [], received: 1 };
    const fake = fakeRun({
      IndicatorDefinitions: () => ({ indicatorDefinitions: [] }),
      DashboardTotals: () => ({ totals: [row] }),
      DashboardTrends: () => ({ series: [], byMunicipality: [], byChannel: [] }),
      DashboardDepartments: () => ({ byDepartment: [], byCategory: [] }),
      DashboardCards: () => ({ current: [{ ...row, received: 2 }], previous: [row] }),
    });
    const dashboard = new DashboardController({ run: fake.run, now: () => new Date(Date.now()) });
    await dashboard.show(presetRange('today', now));
    for (let i = 0; i < 20; i++) dashboard.liveChanged();
    expect(fake.callsOf('DashboardCards')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(LIVE_THROTTLE_MS);
    expect(fake.callsOf('DashboardCards')).toHaveLength(1);
    expect(dashboard.data.value?.current[0].received).toBe(2);
    dashboard.liveChanged();
    await vi.advanceTimersByTimeAsync(LIVE_THROTTLE_MS - 1);
    expect(fake.callsOf('DashboardCards')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.callsOf('DashboardCards')).toHaveLength(2);
    dashboard.stop();
  });

  it('ignores events when the period shown ended before today', async () => {
    const fake = fakeRun({
      IndicatorDefinitions: () => ({ indicatorDefinitions: [] }),
      DashboardTotals: () => ({ totals: [] }),
      DashboardTrends: () => ({ series: [], byMunicipality: [], byChannel: [] }),
      DashboardDepartments: () => ({ byDepartment: [], byCategory: [] }),
    });
    const dashboard = new DashboardController({ run: fake.run, now: () => new Date(Date.now()) });
    await dashboard.show({ from: '2026-11-01', to: '2026-11-30' });
    dashboard.liveChanged();
    await vi.advanceTimersByTimeAsync(LIVE_THROTTLE_MS * 2);
    expect(fake.calls.map((c) => c.operation).sort()).toEqual(['DashboardDepartments', 'DashboardTotals', 'DashboardTotals', 'DashboardTrends', 'IndicatorDefinitions']);
  });
});
