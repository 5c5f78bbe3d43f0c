import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AlertCenter, type CriticalAlert } from './alerts.ts';

function alert(reportId: string): CriticalAlert {
  return { reportId, reference: `940-2026-${reportId}`, categoryCode: 'HAZARDOUS_BILLBOARD', municipalityCode: 'KHOBAR', raisedAt: 0 };
}

describe('CRITICAL alerts must be acknowledged', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sounds at once and again until every alert is acknowledged', () => {
    const sound = vi.fn();
    const center = new AlertCenter({ sound, repeatMs: 10_000 });
    center.raise(alert('1'));
    center.raise(alert('2'));
    expect(sound).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(10_000);
    expect(sound).toHaveBeenCalledTimes(3);
    center.acknowledge('1');
    vi.advanceTimersByTime(10_000);
    expect(sound).toHaveBeenCalledTimes(4);
    center.acknowledge('2');
    vi.advanceTimersByTime(30_000);
    expect(sound).toHaveBeenCalledTimes(4);
    expect(center.pending.value).toEqual([]);
  });

  it('keeps a likely duplicate of open work on screen without sounding it, and stops the alarm when only quiet ones are left', () => {
    const sound = vi.fn();
    const center = new AlertCenter({ sound, repeatMs: 10_000 });
    center.raise({ ...alert('1'), likelyDuplicateOf: '940-2026-000777' });
    vi.advanceTimersByTime(30_000);
    expect(sound).not.toHaveBeenCalled();
    center.raise(alert('2'));
    expect(sound).toHaveBeenCalledTimes(1);
    center.acknowledge('2');
    vi.advanceTimersByTime(30_000);
    expect(sound).toHaveBeenCalledTimes(1);
    expect(center.pending.value.map((a) => [a.reportId, a.likelyDuplicateOf])).toEqual([['1', '940-2026-000777']]);
    center.acknowledgeAll();
  });

  it('raises one alert per report however many events repeat it', () => {
    const center = new AlertCenter({ sound: () => undefined });
    center.raise(alert('1'));
    center.raise(alert('1'));
    expect(center.pending.value.map((a) => a.reportId)).toEqual(['1']);
    center.acknowledgeAll();
  });
});
