import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../../edge/source/backoff.ts';

describe('reconnect backoff', () => {
  it('doubles its ceiling per attempt up to the maximum', () => {
    const ceiling = (a: number) => backoffDelayMs(a, 1000, 60_000, () => 1);
    expect([0, 1, 2, 3, 6, 7, 40].map(ceiling)).toEqual([1000, 2000, 4000, 8000, 60_000, 60_000, 60_000]);
  });

  it('spreads retries uniformly below the ceiling (full jitter) but never below half the first delay', () => {
    expect(backoffDelayMs(4, 1000, 60_000, () => 0.25)).toBe(4000);
    expect(backoffDelayMs(4, 1000, 60_000, () => 0)).toBe(500);
  });
});
