import { loadOccupancyModel, loadRgbFrame, type RgbFrame } from '../../edge/vision/index.ts';
import { findLabelledFrames, type LabelledFrame, type Rejected } from '../dataset/labelled-frames.ts';
import { add, emptyConfusion, scores, type Confusion, type Scores } from './metrics.ts';

export interface EvalOptions {
  /** onnxruntime intra-op threads (default 1, like one camera on the agent). */
  threads?: number;
  /** Called after each frame with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

export interface FolderReport extends Scores {
  folder: string;
  frames: number;
  confusion: Confusion;
}

/** The `--json` output of `volno eval`; snake_case because it leaves the process. */
export interface EvalReport extends Scores {
  model_id: string;
  model_kind: string;
  folder: string;
  threshold: number;
  frames: number;
  confusion: Confusion;
  per_folder: FolderReport[];
  /** Model time per frame (warp or letterbox + inference + decoding), without image decoding. */
  ms_per_frame: number;
  ms_per_slot: number;
  /** Image file decoding per frame (sharp); live cameras deliver raw RGB and skip it. */
  decode_ms_per_frame: number;
  rejected: Rejected[];
}

/**
 * Runs a model over every labelled frame under `folder` and scores it against the labels.
 * Malformed label files and unreadable images are listed in `rejected` and skipped, never fatal.
 */
export async function evaluateFolder(folder: string, modelDir: string, opts: EvalOptions = {}): Promise<EvalReport> {
  const { frames, rejected } = await findLabelledFrames(folder);
  const model = await loadOccupancyModel(modelDir, { intraOpNumThreads: opts.threads ?? 1 });
  const total = emptyConfusion();
  const byFolder = new Map<string, { frames: number; confusion: Confusion }>();
  let modelMs = 0;
  let decodeMs = 0;
  let done = 0;
  try {
    for (const f of frames) {
      const t0 = performance.now();
      const image = await loadLabelledImage(f, rejected);
      if (!image) continue;
      const t1 = performance.now();
      const probs = await model.classify(
        image,
        f.slots.map((s) => s.polygon),
      );
      const t2 = performance.now();
      decodeMs += t1 - t0;
      modelMs += t2 - t1;
      const entry = byFolder.get(f.folder) ?? { frames: 0, confusion: emptyConfusion() };
      byFolder.set(f.folder, entry);
      entry.frames++;
      f.slots.forEach((s, i) => {
        const predicted = probs[i]! >= model.threshold;
        add(total, predicted, s.occupied);
        add(entry.confusion, predicted, s.occupied);
      });
      opts.onProgress?.(++done, frames.length);
    }
  } finally {
    await model.close();
  }
  const evaluated = [...byFolder.values()].reduce((n, e) => n + e.frames, 0);
  const summary = scores(total);
  return {
    model_id: model.id,
    model_kind: model.kind,
    folder,
    threshold: model.threshold,
    frames: evaluated,
    ...summary,
    confusion: total,
    per_folder: [...byFolder.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, e]) => ({ folder: name, frames: e.frames, ...scores(e.confusion), confusion: e.confusion })),
    ms_per_frame: evaluated === 0 ? 0 : modelMs / evaluated,
    ms_per_slot: summary.slots === 0 ? 0 : modelMs / summary.slots,
    decode_ms_per_frame: evaluated === 0 ? 0 : decodeMs / evaluated,
    rejected,
  };
}

/**
 * The image of a labelled frame, or null with the reason added to `rejected` (unreadable, or not the
 * size its labels were drawn on: its polygons would be scored against the wrong pixels).
 */
export async function loadLabelledImage(f: LabelledFrame, rejected: Rejected[]): Promise<RgbFrame | null> {
  let image: RgbFrame;
  try {
    image = await loadRgbFrame(f.imagePath);
  } catch (err) {
    rejected.push({ path: f.jsonPath, reason: err instanceof Error ? err.message : String(err) });
    return null;
  }
  if (image.width !== f.width || image.height !== f.height) {
    rejected.push({
      path: f.jsonPath,
      reason: `image is ${image.width}x${image.height}, the labels say ${f.width}x${f.height}`,
    });
    return null;
  }
  return image;
}
