import { ClassifierModel } from './classifier.ts';
import { DetectorModel } from './detector/detector-model.ts';
import { VisionError } from './errors.ts';
import { readManifest } from './manifest.ts';
import { openSession, type SessionOptions } from './session.ts';
import type { LoadedOccupancyModel, RgbFrame } from './types.ts';

export type LoadModelOptions = SessionOptions;

/**
 * Loads `<modelDir>/model.json` and its ONNX file, checks that the two agree (sha256, input and
 * output names and shapes), and warms the session up with one run so the first real frame does not
 * pay for onnxruntime's lazy initialisation. Works for per-slot classifiers and COCO detectors.
 *
 * Errors (all `VisionError`): `VOLNO_MODEL_MANIFEST_INVALID`, `VOLNO_MODEL_NOT_FOUND`,
 * `VOLNO_MODEL_CHECKSUM`, `VOLNO_MODEL_SHAPE_MISMATCH`, `VOLNO_MODEL_LOAD_FAILED`.
 */
export async function loadOccupancyModel(modelDir: string, opts: LoadModelOptions = {}): Promise<LoadedOccupancyModel> {
  const manifest = await readManifest(modelDir);
  const session = await openSession(modelDir, manifest, opts);
  const model =
    manifest.kind === 'classifier' ? new ClassifierModel(manifest, session) : new DetectorModel(manifest, session);
  try {
    await warmUp(model);
  } catch (cause) {
    await model.close().catch(() => undefined);
    if (cause instanceof VisionError && cause.code === 'VOLNO_MODEL_SHAPE_MISMATCH') throw cause;
    throw new VisionError('VOLNO_MODEL_LOAD_FAILED', `model ${manifest.id}: warm-up run failed`, [], { cause });
  }
  return model;
}

/** One run on a small grey frame with two slots; also proves the output shape is what we decode. */
async function warmUp(model: LoadedOccupancyModel): Promise<void> {
  const width = 64;
  const height = 48;
  const frame: RgbFrame = { width, height, data: new Uint8Array(width * height * 3).fill(128), capturedAt: 0 };
  const slots = [
    [
      [4, 4],
      [30, 4],
      [30, 40],
      [4, 40],
    ],
    [
      [34, 4],
      [60, 4],
      [60, 40],
      [34, 40],
    ],
  ] as const;
  const p = await model.classify(frame, slots);
  if (p.length !== 2 || !p.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)) {
    throw new VisionError(
      'VOLNO_MODEL_SHAPE_MISMATCH',
      `model ${model.id}: warm-up gave [${[...p].join(', ')}], not two probabilities`,
    );
  }
}
