import { describe, expect, it } from 'vitest';
import { EXEMPLAR_MAX_DISTANCE, ExemplarIndex } from '../../../calibration/tune/exemplars.ts';

const f = (...v: number[]) => Float32Array.from(v);

describe('per-slot exemplars', () => {
  const index = new ExemplarIndex(2, [
    { slotId: 'a', occupied: true, features: f(1, 0) },
    { slotId: 'a', occupied: false, features: f(0, 1) },
    { slotId: 'b', occupied: true, features: f(0, 0) }, // points nowhere: ignored
  ]);

  it('takes the label of the slot’s nearest exemplar, only within the distance, only for its own slot', () => {
    expect(index.size).toBe(2);
    expect(index.maxDistance).toBe(EXEMPLAR_MAX_DISTANCE);
    expect(index.match('a', f(2, 0.1), 0)).toBe(true); // length does not matter, direction does
    expect(index.match('a', f(0.1, 3), 0)).toBe(false);
    expect(index.match('a', f(-1, -1), 0)).toBeNull(); // far from both
    expect(index.match('b', f(1, 0), 0)).toBeNull();
    expect(index.match('c', f(1, 0), 0)).toBeNull();
    expect(index.match('a', f(0, 0), 0)).toBeNull();
  });

  it('is strict at the distance', () => {
    // Orthogonal rows: cosine distance exactly 1, with no rounding in the way.
    const e = [{ slotId: 'a', occupied: true, features: f(1, 0) }];
    expect(new ExemplarIndex(2, e, 1).match('a', f(0, 2), 0)).toBeNull();
    expect(new ExemplarIndex(2, e, 1.0001).match('a', f(0, 2), 0)).toBe(true);
  });

  it('applies to a frame’s rows by slot id and leaves the rest to the head', () => {
    const probs = f(0.1, 0.9, 0.5);
    const out = index.apply(probs, f(1, 0, 0, 1, 1, 0), ['a', 'a', 'z']);
    expect([...out].map((v) => Math.round(v * 100) / 100)).toEqual([0.95, 0.05, 0.5]);
    expect([...probs]).toEqual([...f(0.1, 0.9, 0.5)]); // not changed in place
  });

  it('refuses an exemplar of another length', () => {
    expect(() => new ExemplarIndex(3, [{ slotId: 'a', occupied: true, features: f(1, 0) }])).toThrow(/2 ≠ 3/);
  });
});
