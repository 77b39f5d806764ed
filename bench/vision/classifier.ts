import * as ort from 'onnxruntime-node';
import type { ClassifierModel, PixelPolygon, RgbFrame } from '../../edge/vision/index.ts';
import { loadOccupancyModel, modelFilePath, readManifest } from '../../edge/vision/index.ts';
import { median } from './scene.ts';

type Timer = (fn: () => unknown) => Promise<number[]>;
const ms = (xs: number[]) => +median(xs).toFixed(3);

/**
 * One classifier's pipeline (warp + inference + activation) against its inference floor: onnxruntime
 * alone, on the very tensor the pipeline prepared, in a session of its own.
 */
export async function benchClassifier(
  modelDir: string,
  frame: RgbFrame,
  slots: PixelPolygon[],
  threads: number,
  timeIt: Timer,
): Promise<Record<string, number | string>> {
  const classifier = (await loadOccupancyModel(modelDir, { intraOpNumThreads: threads })) as ClassifierModel;
  const warp = await timeIt(() => classifier.prepare(frame, slots));
  const inference = await timeIt(() => classifier.runPrepared(slots.length));
  const pipeline = await timeIt(() => classifier.classify(frame, slots));
  const manifest = await readManifest(modelDir);
  const floorSession = await ort.InferenceSession.create(modelFilePath(modelDir, manifest), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const { width, height } = manifest.input;
  const tensor = new ort.Tensor('float32', classifier.preparedInput(slots.length).slice(), [
    slots.length,
    3,
    height,
    width,
  ]);
  const floor = await timeIt(() => floorSession.run({ [manifest.input.name]: tensor }));
  await floorSession.release();
  await classifier.close();
  return {
    model: manifest.id,
    patch: `${width}x${height}`,
    crop: manifest.classifier?.crop ?? 'quad',
    warp_ms: ms(warp),
    inference_ms: ms(inference),
    pipeline_ms: ms(pipeline),
    inference_floor_ms: ms(floor),
    ms_per_slot: +(median(pipeline) / slots.length).toFixed(4),
    pipeline_over_floor: +(median(pipeline) / median(floor)).toFixed(2),
  };
}
