import { describe, expect, it } from 'vitest';
import { visibleRange } from './virtual.ts';

describe('virtual list window', () => {
  it.each([
    ['top of a long list', 0, { start: 0, end: 18 }],
    ['scrolled into the middle', 44 * 1000, { start: 992, end: 1018 }],
    ['bottom of the list', 44 * 4990, { start: 4982, end: 5000 }],
    ['overscrolled past the top (elastic scroll)', -200, { start: 0, end: 18 }],
  ])('%s', (_name, scrollTop, expected) => {
    expect(visibleRange(scrollTop, 440, 44, 5000, 8)).toEqual(expected);
  });

  it('renders nothing for an empty list', () => {
    expect(visibleRange(0, 440, 44, 0, 8)).toEqual({ start: 0, end: 0 });
  });
});
