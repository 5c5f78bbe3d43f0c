/** The page's reading direction: Arabic reads right to left, so its "next" photo lies to the left. */
export type Direction = 'ltr' | 'rtl';

/** A swipe shorter than this many pixels, or more up-down than sideways, is a tap or a scroll, not a turn. */
export const SWIPE_MIN_PX = 40;

/**
 * The step a key takes through the photos: +1 (next), -1 (previous) or 0. The arrow pointing the way the
 * language reads goes forward: → in English, ← in Arabic; Home and End are not steps.
 */
export function keyStep(key: string, dir: Direction): -1 | 0 | 1 {
  const forward = dir === 'rtl' ? 'ArrowLeft' : 'ArrowRight';
  const back = dir === 'rtl' ? 'ArrowRight' : 'ArrowLeft';
  if (key === forward) return 1;
  if (key === back) return -1;
  return 0;
}

/**
 * The step a swipe takes, from how far the finger moved (dx rightward, dy downward): the finger pulls the
 * next photo in from where it lies, so in English a leftward swipe goes forward and in Arabic a rightward one.
 */
export function swipeStep(dx: number, dy: number, dir: Direction): -1 | 0 | 1 {
  if (Math.abs(dx) < SWIPE_MIN_PX || Math.abs(dx) <= Math.abs(dy)) return 0;
  const leftward = dx < 0;
  const forward = dir === 'rtl' ? !leftward : leftward;
  return forward ? 1 : -1;
}

/** The photo shown after a step: the ends stop rather than wrap, so the count the viewer reads stays true. */
export function stepIndex(index: number, step: number, count: number): number {
  return Math.min(Math.max(index + step, 0), Math.max(count - 1, 0));
}
