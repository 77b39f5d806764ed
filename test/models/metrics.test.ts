import { describe, expect, it } from 'vitest';
import { add, emptyConfusion, scores } from '../../models/eval/metrics.ts';

describe('eval metrics', () => {
  it('computes accuracy and occupied precision, recall and F1 from the confusion matrix', () => {
    const c = emptyConfusion();
    const cases: [boolean, boolean, number][] = [
      [true, true, 6],
      [true, false, 2],
      [false, true, 3],
      [false, false, 9],
    ];
    for (const [pred, truth, n] of cases) for (let i = 0; i < n; i++) add(c, pred, truth);
    expect(c).toEqual({ tp: 6, fp: 2, fn: 3, tn: 9 });
    const s = scores(c);
    expect(s.slots).toBe(20);
    expect(s.accuracy).toBeCloseTo(15 / 20, 12);
    expect(s.precision_occupied).toBeCloseTo(6 / 8, 12);
    expect(s.recall_occupied).toBeCloseTo(6 / 9, 12);
    expect(s.f1_occupied).toBeCloseTo((2 * 6) / (2 * 6 + 2 + 3), 12);
  });

  it('reports zero rather than NaN when a class never occurs', () => {
    const c = emptyConfusion();
    add(c, false, false);
    expect(scores(c)).toEqual({ slots: 1, accuracy: 1, precision_occupied: 0, recall_occupied: 0, f1_occupied: 0 });
  });
});
