/** Counts of one binary confusion matrix, "positive" = occupied. */
export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export const emptyConfusion = (): Confusion => ({ tp: 0, fp: 0, tn: 0, fn: 0 });

export function add(c: Confusion, predictedOccupied: boolean, occupied: boolean): void {
  if (predictedOccupied) {
    if (occupied) c.tp++;
    else c.fp++;
  } else if (occupied) c.fn++;
  else c.tn++;
}

export interface Scores {
  slots: number;
  accuracy: number;
  precision_occupied: number;
  recall_occupied: number;
  f1_occupied: number;
}

/** Accuracy and occupied-class precision/recall/F1; a ratio with an empty denominator is 0. */
export function scores(c: Confusion): Scores {
  const slots = c.tp + c.fp + c.tn + c.fn;
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  return {
    slots,
    accuracy: ratio(c.tp + c.tn, slots),
    precision_occupied: precision,
    recall_occupied: recall,
    f1_occupied: ratio(2 * precision * recall, precision + recall),
  };
}
