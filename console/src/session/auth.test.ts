// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { renewDelay } from './auth.ts';

const HOUR = 3_600_000;

describe('session renewal', () => {
  it.each([
    ['a fresh 12-hour token renews halfway through', 12 * HOUR, 6 * HOUR],
    ['a token with 2 minutes left renews in a minute', 2 * 60_000, 60_000],
    ['a token about to expire still waits 30 s, not a busy loop', 5_000, 30_000],
    ['an expired token waits 30 s too (the server then answers UNAUTHENTICATED)', -HOUR, 30_000],
  ])('%s', (_name, left, delay) => {
    const now = Date.parse('2026-03-01T08:00:00Z');
    expect(renewDelay(new Date(now + left).toISOString(), now)).toBe(delay);
  });
});
