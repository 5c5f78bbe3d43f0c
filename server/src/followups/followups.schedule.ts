/**
 * When the satisfaction center may call a reporter: calling hours in Asia/Riyadh time, no calls on closed
 * weekdays (Friday), and retries spaced so a reporter is not called twice on one day. Pure functions of an
 * instant and the policy, so the rules are tested with any clock.
 */
export interface CallingPolicy {
  /** Minutes after local midnight when calling opens (09:00 → 540). */
  openMinutes: number;
  /** Minutes after local midnight when it closes (21:00 → 1260); a call must start before it. */
  closeMinutes: number;
  /** Local weekdays without calls, 0 = Sunday … 6 = Saturday (Friday is 5). */
  closedWeekdays: readonly number[];
  /** The IANA zone the hours are in. */
  timeZone: string;
}

const DAY_MS = 86_400_000;

/** `HH:MM-HH:MM` (FOLLOWUP_CALL_HOURS) as minutes after midnight; throws on anything else. */
export function parseCallHours(raw: string): { openMinutes: number; closeMinutes: number } {
  const match = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(raw.trim());
  const [oh, om, ch, cm] = match ? match.slice(1).map(Number) : [NaN, NaN, NaN, NaN];
  const openMinutes = oh * 60 + om;
  const closeMinutes = ch * 60 + cm;
  if (!match || om > 59 || cm > 59 || oh > 23 || ch > 24 || closeMinutes > 1440 || openMinutes >= closeMinutes) {
    throw new Error(`FOLLOWUP_CALL_HOURS must look like 09:00-21:00 (opening before closing), got "${raw}"`);
  }
  return { openMinutes, closeMinutes };
}

/** The local calendar date, weekday and minutes after midnight of `at` in `timeZone`. */
function local(at: Date, timeZone: string): { date: string; weekday: number; minutes: number; offsetMs: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    weekday: 'short',
  }).formatToParts(at);
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '';
  const [year, month, day, hour, minute, second] = ['year', 'month', 'day', 'hour', 'minute', 'second'].map((type) => Number(get(type)));
  const wallMs = Date.UTC(year, month - 1, day, hour, minute, second);
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  return { date: `${get('year')}-${get('month')}-${get('day')}`, weekday, minutes: hour * 60 + minute + second / 60, offsetMs: wallMs - Math.floor(at.getTime() / 1000) * 1000 };
}

/** The instant of `minutes` after local midnight on the local day of `at`, `addDays` days later. */
function localInstant(at: Date, minutes: number, addDays: number, timeZone: string): Date {
  const { date, offsetMs } = local(at, timeZone);
  const [year, month, day] = date.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day + addDays) + minutes * 60_000 - offsetMs);
}

/** The instant the local day of `at` began in `timeZone`: where "today" starts (today's finished jobs, today's calls). */
export function localDayStart(at: Date, timeZone: string): Date {
  return localInstant(at, 0, 0, timeZone);
}

/** The local calendar day of `at` (YYYY-MM-DD), the unit of "not twice on one day". */
export function callingDay(at: Date, policy: Pick<CallingPolicy, 'timeZone'>): string {
  return local(at, policy.timeZone).date;
}

/** `at` itself when calls are allowed then, otherwise the next opening (a follow-up due at night waits for the morning). */
export function nextCallable(at: Date, policy: CallingPolicy): Date {
  const now = local(at, policy.timeZone);
  if (!policy.closedWeekdays.includes(now.weekday) && now.minutes >= policy.openMinutes && now.minutes < policy.closeMinutes) return at;
  for (let days = now.minutes < policy.openMinutes ? 0 : 1; days <= 8; days++) {
    const opening = localInstant(at, policy.openMinutes, days, policy.timeZone);
    if (!policy.closedWeekdays.includes(local(opening, policy.timeZone).weekday)) return opening;
  }
  throw new Error('the calling policy closes every day of the week');
}

/**
 * When to try again after an unanswered call at `attemptAt`: at least `retryHours` later, and on another
 * calling day (the next opening after that day, so a reporter is never called twice in one day).
 */
export function nextAttemptAfter(attemptAt: Date, retryHours: number, policy: CallingPolicy): Date {
  const spaced = nextCallable(new Date(attemptAt.getTime() + retryHours * 3_600_000), policy);
  if (callingDay(spaced, policy) !== callingDay(attemptAt, policy)) return spaced;
  return nextCallable(localInstant(attemptAt, policy.openMinutes, 1, policy.timeZone), policy);
}

/** Whole days between two instants' calling days (0 for the same day). */
export function daysBetween(from: Date, to: Date, policy: Pick<CallingPolicy, 'timeZone'>): number {
  return Math.round((Date.parse(callingDay(to, policy)) - Date.parse(callingDay(from, policy))) / DAY_MS);
}
