import { fitLogistic, logit, type LogisticHead } from './logistic.ts';

/** Labelled slots of one camera as the model saw them: standardised feature rows and staff labels. */
export interface CameraLabels {
  /** Row-major, `dim` values per labelled slot (the model's `features` output). */
  readonly x: Float32Array;
  readonly dim: number;
  /** 1 = occupied, 0 = free. */
  readonly labels: ArrayLike<number>;
  /**
   * Which labelled frame (snapshot) each row comes from. The folds are then whole frames, so the
   * cross-validation asks what the product needs: does the head hold on a frame it was not fitted on?
   * Fewer than {@link MIN_FRAMES} frames ship nothing.
   */
  readonly frames?: ArrayLike<number>;
}

export interface TuneOptions {
  /** Pull towards the generic head; chosen by leave-one-camera-out in `models:loco`, not per camera. */
  readonly l2: number;
  /** Folds of the cross-validation that decides whether the tuned head ships. */
  readonly folds?: number;
  readonly threshold?: number;
}

/**
 * `recalibrate`: only the generic head's scale and offset move (2 parameters: a camera whose ground is
 * darker or whose cars are smaller shifts the whole score). `full`: every weight moves, shrunk towards
 * the generic head. The cross-validation picks the better of the two for each camera.
 */
export type TuneKind = 'recalibrate' | 'full';

export interface TuneResult {
  /** The tuned head, or null when it did not beat the generic one on labels it did not see. */
  readonly head: LogisticHead | null;
  /** Which kind of head won the cross-validation (also when it did not beat the generic head). */
  readonly kind: TuneKind;
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

/** Labelled slots the tuned head must get right beyond the generic one before it ships. */
export const MIN_GAIN = 2;

/**
 * Labelled frames (snapshots) needed before any head ships, when the rows say which frame they are
 * from. A head tuned on one frame, even the 2-parameter recalibration, read the camera's other frames
 * worse than the generic head (models:loco, CNRPark B: 0.78 on average, 0.62 at worst, against 0.84):
 * one frame cannot tell a lasting trait of the camera from one moment's light and parking. From
 * three frames the same tuning raised every left-out camera (CNRPark B 0.84 → 0.92, UFPR05 0.90 →
 * 0.99), measured by the leave-one-frame-out cross-validation below.
 */
export const MIN_FRAMES = 2;

/** Fewer labels than this cannot be cross-validated honestly; the generic head stays. */
export const MIN_LABELS = 8;

/**
 * Fits a per-camera head on staff labels, starting from and shrunk towards the generic head, and keeps
 * it only when k-fold cross-validation on those labels says it beats the generic head on slots it was
 * not fitted on, by at least {@link MIN_GAIN} slots. Both classes must be present: a head fitted on
 * "all free" learns nothing but a bias. No randomness: folds are whole frames in frame order, or
 * round-robin in label order when the rows do not say their frame.
 */
export function tuneHead(data: CameraLabels, generic: LogisticHead, opts: TuneOptions): TuneResult {
  const n = data.labels.length;
  const threshold = opts.threshold ?? 0.5;
  const cut = Math.log(threshold / (1 - threshold));
  const correct = (head: LogisticHead, i: number) =>
    (logit(head, data.x, i * data.dim) >= cut ? 1 : 0) === data.labels[i];
  let genericHits = 0;
  for (let i = 0; i < n; i++) if (correct(generic, i)) genericHits++;
  const accuracyGeneric = n ? genericHits / n : 0;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += data.labels[i]! === 1 ? 1 : 0;
  const distinctFrames = data.frames ? new Set(Array.from(data.frames)).size : 0;
  if (n < MIN_LABELS || positives === 0 || positives === n || (data.frames && distinctFrames < MIN_FRAMES)) {
    return { head: null, kind: 'recalibrate', labels: n, accuracyGeneric, accuracyTuned: accuracyGeneric };
  }
  // From two frames on (MIN_FRAMES), the folds are whole frames: does the head hold on a frame it
  // was not fitted on? Rows without frames (tests, tools) fold round-robin.
  const byFrame = data.frames !== undefined;
  const folds = byFrame ? Math.min(opts.folds ?? 5, distinctFrames) : Math.min(opts.folds ?? 5, n);
  const frameFold = new Map<number, number>();
  if (byFrame)
    [...new Set(Array.from(data.frames!))].sort((a, b) => a - b).forEach((f, k) => frameFold.set(f, k % folds));
  const foldOf = (i: number) => (byFrame ? frameFold.get(data.frames![i]!)! : i % folds);
  const hits: Record<TuneKind, number> = { recalibrate: 0, full: 0 };
  for (let f = 0; f < folds; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i++) (foldOf(i) === f ? test : train).push(i);
    for (const kind of KINDS) {
      const head = fit(kind, data, train, generic, opts.l2);
      for (const i of test) if (correct(head, i)) hits[kind]++;
    }
  }
  // Ties go to the simpler head: fewer parameters, less to go wrong on the frames nobody labelled.
  const kind: TuneKind = hits.full > hits.recalibrate ? 'full' : 'recalibrate';
  const accuracyTuned = hits[kind] / n;
  const all = [...Array(n).keys()];
  // One slot more right is luck, not evidence: on a camera the generic head already reads well, a
  // head that fixed one labelled slot scored worse on the frames nobody labelled (models:loco).
  const ships = hits[kind] - genericHits >= MIN_GAIN;
  return {
    head: ships ? fit(kind, data, all, generic, opts.l2) : null,
    kind,
    labels: n,
    accuracyGeneric,
    accuracyTuned,
  };
}

const KINDS: readonly TuneKind[] = ['recalibrate', 'full'];

function fit(kind: TuneKind, data: CameraLabels, rows: number[], prior: LogisticHead, l2: number): LogisticHead {
  const labels = rows.map((i) => data.labels[i]!);
  if (kind === 'full')
    return fitLogistic({ x: data.x, dim: data.dim, rows, labels }, { l2, prior, maxIterations: 100 });
  // One feature, the generic logit z: p = σ(a·z + c), starting from and shrunk towards a = 1, c = 0.
  const z = new Float32Array(data.labels.length);
  for (const i of rows) z[i] = logit(prior, data.x, i * data.dim);
  const ac = fitLogistic(
    { x: z, dim: 1, rows, labels },
    { l2: RECALIBRATE_L2, prior: { weights: Float64Array.of(1), bias: 0 }, maxIterations: 100 },
  );
  const a = ac.weights[0]!;
  return { weights: prior.weights.map((w) => a * w), bias: a * prior.bias + ac.bias };
}

/** Recalibration has two parameters, so it needs little pull; the bias is never penalised. */
const RECALIBRATE_L2 = 0.01;
