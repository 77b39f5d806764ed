import { fitLogistic, sigmoid } from '../../calibration/tune/logistic.ts';
import type { FoldResult } from './loco.ts';

export interface Calibration {
  /** p = σ(scale · logit + offset), fitted on the left-out cameras' logits (Platt scaling). */
  readonly scale: number;
  readonly offset: number;
  /** Calibrated probabilities strictly inside are reported unknown (`uncertain`). */
  readonly band: { low: number; high: number };
  /** Share of left-out slots inside the band, and the accuracy on them and on the rest. */
  readonly inBand: number;
  readonly accuracyInBand: number;
  readonly accuracyOutside: number;
}

/** Accuracy below which a band of predictions is a coin toss rather than evidence. */
const COIN = 0.75;

/**
 * Platt scaling on the pooled out-of-fold logits of leave-one-camera-out (each camera weighing the
 * same), then the widest band around 0.5 whose predictions were right less than 75 % of the time.
 * Everything here comes from cameras the fitted head had not seen, never from a held-out set.
 */
export function calibrate(folds: readonly FoldResult[]): Calibration {
  const logits: number[] = [];
  const labels: number[] = [];
  const weights: number[] = [];
  for (const f of folds) {
    const { logits: l, labels: y } = f.oof!;
    logits.push(...l);
    labels.push(...y);
    weights.push(...l.map(() => 1 / l.length));
  }
  const x = Float32Array.from(logits);
  const rows = logits.map((_, i) => i);
  const fit = fitLogistic({ x, dim: 1, rows, labels, weights }, { l2: 1e-4 });
  const scale = fit.weights[0]!;
  const offset = fit.bias;
  const p = logits.map((z) => sigmoid(scale * z + offset));
  let band = { low: 0.5, high: 0.5 };
  for (let d = 0.05; d <= 0.3 + 1e-9; d += 0.05) {
    const lo = 0.5 - d;
    const hi = 0.5 + d;
    const inside = p.map((v, i) => [v, i] as const).filter(([v]) => v > lo && v < hi);
    const right = inside.filter(([v, i]) => (v >= 0.5 ? 1 : 0) === labels[i]).length;
    if (inside.length > 0 && right / inside.length < COIN) band = { low: +lo.toFixed(2), high: +hi.toFixed(2) };
  }
  let inN = 0;
  let inRight = 0;
  let outRight = 0;
  p.forEach((v, i) => {
    const right = (v >= 0.5 ? 1 : 0) === labels[i];
    if (v > band.low && v < band.high) {
      inN++;
      if (right) inRight++;
    } else if (right) outRight++;
  });
  return {
    scale,
    offset,
    band,
    inBand: inN / p.length,
    accuracyInBand: inN ? inRight / inN : 0,
    accuracyOutside: p.length - inN ? outRight / (p.length - inN) : 0,
  };
}
