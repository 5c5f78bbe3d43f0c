import { IndicatorBucket } from './indicators.enums.js';

/*
 * The Riyadh calendar the indicators count by (days, Sunday-first weeks, months), written once for the service's
 * buckets and the maintained aggregates' spans. Days are `YYYY-MM-DD` strings.
 */

/** Asia/Riyadh keeps UTC+3 all year (no daylight saving), so a Riyadh day starts at 21:00 UTC the day before. */
const RIYADH_OFFSET_MS = 3 * 3_600_000;
const DAY_MS = 86_400_000;

/** A Riyadh calendar day as `YYYY-MM-DD`. */
export function riyadhDay(at: Date): string {
  return new Date(at.getTime() + RIYADH_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a Riyadh day (`YYYY-MM-DD`) starts. */
export function dayStart(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - RIYADH_OFFSET_MS);
}

/** The first Riyadh day of the bucket holding `day`: itself, its week's Sunday, or its month's first. */
export function bucketOf(day: string, bucket: IndicatorBucket): string {
  if (bucket === IndicatorBucket.DAY) return day;
  if (bucket === IndicatorBucket.MONTH) return `${day.slice(0, 7)}-01`;
  const date = new Date(`${day}T00:00:00Z`);
  return new Date(date.getTime() - date.getUTCDay() * DAY_MS).toISOString().slice(0, 10);
}

/** The first Riyadh day of the bucket after the one starting on `start`. */
export function nextBucket(start: string, bucket: IndicatorBucket): string {
  const date = new Date(`${start}T00:00:00Z`);
  if (bucket === IndicatorBucket.DAY) return new Date(date.getTime() + DAY_MS).toISOString().slice(0, 10);
  if (bucket === IndicatorBucket.WEEK) return new Date(date.getTime() + 7 * DAY_MS).toISOString().slice(0, 10);
  date.setUTCMonth(date.getUTCMonth() + 1);
  return date.toISOString().slice(0, 10);
}

/** The buckets of [from, to) in order: each one's first Riyadh day and the instant it ends, capped at `to`. */
export function bucketsOf(from: Date, to: Date, bucket: IndicatorBucket, limit = Infinity): { start: string; endAt: Date }[] {
  const buckets: { start: string; endAt: Date }[] = [];
  for (let start = bucketOf(riyadhDay(from), bucket); dayStart(start) < to && buckets.length <= limit;) {
    const next = nextBucket(start, bucket);
    const end = dayStart(next);
    buckets.push({ start, endAt: end < to ? end : to });
    start = next;
  }
  return buckets;
}
