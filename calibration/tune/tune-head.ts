import { fitLogistic, logit, type LogisticHead } from './logistic.ts';

/** Labelled slots of one camera as the model saw them: standardised feature rows and staff labels. */
export interface CameraLabels {
  /** Row-major, `dim` values per labelled slot (the model's `features` output). */
  readonly x: Float32Array;
  readonly dim: number;
  /** 1 = occupied, 0 = free. */
  readonly labels: ArrayLike<number>;
}

export interface TuneOptions {
  /** Pull towards the generic head; chosen by leave-one-camera-out in `models:loco`, not per camera. */
  readonly l2: number;
  /** Folds of the cross-validation that decides whether the tuned head ships. */
  readonly folds?: number;
  readonly threshold?: number;
}

export interface TuneResult {
  /** The tuned head, or null when it did not beat the generic one on labels it did not see. */
  readonly head: LogisticHead | null;
  readonly labels: number;
  /** Cross-validated accuracy of the generic head (no fitting, so simply its accuracy) and of the tuned one. */
  readonly accuracyGeneric: number;
  readonly accuracyTuned: number;
}

/**
 * Pull of a per-camera head towards the generic one, the λ of {@link fitLogistic}. Chosen once, by
 * leave-one-camera-out with one labelled frame (`npm run models:loco`), never per camera.
 */
export const TUNE_L2 = 0.3;

/** Fewer labels than this cannot be cross-validated honestly; the generic head stays. */
export const MIN_LABELS = 8;

/**
 * Fits a per-camera head on staff labels, starting from and shrunk towards the generic head, and keeps
 * it only when k-fold cross-validation on those labels says it beats the generic head on slots it was
 * not fitted on. Both classes must be present: a head fitted on "all free" learns nothing but a bias.
 * Folds are assigned round-robin in label order, so the result does not depend on a seed.
 */
export function tuneHead(data: CameraLabels, generic: LogisticHead, opts: TuneOptions): TuneResult {
  const n = data.labels.length;
  const threshold = opts.threshold ?? 0.5;
  const cut = Math.log(threshold / (1 - threshold));
  const correct = (head: LogisticHead, i: number) => (logit(head, data.x, i * data.dim) >= cut ? 1 : 0) === data.labels[i];
  let genericHits = 0;
  for (let i = 0; i < n; i++) if (correct(generic, i)) genericHits++;
  const accuracyGeneric = n ? genericHits / n : 0;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += data.labels[i]! === 1 ? 1 : 0;
  if (n < MIN_LABELS || positives === 0 || positives === n) {
    return { head: null, labels: n, accuracyGeneric, accuracyTuned: accuracyGeneric };
  }
  const folds = Math.min(opts.folds ?? 5, n);
  let tunedHits = 0;
  for (let f = 0; f < folds; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i++) (i % folds === f ? test : train).push(i);
    const head = fit(data, train, generic, opts.l2);
    for (const i of test) if (correct(head, i)) tunedHits++;
  }
  const accuracyTuned = tunedHits / n;
  const all = [...Array(n).keys()];
  return {
    head: accuracyTuned > accuracyGeneric ? fit(data, all, generic, opts.l2) : null,
    labels: n,
    accuracyGeneric,
    accuracyTuned,
  };
}

function fit(data: CameraLabels, rows: number[], prior: LogisticHead, l2: number): LogisticHead {
  const labels = rows.map((i) => data.labels[i]!);
  return fitLogistic({ x: data.x, dim: data.dim, rows, labels }, { l2, prior, maxIterations: 100 });
}
