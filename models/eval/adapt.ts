import { loadOccupancyModel, readGenericHead, readManifest, VisionError } from '../../edge/vision/index.ts';
import { logit, sigmoid } from '../../calibration/tune/logistic.ts';
import { TUNE_L2, tuneHead } from '../../calibration/tune/tune-head.ts';
import { ExemplarIndex, type Exemplar } from '../../calibration/tune/exemplars.ts';
import { rng } from '../prepare/jitter.ts';
import { findLabelledFrames, type Rejected } from '../dataset/labelled-frames.ts';
import { add, emptyConfusion, scores, type Confusion } from './metrics.ts';
import { loadLabelledImage } from './run-eval.ts';

export interface AdaptOptions {
  /** Labelled frames per camera folder taken as staff labels. */
  readonly frames: number;
  readonly seed: number;
  readonly threads?: number;
}

/**
 * Per camera folder: generic vs adapted accuracy on the frames that were not labelled. Adapted is
 * what the product shows: the head in force (tuned if it shipped, else generic) with the labelled
 * slots applied as per-slot exemplars; `accuracy_head_only` is the head in force alone.
 */
export interface AdaptFolderReport {
  folder: string;
  adapt_frames: number;
  label_frames: string[];
  labels: number;
  /** Whether the cross-validation on the labels let the tuned head ship (else the generic one stays). */
  tuned_head_shipped: boolean;
  cv_accuracy_generic: number;
  cv_accuracy_tuned: number;
  frames: number;
  slots: number;
  /** Labelled slots kept as per-slot exemplars (they ship from one labelled frame on). */
  exemplars: number;
  accuracy_generic: number;
  accuracy_head_only: number;
  accuracy_adapted: number;
  confusion_generic: Confusion;
  confusion_head_only: Confusion;
  confusion_adapted: Confusion;
}

export interface AdaptReport {
  model_id: string;
  folder: string;
  seed: number;
  adapt_frames: number;
  frames: number;
  slots: number;
  exemplars: number;
  accuracy_generic: number;
  accuracy_head_only: number;
  accuracy_adapted: number;
  per_folder: AdaptFolderReport[];
  rejected: Rejected[];
}

interface Seen {
  image: string;
  slotIds: string[];
  labels: number[];
  features: Float32Array;
  probs: Float32Array;
}

/**
 * `volno eval <folder> --adapt K`: in each camera folder, K frames chosen by a seeded draw become
 * staff labels; a per-camera head is tuned on them exactly as the product does (calibration/tune),
 * and its labelled slots become per-slot exemplars (calibration/tune/exemplars.ts), as the product
 * does. The generic head, the head in force alone and the head with exemplars are scored on the
 * remaining frames of that folder only.
 */
export async function evaluateAdapted(folder: string, modelDir: string, opts: AdaptOptions): Promise<AdaptReport> {
  const { frames, rejected } = await findLabelledFrames(folder);
  const manifest = await readManifest(modelDir);
  const generic = await readGenericHead(modelDir, manifest);
  const model = await loadOccupancyModel(modelDir, { intraOpNumThreads: opts.threads ?? 1 });
  if (!generic || !model.classifyDetailed) {
    await model.close();
    throw new VisionError(
      'VOLNO_MODEL_NO_FEATURES',
      `model ${manifest.id} has no features output: --adapt needs a feature classifier`,
    );
  }
  const byFolder = new Map<string, Seen[]>();
  let dim = 0;
  try {
    for (const f of frames) {
      const image = await loadLabelledImage(f, rejected);
      if (!image) continue;
      const r = await model.classifyDetailed(
        image,
        f.slots.map((s) => s.polygon),
      );
      dim = r.dim;
      const list = byFolder.get(f.folder) ?? [];
      byFolder.set(f.folder, list);
      list.push({
        image: f.image,
        slotIds: f.slots.map((s) => s.id),
        labels: f.slots.map((s) => (s.occupied ? 1 : 0)),
        features: r.features!,
        probs: r.probs,
      });
    }
  } finally {
    await model.close();
  }
  const random = rng(opts.seed);
  const per: AdaptFolderReport[] = [];
  const totalG = emptyConfusion();
  const totalH = emptyConfusion();
  const totalA = emptyConfusion();
  for (const [name, seen] of [...byFolder.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const order = seen.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const k = Math.min(opts.frames, Math.max(0, seen.length - 1));
    const chosen = new Set(order.slice(0, k));
    const labelled = [...chosen].map((i) => seen[i]!);
    const x = new Float32Array(labelled.reduce((n, s) => n + s.labels.length, 0) * dim);
    const labels: number[] = [];
    const frameOf: number[] = [];
    let at = 0;
    labelled.forEach((s, k) => {
      x.set(s.features, at);
      at += s.features.length;
      labels.push(...s.labels);
      frameOf.push(...s.labels.map(() => k));
    });
    const tuned = tuneHead({ x, dim, labels, frames: frameOf }, generic, { l2: TUNE_L2 });
    const head = tuned.head ?? generic;
    const index = new ExemplarIndex(dim, exemplarsOf(labelled, dim));
    const cg = emptyConfusion();
    const ch = emptyConfusion();
    const ca = emptyConfusion();
    let slots = 0;
    seen.forEach((s, i) => {
      if (chosen.has(i)) return;
      const headProbs = Float32Array.from(s.labels, (_, j) => sigmoid(logit(head, s.features, j * dim)));
      const adapted = index.apply(headProbs, s.features, s.slotIds);
      s.labels.forEach((y, j) => {
        const occupied = y === 1;
        add(cg, s.probs[j]! >= model.threshold, occupied);
        add(ch, headProbs[j]! >= model.threshold, occupied);
        add(ca, adapted[j]! >= model.threshold, occupied);
        add(totalG, s.probs[j]! >= model.threshold, occupied);
        add(totalH, headProbs[j]! >= model.threshold, occupied);
        add(totalA, adapted[j]! >= model.threshold, occupied);
        slots++;
      });
    });
    per.push({
      folder: name,
      adapt_frames: k,
      label_frames: labelled.map((s) => s.image),
      labels: labels.length,
      tuned_head_shipped: tuned.head !== null,
      cv_accuracy_generic: tuned.accuracyGeneric,
      cv_accuracy_tuned: tuned.accuracyTuned,
      frames: seen.length - k,
      slots,
      exemplars: index.size,
      accuracy_generic: scores(cg).accuracy,
      accuracy_head_only: scores(ch).accuracy,
      accuracy_adapted: scores(ca).accuracy,
      confusion_generic: cg,
      confusion_head_only: ch,
      confusion_adapted: ca,
    });
  }
  return {
    model_id: manifest.id,
    folder,
    seed: opts.seed,
    adapt_frames: opts.frames,
    frames: per.reduce((n, p) => n + p.frames, 0),
    slots: per.reduce((n, p) => n + p.slots, 0),
    exemplars: per.reduce((n, p) => n + p.exemplars, 0),
    accuracy_generic: scores(totalG).accuracy,
    accuracy_head_only: scores(totalH).accuracy,
    accuracy_adapted: scores(totalA).accuracy,
    per_folder: per,
    rejected,
  };
}

/** Each labelled slot of the label frames, with its feature row, as the product keeps it. */
function exemplarsOf(labelled: readonly Seen[], dim: number): Exemplar[] {
  return labelled.flatMap((s) =>
    s.slotIds.map((slotId, j) => ({
      slotId,
      occupied: s.labels[j] === 1,
      features: s.features.slice(j * dim, (j + 1) * dim),
    })),
  );
}
