import { formatNumber, formatPercent, formatSpan, type Locale } from '../../format/format.ts';

/** How an indicator reads (the server's IndicatorUnit). */
export type Unit = 'COUNT' | 'MINUTES' | 'SHARE' | 'SCORE';

/**
 * Which way is better for each indicator, by its code. The server's definitions give each indicator's label,
 * unit and rule but not whether more is good, so the console keeps this one small map (an indicator missing from
 * it is neutral: its change shows without a colour). Volumes that only say how much came in are neutral.
 */
export const BETTER_WHEN: Readonly<Record<string, 'higher' | 'lower'>> = {
  resolved: 'higher',
  closed: 'higher',
  backlog: 'lower',
  overdueNow: 'lower',
  firstAssignmentMedian: 'lower',
  firstAssignmentP90: 'lower',
  resolutionMedian: 'lower',
  resolutionP90: 'lower',
  targetCompliance: 'higher',
  lifeSafetyAssignedIn15: 'higher',
  reopenRate: 'lower',
  firstTimeFix: 'higher',
  followUpsReached: 'higher',
  followUpsUnreachable: 'lower',
  satisfactionMean: 'higher',
  satisfiedShare: 'higher',
  callsMade: 'higher',
  inquiriesAnswered: 'higher',
  answerMedian: 'lower',
  jobsCompleted: 'higher',
  declines: 'lower',
};

/** The indicators on the headline cards, in order. */
export const HEADLINE: readonly string[] = [
  'received',
  'resolved',
  'backlog',
  'overdueNow',
  'targetCompliance',
  'resolutionMedian',
  'lifeSafetyAssignedIn15',
  'reopenRate',
  'firstTimeFix',
  'satisfactionMean',
  'callsMade',
  'inquiriesAnswered',
];

/** A change against the previous period, as a card shows it. */
export interface Change {
  /** ▲ up, ▼ down, ● the same; null when either figure is missing. */
  arrow: '▲' | '▼' | '●' | null;
  /** The change as a fraction of the previous figure; null when there is no previous figure to divide by (0 or null). */
  fraction: number | null;
  /** good or bad by the indicator's direction; neutral when it has none or nothing changed. */
  tone: 'good' | 'bad' | 'neutral';
}

/** How a figure moved from the previous period to this one, and whether that is good news for this indicator. */
export function changeOf(code: string, current: number | null | undefined, previous: number | null | undefined): Change {
  if (current == null || previous == null) return { arrow: null, fraction: null, tone: 'neutral' };
  const fraction = previous === 0 ? null : (current - previous) / Math.abs(previous);
  if (current === previous) return { arrow: '●', fraction: 0, tone: 'neutral' };
  const up = current > previous;
  const better = BETTER_WHEN[code];
  const tone = !better ? 'neutral' : (better === 'higher') === up ? 'good' : 'bad';
  return { arrow: up ? '▲' : '▼', fraction, tone };
}

/** A figure in its unit, in the viewer's language; "–" when there is none (no data is not zero). */
export function formatValue(value: number | null | undefined, unit: Unit, locale: Locale): string {
  if (value == null) return '–';
  switch (unit) {
    case 'COUNT':
      return formatNumber(value, locale);
    case 'SHARE':
      return formatPercent(value, locale);
    case 'MINUTES':
      return formatSpan(value * 60_000, locale);
    case 'SCORE':
      return formatScore(value, locale);
  }
}

const scores = new Map<Locale, Intl.NumberFormat>();

/** A mean rating with one decimal, e.g. 4.2 (Latin digits in Arabic, as format.ts writes numbers). */
export function formatScore(value: number, locale: Locale): string {
  let format = scores.get(locale);
  if (!format) {
    format = new Intl.NumberFormat(locale === 'ar' ? 'ar-SA-u-nu-latn' : 'en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    scores.set(locale, format);
  }
  return format.format(value);
}

/** The change as a signed whole percentage, e.g. "+12%" / "−5%"; "" when it cannot be said (no previous figure). */
export function formatChange(change: Change, locale: Locale): string {
  if (change.fraction == null) return '';
  const sign = change.fraction > 0 ? '+' : change.fraction < 0 ? '−' : '';
  return `${sign}${formatPercent(Math.abs(change.fraction), locale)}`;
}
