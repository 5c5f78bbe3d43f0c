/** UI languages; Arabic is the default and reads right to left. */
export type Locale = 'ar' | 'en';

/** The 940 center's clock: every date and time is shown in Riyadh time on the Gregorian calendar. */
export const TIME_ZONE = 'Asia/Riyadh';

/**
 * Intl locale tags: Gregorian calendar always (ar-SA would default to Umm al-Qura), Latin digits so
 * countdowns line up with references and phone numbers.
 */
const INTL_TAG: Record<Locale, string> = { ar: 'ar-SA-u-ca-gregory-nu-latn', en: 'en-GB-u-ca-gregory' };

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();

function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: () => T): T {
  let value = cache.get(key) as T | undefined;
  if (!value) {
    value = make();
    cache.set(key, value);
  }
  return value;
}

function dateTimeFormat(locale: Locale, style: 'dateTime' | 'time'): Intl.DateTimeFormat {
  return cached(
    `dt:${locale}:${style}`,
    () =>
      new Intl.DateTimeFormat(INTL_TAG[locale], {
        calendar: 'gregory',
        timeZone: TIME_ZONE,
        hourCycle: 'h23',
        ...(style === 'dateTime' ? { dateStyle: 'medium', timeStyle: 'short' } : { timeStyle: 'medium' }),
      }),
  );
}

function numberFormat(locale: Locale, key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  return cached(`nf:${locale}:${key}`, () => new Intl.NumberFormat(INTL_TAG[locale], options));
}

/** Date and time in Riyadh, e.g. "12 Mar 2026, 14:05". */
export function formatDateTime(value: string | number | Date, locale: Locale): string {
  return dateTimeFormat(locale, 'dateTime').format(new Date(value));
}

/** Time of day in Riyadh with seconds. */
export function formatTime(value: string | number | Date, locale: Locale): string {
  return dateTimeFormat(locale, 'time').format(new Date(value));
}

/** A count with the locale's grouping, e.g. 5,000. */
export function formatNumber(value: number, locale: Locale): string {
  return numberFormat(locale, 'int', { maximumFractionDigits: 0 }).format(value);
}

/** A distance in kilometres with one decimal. */
export function formatKm(km: number, locale: Locale): string {
  return numberFormat(locale, 'km', { style: 'unit', unit: 'kilometer', unitDisplay: 'short', maximumFractionDigits: 1 }).format(km);
}

export interface Countdown {
  /** h:mm:ss (hours unbounded), with a leading minus once the target has passed. */
  text: string;
  overdue: boolean;
}

/**
 * Time left to a response target, as a clock: `1:05:09` left, `-0:12:30` overdue. Whole seconds are
 * floored toward the target so a countdown never shows 0:00:00 while time remains.
 */
export function formatCountdown(msLeft: number, locale: Locale): Countdown {
  const overdue = msLeft < 0;
  const total = overdue ? Math.ceil(-msLeft / 1000) : Math.floor(msLeft / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = numberFormat(locale, 'two', { minimumIntegerDigits: 2, useGrouping: false });
  const plain = numberFormat(locale, 'plain', { useGrouping: false });
  const clock = `${plain.format(hours)}:${two.format(minutes)}:${two.format(seconds)}`;
  return { text: overdue ? `-${clock}` : clock, overdue };
}

/**
 * A recording's length as a clock, minutes unbounded: `0:07`, `2:45`. Whole seconds are floored, as the
 * browser's own audio controls show them, so the label and the player agree.
 */
export function formatDuration(seconds: number, locale: Locale): string {
  const total = Math.max(0, Math.floor(seconds));
  const two = numberFormat(locale, 'two', { minimumIntegerDigits: 2, useGrouping: false });
  const plain = numberFormat(locale, 'plain', { useGrouping: false });
  return `${plain.format(Math.floor(total / 60))}:${two.format(total % 60)}`;
}

/** A share from 0 to 1 as a whole percentage, e.g. 42%. */
export function formatPercent(fraction: number, locale: Locale): string {
  return numberFormat(locale, 'pct', { style: 'percent', maximumFractionDigits: 0 }).format(fraction);
}

/** How long ago, in the largest whole unit: "45 min", "3 hr", "2 days" (narrow unit forms). */
export function formatAge(msAgo: number, locale: Locale): string {
  const minutes = Math.max(0, Math.floor(msAgo / 60_000));
  if (minutes < 60) return numberFormat(locale, 'min', { style: 'unit', unit: 'minute', unitDisplay: 'narrow' }).format(minutes);
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return numberFormat(locale, 'hr', { style: 'unit', unit: 'hour', unitDisplay: 'narrow' }).format(hours);
  return numberFormat(locale, 'day', { style: 'unit', unit: 'day', unitDisplay: 'narrow' }).format(Math.floor(hours / 24));
}

/** Great-circle distance in kilometres. */
export function distanceKm(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

type SpanUnit = 'day' | 'hour' | 'minute';
const SPAN_UNITS: readonly [SpanUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/**
 * How each language names a unit in a span: Arabic in full words, whose dual and plural forms the locale
 * data knows (يومان، 3 ساعات، 11 ساعة); English days in full and hours and minutes short, as a dispatcher
 * writes them ("2 days 3 hrs").
 */
const SPAN_DISPLAY: Record<Locale, Record<SpanUnit, 'long' | 'short'>> = {
  ar: { day: 'long', hour: 'long', minute: 'long' },
  en: { day: 'long', hour: 'short', minute: 'short' },
};

/**
 * A length of time in words, its two largest whole units (days, hours, minutes), the smaller ones dropped:
 * "يومان و3 ساعات" / "2 days 3 hrs" for 2 days 3 hours 59 minutes, "45 دقيقة" / "45 mins". The sign is ignored
 * (the caller says whether it is left or late); under a minute is "0 minutes" in the locale's words.
 */
export function formatSpan(ms: number, locale: Locale): string {
  let rest = Math.floor(Math.abs(ms) / 60_000) * 60_000;
  const parts: string[] = [];
  for (const [unit, size] of SPAN_UNITS) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 || parts.length > 0) parts.push(count > 0 ? numberFormat(locale, `span:${unit}`, { style: 'unit', unit, unitDisplay: SPAN_DISPLAY[locale][unit] }).format(count) : '');
    if (parts.length === 2) break;
  }
  const words = parts.filter(Boolean);
  if (words.length === 0) return numberFormat(locale, 'span:minute', { style: 'unit', unit: 'minute', unitDisplay: SPAN_DISPLAY[locale].minute }).format(0);
  // Arabic joins the units with و ("يومان و3 ساعات"); English lists them side by side ("2 days 3 hrs").
  return listFormat(locale, locale === 'ar' ? { type: 'conjunction' } : { type: 'unit', style: 'narrow' }).format(words);
}

const lists = new Map<string, Intl.ListFormat>();

function listFormat(locale: Locale, options: Intl.ListFormatOptions): Intl.ListFormat {
  const key = `${locale}:${options.type}:${options.style ?? 'long'}`;
  let list = lists.get(key);
  if (!list) {
    list = new Intl.ListFormat(INTL_TAG[locale], options);
    lists.set(key, list);
  }
  return list;
}

/** Items joined as the language joins them: "صورتان ورسالة صوتية" (Arabic's و, attached), "2 photos and 1 voice note". */
export function formatList(items: readonly string[], locale: Locale): string {
  return listFormat(locale, { type: 'conjunction' }).format(items);
}
