import { fitLogistic, logit, sigmoid, type LogisticHead } from '../../calibration/tune/logistic.ts';
import { tuneHead } from '../../calibration/tune/tune-head.ts';
import { rng } from '../prepare/jitter.ts';
import type { FeatureTable } from './extract.ts';
import { score, type Score } from './metrics.ts';
import { LOCO_GROUPS, type LocoGroup, type Sample } from './samples.ts';
import { fitStandardizer, standardized, type Standardizer } from './standardize.ts';

/** A head candidate: which feature columns and how strongly regularised. */
export interface HeadConfig {
  /** `all`: means, maxima and vehicle scores; `mean`: means and vehicle scores; `vehicle`: only those 6. */
  readonly columns: 'all' | 'mean' | 'vehicle';
  readonly l2: number;
  /**
   * `global`: one standardiser from the training rows. `camera`: each camera standardised by its own
   * statistics (unlabelled: what an agent can accumulate from its own slots), the left-out one too.
   */
  readonly norm?: 'global' | 'camera';
}

export interface FoldResult {
  readonly group: LocoGroup;
  readonly generic: Score;
  /** Logits of the left-out camera's slots and their labels: what calibration is fitted on. */
  readonly oof?: { logits: number[]; labels: number[] };
  /** `--adapt K` as the product does it: K labelled frames of the camera, scored on the others. */
  readonly adapted?: { frames: number; accuracy: number; worstPick: number; shipped: number };
}

export const columnsOf = (which: HeadConfig['columns'], dim: number): number[] => {
  const vehicle = [...Array(6).keys()].map((k) => dim - 6 + k);
  if (which === 'vehicle') return vehicle;
  if (which === 'all') return [...Array(dim).keys()];
  return [...[...Array((dim - 6) / 2).keys()], ...vehicle];
};

/** A fitted generic head in the space of raw features: standardiser + logistic head. */
export interface GenericModel {
  readonly columns: number[];
  readonly standardizer: Standardizer;
  readonly head: LogisticHead;
}

/**
 * Fits on every group but `leftOut` (all groups when null): clean and augmented rows, each group
 * weighing the same in the loss whatever its size, as SlotNet's recipe does.
 */
export function fitGeneric(
  t: FeatureTable,
  samples: readonly Sample[],
  cfg: HeadConfig,
  leftOut: LocoGroup | null,
  exclude: (s: Sample) => boolean = () => false,
): GenericModel {
  const rows: number[] = [];
  for (let r = 0; r < t.sample.length; r++) {
    const s = samples[t.sample[r]!]!;
    if (s.group !== leftOut && !exclude(s)) rows.push(r);
  }
  const columns = columnsOf(cfg.columns, t.dim);
  const standardizer = fitStandardizer(t.features, t.dim, rows);
  const x =
    cfg.norm === 'camera' ? perCamera(t, samples, columns) : standardized(t.features, t.dim, standardizer, columns);
  const count = new Map<LocoGroup, number>();
  for (const r of rows) {
    const g = samples[t.sample[r]!]!.group;
    count.set(g, (count.get(g) ?? 0) + 1);
  }
  const labels = rows.map((r) => (samples[t.sample[r]!]!.occupied ? 1 : 0));
  const weights = rows.map((r) => 1 / count.get(samples[t.sample[r]!]!.group)!);
  const head = fitLogistic({ x, dim: columns.length, rows, labels, weights }, { l2: cfg.l2, maxIterations: 150 });
  return { columns, standardizer, head };
}

