import { TIME_ZONE, type Locale } from '../../format/format.ts';

/** The period picker's presets; `custom` is a from/to the user typed. */
export type PresetName = 'today' | 'week' | 'month' | 'last30' | 'year' | 'custom';
export const PRESETS: readonly Exclude<PresetName, 'custom'>[] = ['today', 'week', 'month', 'last30', 'year'];

/** A period as the picker holds it: whole Riyadh days, both inclusive (YYYY-MM-DD), as the archive's from/to are. */
export interface DayRange {
  from: string;
  to: string;
}

/** The API's period, [from, to) as instants. */
export interface Instants {
  from: string;
  to: string;
}

/** Riyadh keeps +03:00 all year (no daylight saving), so its days start at this offset. */
const RIYADH_OFFSET_MS = 3 * 3_600_000;
const DAY_MS = 86_400_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The Riyadh day (YYYY-MM-DD) of an instant. */
export function riyadhDay(at: Date): string {
  return new Date(at.getTime() + RIYADH_OFFSET_MS).toISOString().slice(0, 10);
}

/** The first instant of a Riyadh day. */
export function dayStart(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - RIYADH_OFFSET_MS);
}

/** The day `n` days after `day` (before, when negative). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to`, both counted. */
export function dayCount(range: DayRange): number {
  return Math.round((Date.parse(`${range.to}T00:00:00Z`) - Date.parse(`${range.from}T00:00:00Z`)) / DAY_MS) + 1;
}

/**
 * The days of a preset around `now`, in Riyadh: today; this week from its Sunday (the center's week, as the
 * server's WEEK buckets) to its Saturday; this calendar month; the last 30 days ending today; this year.
 */
export function presetRange(preset: Exclude<PresetName, 'custom'>, now: Date): DayRange {
  const today = riyadhDay(now);
  const [year, month] = today.split('-');
  switch (preset) {
    case 'today':
      return { from: today, to: today };
    case 'week': {
      const weekday = new Date(`${today}T00:00:00Z`).getUTCDay(); // 0 = Sunday
      const sunday = addDays(today, -weekday);
      return { from: sunday, to: addDays(sunday, 6) };
    }
    case 'month': {
      const first = `${year}-${month}-01`;
      const nextMonth = new Date(Date.UTC(Number(year), Number(month), 1)).toISOString().slice(0, 10);
      return { from: first, to: addDays(nextMonth, -1) };
    }
    case 'last30':
      return { from: addDays(today, -29), to: today };
    case 'year':
      return { from: `${year}-01-01`, to: `${year}-12-31` };
  }
}

/** A custom range the user typed, or null when a day is malformed or `to` is before `from`. */
export function customRange(from: string, to: string): DayRange | null {
  if (!DAY.test(from) || !DAY.test(to) || to < from) return null;
  return { from, to };
}

/**
 * What the API is asked for: [first day's midnight, the day after the last) — but never past the next whole
 * minute after now, so "this week" on a Tuesday counts the week so far (and its figures compare with the same
 * stretch of the previous period), and a refetch within a minute asks the same question.
 */
export function toInstants(range: DayRange, now: Date): Instants {
  const from = dayStart(range.from);
  const end = dayStart(addDays(range.to, 1)).getTime();
  const nextMinute = Math.ceil((now.getTime() + 1) / 60_000) * 60_000;
  const to = Math.max(from.getTime() + 60_000, Math.min(end, nextMinute));
  return { from: from.toISOString(), to: new Date(to).toISOString() };
}

/**
 * The period compared against: as many whole days earlier as the range spans, and as long as the period
 * asked (so today until 10:00 compares with yesterday until 10:00, this week so far with last week's same days,
 * the last 30 days with the 30 before).
 */
export function previousInstants(range: DayRange, current: Instants): Instants {
  const shift = dayCount(range) * DAY_MS;
  return { from: new Date(Date.parse(current.from) - shift).toISOString(), to: new Date(Date.parse(current.to) - shift).toISOString() };
}

/** The series step for a period: days up to a month, weeks (Sunday first) up to half a year, months beyond. */
export function bucketFor(range: DayRange): 'DAY' | 'WEEK' | 'MONTH' {
  const days = dayCount(range);
  if (days <= 31) return 'DAY';
  if (days <= 190) return 'WEEK';
  return 'MONTH';
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

function dayFormat(tag: string): Intl.DateTimeFormat {
  let format = dayFormats.get(tag);
  if (!format) {
    format = new Intl.DateTimeFormat(tag, { timeZone: TIME_ZONE, day: 'numeric', month: 'long', year: 'numeric' });
    dayFormats.set(tag, format);
  }
  return format;
}

/** Gregorian as the console shows it (format.ts's tags: Latin digits in Arabic too); the Hijri date by Umm al-Qura. */
const GREGORIAN: Record<Locale, string> = { ar: 'ar-SA-u-ca-gregory-nu-latn', en: 'en-GB-u-ca-gregory' };
const HIJRI: Record<Locale, string> = { ar: 'ar-SA-u-ca-islamic-umalqura-nu-latn', en: 'en-GB-u-ca-islamic-umalqura' };

/** A Riyadh day on the Gregorian calendar, e.g. "2 December 2026" / "2 ديسمبر 2026". */
export function formatGregorianDay(day: string, locale: Locale): string {
  return dayFormat(GREGORIAN[locale]).format(new Date(Date.parse(`${day}T12:00:00+03:00`)));
}

/** The same day on the Umm al-Qura calendar, shown beside the Gregorian, e.g. "11 جمادى الآخرة 1448 هـ". */
export function formatHijriDay(day: string, locale: Locale): string {
  return dayFormat(HIJRI[locale]).format(new Date(Date.parse(`${day}T12:00:00+03:00`)));
}
