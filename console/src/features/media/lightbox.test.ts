import { describe, expect, it } from 'vitest';
import { keyStep, stepIndex, swipeStep } from './lightbox.ts';

describe('turning photos in the lightbox', () => {
  it.each([
    ['ArrowRight', 'ltr', 1],
    ['ArrowLeft', 'ltr', -1],
    ['ArrowLeft', 'rtl', 1],
    ['ArrowRight', 'rtl', -1],
    ['ArrowUp', 'ltr', 0],
    ['Escape', 'rtl', 0],
  ] as const)('%s in %s steps %i', (key, dir, step) => {
    expect(keyStep(key, dir)).toBe(step);
  });

  it.each([
    ['a leftward swipe in English goes forward', -80, 5, 'ltr', 1],
    ['a rightward swipe in English goes back', 80, 5, 'ltr', -1],
    ['a rightward swipe in Arabic goes forward', 80, -5, 'rtl', 1],
    ['a leftward swipe in Arabic goes back', -80, 0, 'rtl', -1],
    ['a short drag is a tap', 20, 0, 'ltr', 0],
    ['a mostly vertical drag is a scroll', 60, 90, 'rtl', 0],
  ] as const)('%s', (_name, dx, dy, dir, step) => {
    expect(swipeStep(dx, dy, dir)).toBe(step);
  });

  it('stops at the first and the last photo', () => {
    expect(stepIndex(0, -1, 3)).toBe(0);
    expect(stepIndex(1, 1, 3)).toBe(2);
    expect(stepIndex(2, 1, 3)).toBe(2);
    expect(stepIndex(0, 1, 1)).toBe(0);
  });
});
