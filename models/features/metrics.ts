/** Accuracy and F1 of "occupied" at one threshold, from probabilities and labels. */
export interface Score {
  readonly n: number;
  readonly accuracy: number;
  readonly f1: number;
  readonly tn: number;
  readonly fp: number;
  readonly fn: number;
  readonly tp: number;
}

export function score(prob: ArrayLike<number>, label: ArrayLike<number>, threshold = 0.5): Score {
  let tn = 0;
  let fp = 0;
  let fn = 0;
  let tp = 0;
  for (let i = 0; i < prob.length; i++) {
    const p = prob[i]! >= threshold;
    const y = label[i]! === 1;
    if (p && y) tp++;
    else if (p) fp++;
    else if (y) fn++;
    else tn++;
  }
  const n = tn + fp + fn + tp;
  return { n, accuracy: n ? (tp + tn) / n : 0, f1: tp ? (2 * tp) / (2 * tp + fp + fn) : 0, tn, fp, fn, tp };
}
