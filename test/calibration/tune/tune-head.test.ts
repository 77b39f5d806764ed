import { describe, expect, it } from 'vitest';
import { fitLogistic, logit, sigmoid } from '../../../calibration/tune/logistic.ts';
import { MIN_LABELS, tuneHead } from '../../../calibration/tune/tune-head.ts';
import { seededRandom } from '../../../edge/simulator/random.ts';
import { TEST_SEED } from '../../support/seed.ts';

/** Two Gaussian clouds in `dim` dimensions whose means differ along `direction`. */
function clouds(n: number, dim: number, direction: number[], random: () => number) {
  const x = new Float32Array(n * dim);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = i % 2;
    labels.push(y);
    for (let j = 0; j < dim; j++) {
      const g = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      x[i * dim + j] = g + (y ? 1 : -1) * direction[j]!;
    }
  }
  return { x, labels };
}

const accuracy = (head: { weights: Float64Array; bias: number }, x: Float32Array, dim: number, labels: number[]) =>
  labels.filter((y, i) => (sigmoid(logit(head, x, i * dim)) >= 0.5 ? 1 : 0) === y).length / labels.length;

describe('fitLogistic', () => {
  it('separates two clouds and is deterministic', () => {
    const random = seededRandom(TEST_SEED);
    const { x, labels } = clouds(400, 5, [1.5, 0, 0, 0, 0], random);
    const rows = labels.map((_, i) => i);
    const a = fitLogistic({ x, dim: 5, rows, labels }, { l2: 1e-3 });
    const b = fitLogistic({ x, dim: 5, rows, labels }, { l2: 1e-3 });
    expect(a).toEqual(b);
    expect(accuracy(a, x, 5, labels)).toBeGreaterThan(0.9);
    expect(Math.abs(a.weights[0]!)).toBeGreaterThan(5 * Math.max(...[1, 2, 3, 4].map((j) => Math.abs(a.weights[j]!))));
  });

  it('stays at the prior when the penalty dominates, and moves off it when the data do', () => {
    const random = seededRandom(TEST_SEED + 1);
    const { x, labels } = clouds(200, 3, [0, 2, 0], random);
    const rows = labels.map((_, i) => i);
    const prior = { weights: Float64Array.from([3, 0, 0]), bias: 0 };
    const stiff = fitLogistic({ x, dim: 3, rows, labels }, { l2: 1e4, prior });
    expect(stiff.weights[0]).toBeCloseTo(3, 2);
    const loose = fitLogistic({ x, dim: 3, rows, labels }, { l2: 1e-3, prior });
    expect(Math.abs(loose.weights[1]!)).toBeGreaterThan(Math.abs(loose.weights[0]!));
  });
});

describe('tuneHead', () => {
  it('ships a tuned head only when it beats the generic one on labels it was not fitted on', () => {
    const random = seededRandom(TEST_SEED + 2);
    // The camera's evidence lies along feature 1; the generic head only looks at feature 0.
    const { x, labels } = clouds(60, 3, [0, 2, 0], random);
    const generic = { weights: Float64Array.from([2, 0, 0]), bias: 0 };
    const tuned = tuneHead({ x, dim: 3, labels }, generic, { l2: 0.01 });
    expect(tuned.head).not.toBeNull();
    expect(tuned.accuracyTuned).toBeGreaterThan(tuned.accuracyGeneric);
    expect(tuned.labels).toBe(60);
    // A generic head that is already right everywhere is kept.
    const right = { weights: Float64Array.from([0, 5, 0]), bias: 0 };
    const kept = tuneHead({ x, dim: 3, labels }, right, { l2: 0.01 });
    expect(kept.accuracyGeneric).toBeGreaterThanOrEqual(kept.accuracyTuned);
    expect(kept.head).toBeNull();
  });

  it('ships nothing from one labelled frame, and cross-validates frame by frame from two on', () => {
    const random = seededRandom(TEST_SEED + 3);
    const { x, labels } = clouds(60, 3, [0, 2, 0], random);
    const generic = { weights: Float64Array.from([2, 0, 0]), bias: 0 };
    const one = tuneHead({ x, dim: 3, labels, frames: labels.map(() => 7) }, generic, { l2: 0.01 });
    expect(one.head).toBeNull();
    expect(one.accuracyTuned).toBe(one.accuracyGeneric);
    const many = tuneHead({ x, dim: 3, labels, frames: labels.map((_, i) => Math.floor(i / 30)) }, generic, {
      l2: 0.01,
    });
    expect(many.kind).toBe('full');
    expect(many.head).not.toBeNull();
    // A frame the head never saw decides: when the two frames disagree about what "occupied" looks
    // like, no head fitted on one of them reads the other, and nothing ships.
    const flipped = labels.map((y, i) => (i < 30 ? y : 1 - y));
    const right = { weights: Float64Array.from([0, 5, 0]), bias: 0 };
    const split = tuneHead({ x, dim: 3, labels: flipped, frames: labels.map((_, i) => Math.floor(i / 30)) }, right, {
      l2: 0.01,
    });
    expect(split.head).toBeNull();
  });

  it('refuses to tune on too few labels or on one class only', () => {
    const generic = { weights: Float64Array.from([1]), bias: 0 };
    const few = tuneHead(
      { x: new Float32Array(MIN_LABELS - 1), dim: 1, labels: Array(MIN_LABELS - 1).fill(1) },
      generic,
      {
        l2: 0.3,
      },
    );
    expect(few.head).toBeNull();
    const x = Float32Array.from({ length: 20 }, (_, i) => i - 10);
    const oneClass = tuneHead({ x, dim: 1, labels: Array(20).fill(0) }, generic, { l2: 0.3 });
    expect(oneClass.head).toBeNull();
    expect(oneClass.accuracyGeneric).toBeCloseTo(10 / 20, 6);
  });
});
