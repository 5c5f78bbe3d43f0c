import { describe, expect, it } from 'vitest';
import { distanceKm, formatAge, formatCountdown, formatDateTime, formatDuration, formatList, formatNumber, formatPercent, formatSpan } from './format.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

describe('countdown to the response target', () => {
  it.each([
    [2 * HOUR + 5 * MINUTE + 9 * SECOND, '2:05:09', false],
    [59 * SECOND + 999, '0:00:59', false],
    [0, '0:00:00', false],
    [-1, '-0:00:01', true],
    [-(12 * MINUTE + 30 * SECOND), '-0:12:30', true],
    [-(49 * HOUR), '-49:00:00', true],
    [71 * HOUR + 59 * MINUTE + 59 * SECOND, '71:59:59', false],
  ])('%i ms left reads %s (overdue: %s)', (ms, text, overdue) => {
    expect(formatCountdown(ms, 'en')).toEqual({ text, overdue });
    expect(formatCountdown(ms, 'ar')).toEqual({ text, overdue });
  });
});

describe('dates on the Gregorian calendar in Riyadh time', () => {
  it('shows a UTC instant in Riyadh (UTC+3), on the next day when it crosses midnight', () => {
    const instant = '2026-03-01T21:30:00Z';
    expect(formatDateTime(instant, 'en')).toBe('2 Mar 2026, 00:30');
    const arabic = formatDateTime(instant, 'ar');
    expect(arabic).toContain('2026');
    expect(arabic).toContain('00:30');
    expect(arabic).not.toMatch(/1447/);
  });
});

describe('numbers and ages', () => {
  it('groups thousands in both languages', () => {
    expect(formatNumber(5000, 'en')).toBe('5,000');
    expect(formatNumber(5000, 'ar')).toMatch(/^5.000$/);
  });

  it.each([
    [30 * SECOND, '0m'],
    [45 * MINUTE, '45m'],
    [3 * HOUR + 59 * MINUTE, '3h'],
    [47 * HOUR, '47h'],
    [72 * HOUR, '3d'],
  ])('%i ms ago is shown in its largest whole unit: %s', (ms, text) => {
    expect(formatAge(ms, 'en')).toBe(text);
  });

  it('measures distances on the sphere', () => {
    expect(distanceKm({ lat: 26.4207, lng: 50.0888 }, { lat: 26.2794, lng: 50.2083 })).toBeCloseTo(19.7, 0);
  });
});

describe('recordings and uploads', () => {
  it.each([
    [0, '0:00'],
    [7.9, '0:07'],
    [59.6, '0:59'],
    [60, '1:00'],
    [165, '2:45'],
    [-3, '0:00'],
  ])('a %f s recording lasts %s', (seconds, text) => {
    expect(formatDuration(seconds, 'en')).toBe(text);
    expect(formatDuration(seconds, 'ar')).toBe(text);
  });

  it('shows upload progress as a whole percentage', () => {
    expect(formatPercent(0.424, 'en')).toBe('42%');
    expect(formatPercent(1, 'ar')).toMatch(/100/);
  });
});

describe('spans of time in words (issue 13: "يومان و3 ساعات" rather than 67:59:52)', () => {
  const DAY = 24 * HOUR;
  it.each([
    [2 * DAY + 3 * HOUR + 59 * MINUTE + 52 * SECOND, 'يومان و3 ساعات', '2 days 3 hrs'],
    [67 * HOUR + 59 * MINUTE + 52 * SECOND, 'يومان و19 ساعة', '2 days 19 hrs'],
    [DAY + HOUR, 'يوم وساعة', '1 day 1 hr'],
    [3 * DAY + 5 * MINUTE, '3 أيام', '3 days'],
    [11 * DAY, '11 يومًا', '11 days'],
    [100 * DAY, '100 يوم', '100 days'],
    [2 * HOUR + 2 * MINUTE, 'ساعتان ودقيقتان', '2 hrs 2 mins'],
    [11 * HOUR + 45 * MINUTE, '11 ساعة و45 دقيقة', '11 hrs 45 mins'],
    [45 * MINUTE + 59 * SECOND, '45 دقيقة', '45 mins'],
    [3 * MINUTE, '3 دقائق', '3 mins'],
    [59 * SECOND, '0 دقيقة', '0 mins'],
  ])('%i ms reads "%s" and "%s"', (ms, ar, en) => {
    expect(formatSpan(ms, 'ar')).toBe(ar);
    expect(formatSpan(ms, 'en')).toBe(en);
  });

  it('reads a time already past by its size; the caller says it is late', () => {
    expect(formatSpan(-(3 * HOUR + 20 * MINUTE), 'ar')).toBe('3 ساعات و20 دقيقة');
    expect(formatSpan(-(3 * HOUR + 20 * MINUTE), 'en')).toBe('3 hrs 20 mins');
  });

  it('joins items with the language’s “and”', () => {
    expect(formatList(['صورتان', 'رسالة صوتية'], 'ar')).toBe('صورتان ورسالة صوتية');
    expect(formatList(['2 photos', '1 voice note'], 'en')).toBe('2 photos and 1 voice note');
  });
});
