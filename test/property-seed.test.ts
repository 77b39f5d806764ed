import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TEST_SEED } from './support/seed.ts';

describe('property tests', () => {
  it('all run from the suite seed (VOLNO_TEST_SEED overrides it), so a run can be repeated exactly', () => {
    expect(fc.readConfigureGlobal().seed).toBe(TEST_SEED);
    const draw = () => fc.sample(fc.integer(), { numRuns: 5 });
    expect(draw()).toEqual(draw());
  });
});