/** Leave-one-camera-out over the four groups, with and without one frame of staff labels. */
export function runLoco(
  t: FeatureTable,
  samples: readonly Sample[],
  cfg: HeadConfig,
  adapt: { l2: number; picks: number; seed: number; frames?: number } | null,
): FoldResult[] {
  return LOCO_GROUPS.map((group) => {
    const model = fitGeneric(t, samples, cfg, group);
    const x =
      cfg.norm === 'camera'
        ? perCamera(t, samples, model.columns)
        : standardized(t.features, t.dim, model.standardizer, model.columns);
    const dim = model.columns.length;
    const test: number[] = [];
    for (let r = 0; r < t.sample.length; r++) {
      if (!t.augmented[r] && samples[t.sample[r]!]!.group === group) test.push(r);
    }
    const logits = test.map((r) => logit(model.head, x, r * dim));
    const probs = logits.map(sigmoid);
    const labels = test.map((r) => (samples[t.sample[r]!]!.occupied ? 1 : 0));
    const generic = score(probs, labels);
    const oof = { logits, labels };
    if (!adapt) return { group, generic, oof };
    return { group, generic, oof, adapted: adaptFrames(x, dim, test, samples, t, model.head, adapt) };
  });
}

function adaptFrames(
  x: Float32Array,
  dim: number,
  test: number[],
  samples: readonly Sample[],
  t: FeatureTable,
  generic: LogisticHead,
  adapt: { l2: number; picks: number; seed: number; frames?: number },
): FoldResult['adapted'] {
  const k = adapt.frames ?? 1;
  const byFrame = new Map<string, number[]>();
  for (const r of test) {
    const f = samples[t.sample[r]!]!.frame;
    const rows = byFrame.get(f);
    if (rows) rows.push(r);
    else byFrame.set(f, [r]);
  }
  const frames = [...byFrame.keys()].sort();
  const random = rng(adapt.seed);
  const accs: number[] = [];
  let shipped = 0;
  for (let pick = 0; pick < adapt.picks; pick++) {
    const chosen = new Set<string>();
    while (chosen.size < Math.min(k, frames.length - 1)) chosen.add(frames[Math.floor(random() * frames.length)]!);
    const rows = [...chosen].flatMap((f) => byFrame.get(f)!);
    const fx = new Float32Array(rows.length * dim);
    rows.forEach((r, i) => fx.set(x.subarray(r * dim, (r + 1) * dim), i * dim));
    const labels = rows.map((r) => (samples[t.sample[r]!]!.occupied ? 1 : 0));
    const frameIds = [...chosen];
    const frameOf = rows.map((r) => frameIds.indexOf(samples[t.sample[r]!]!.frame));
    const result = tuneHead({ x: fx, dim, labels, frames: frameOf }, generic, { l2: adapt.l2 });
    if (result.head) shipped++;
    const head = result.head ?? generic;
    const rest = test.filter((r) => !chosen.has(samples[t.sample[r]!]!.frame));
    const probs = rest.map((r) => sigmoid(logit(head, x, r * dim)));
    accs.push(
      score(
        probs,
        rest.map((r) => (samples[t.sample[r]!]!.occupied ? 1 : 0)),
      ).accuracy,
    );
  }
  return {
    frames: k,
    accuracy: accs.reduce((a, b) => a + b, 0) / accs.length,
    worstPick: Math.min(...accs),
    shipped,
  };
}

/** Every row standardised by the statistics of its own camera's clean rows. */
export function perCamera(t: FeatureTable, samples: readonly Sample[], columns: number[]): Float32Array {
  const out = new Float32Array(t.sample.length * columns.length);
  for (const group of LOCO_GROUPS) {
    const all: number[] = [];
    const clean: number[] = [];
    for (let r = 0; r < t.sample.length; r++) {
      if (samples[t.sample[r]!]!.group !== group) continue;
      all.push(r);
      if (!t.augmented[r]) clean.push(r);
    }
    if (clean.length === 0) continue;
    const st = fitStandardizer(t.features, t.dim, clean);
    for (const r of all) {
      for (let k = 0; k < columns.length; k++) {
        const j = columns[k]!;
        out[r * columns.length + k] = (t.features[r * t.dim + j]! - st.mean[j]!) / st.std[j]!;
      }
    }
  }
  return out;
}
