/** The department scorecard's columns, in order. */
export const SCORECARD: readonly string[] = ['targetCompliance', 'resolutionMedian', 'reopenRate', 'satisfactionMean'];

/**
 * The scorecard's colours: good (green), watch (amber) or poor (red) by the bounds below, which are the console's
 * reading guide, not a rule of the indicators (the server defines figures; a municipality may tune these).
 * A missing figure has no colour.
 */
const BOUNDS: Readonly<Record<string, { good: number; poor: number; better: 'higher' | 'lower' }>> = {
  // share of resolutions on time: 90 % and over is good, under 75 % poor
  targetCompliance: { good: 0.9, poor: 0.75, better: 'higher' },
  // minutes from receipt to resolution: within a working day is good, over three days poor
  resolutionMedian: { good: 8 * 60, poor: 72 * 60, better: 'lower' },
  // share reopened: 5 % or less is good, over 15 % poor
  reopenRate: { good: 0.05, poor: 0.15, better: 'lower' },
  // mean rating 1–5: 4 and over is good, under 3 poor
  satisfactionMean: { good: 4, poor: 3, better: 'higher' },
};

export type Tone = 'good' | 'watch' | 'poor' | 'none';

/** How a scorecard figure reads against its bounds. */
export function scoreTone(code: string, value: number | null | undefined): Tone {
  const bounds = BOUNDS[code];
  if (!bounds || value == null) return 'none';
  if (bounds.better === 'higher') return value >= bounds.good ? 'good' : value < bounds.poor ? 'poor' : 'watch';
  return value <= bounds.good ? 'good' : value > bounds.poor ? 'poor' : 'watch';
}
