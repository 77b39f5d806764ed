import { sigmoid } from '../../calibration/tune/logistic.ts';
import type { FoldResult } from './loco.ts';

export interface Calibration {
  /**
   * p = σ(scale · logit), the temperature fitted on the left-out cameras' logits. No offset: an offset
   * fitted there learns the left-out sets' mix of free and occupied as much as anything about new
   * cameras, and it moves every decision (Guo et al., "On calibration of modern neural networks",
   * ICML 2017: temperature scaling calibrates without changing what is decided).
   */
  readonly scale: number;
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
 * Temperature scaling on the pooled out-of-fold logits of leave-one-camera-out (each camera weighing the
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
  const scale = temperature(logits, labels, weights);
  const p = logits.map((z) => sigmoid(scale * z));
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
    band,
    inBand: inN / p.length,
    accuracyInBand: inN ? inRight / inN : 0,
    accuracyOutside: p.length - inN ? outRight / (p.length - inN) : 0,
  };
}

/** The scale in [0.05, 5] minimising the weighted log-loss, by golden-section search (it is convex). */
function temperature(logits: number[], labels: number[], weights: number[]): number {
  const loss = (a: number) => {
    let l = 0;
    logits.forEach((z, i) => {
      const t = a * z;
      l += weights[i]! * ((t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t))) - labels[i]! * t);
    });
    return l;
  };
  let lo = 0.05;
  let hi = 5;
  const g = (Math.sqrt(5) - 1) / 2;
  for (let k = 0; k < 60; k++) {
    const a = hi - g * (hi - lo);
    const b = lo + g * (hi - lo);
    if (loss(a) < loss(b)) hi = b;
    else lo = a;
  }
  return (lo + hi) / 2;
}
