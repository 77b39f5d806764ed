/**
 * Cost of the vision core per 1080p frame with 100 slots, split into decode / warp / inference,
 * against the bare inference floor (onnxruntime alone on a ready tensor) measured in the same run.
 *
 *   npx tsx bench/vision/run.ts [--iterations 30] [--threads 1] [--models id,id]
 *
 * Prints one JSON object. Compare ratios, not milliseconds: the machine is shared.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import type { DetectorModel } from '../../edge/vision/index.ts';
import {
  IDENTITY_RGB,
  PatchSampler,
  loadOccupancyModel,
  loadRgbFrame,
  modelFilePath,
  readManifest,
  slotQuad,
  warpQuadInto,
} from '../../edge/vision/index.ts';
import { installDetector } from '../../models/detectors/install.ts';
import { datasetsRoot, MODELS_DIR } from '../../models/paths.ts';
import { benchClassifier } from './classifier.ts';
import { makeScene, median } from './scene.ts';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '30' },
    threads: { type: 'string', default: '1' },
    models: { type: 'string', default: 'volno-yolox-slot-v1,volno-slotnet-v1' },
  },
});
const iterations = Number(values.iterations);
const threads = Number(values.threads);
const work = await mkdtemp(join(tmpdir(), 'volno-bench-'));

async function timeIt(fn: () => unknown): Promise<number[]> {
  for (let i = 0; i < 8; i++) await fn(); // warm-up: lets V8 optimise the warp loop before timing
  const out: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}
const ms = (xs: number[]) => +median(xs).toFixed(3);

try {
  const datasets = datasetsRoot();
  const { jpeg, slots } = await makeScene(
    join(datasets, 'pklot-ufpr05/sequence4/frames/2013-04-15_07_35_01.png'),
    work,
  );
  const frame = await loadRgbFrame(jpeg);
  const decode = await timeIt(() => loadRgbFrame(jpeg));

  // Classifiers: the default and SlotNet, each against its own inference floor.
  const classifiers = [];
  for (const id of values.models!.split(',')) {
    classifiers.push(await benchClassifier(resolve(MODELS_DIR, id), frame, slots, threads, timeIt));
  }
  const slotnet = await readManifest(resolve(MODELS_DIR, 'volno-slotnet-v1'));
  const { width, height } = slotnet.input;

  // Warp variants on the same 100 slots: the mip pyramid (what runs), plain bilinear (aliases when
  // shrinking), and the sample count of 2×2 supersampling (a patch of twice the side).
  const quads = slots.map((s) => slotQuad(s, slotnet.classifier?.expand ?? 0));
  const buf = new Float32Array(slots.length * 3 * 4 * width * height);
  const sampler = new PatchSampler();
  const mip = await timeIt(() => {
    sampler.begin(frame);
    quads.forEach((q, i) =>
      sampler.sample(q, { data: buf, offset: i * 3 * width * height, width, height }, IDENTITY_RGB),
    );
  });
  const plain = await timeIt(() =>
    quads.forEach((q, i) =>
      warpQuadInto(frame, q, { data: buf, offset: i * 3 * width * height, width, height }, IDENTITY_RGB),
    ),
  );
  const supersample = await timeIt(() =>
    quads.forEach((q, i) =>
      warpQuadInto(
        frame,
        q,
        { data: buf, offset: i * 12 * width * height, width: 2 * width, height: 2 * height },
        IDENTITY_RGB,
      ),
    ),
  );

  // Detector path (YOLOX-Nano from the shared datasets; users install it from Megvii).
  let detector: Record<string, number | string> | null = null;
  const yolox = join(datasets, 'models/yolox-nano/yolox_nano.onnx');
  const detDir = await installDetector('yolox-nano', yolox, { out: join(work, 'yolox'), link: true }).catch(() => null);
  if (detDir) {
    const model = (await loadOccupancyModel(detDir, { intraOpNumThreads: threads })) as DetectorModel;
    const parts = { pre: [] as number[], inf: [] as number[], post: [] as number[] };
    const total = await timeIt(async () => {
      await model.classify(frame, slots);
      parts.pre.push(model.lastTimings!.preprocessMs);
      parts.inf.push(model.lastTimings!.inferenceMs);
      parts.post.push(model.lastTimings!.postprocessMs);
    });
    await model.close();
    const m = await readManifest(detDir);
    const s = await ort.InferenceSession.create(modelFilePath(detDir, m), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
    });
    const t = new ort.Tensor('float32', new Float32Array(3 * 416 * 416).fill(114), [1, 3, 416, 416]);
    const detFloor = await timeIt(() => s.run({ images: t }));
    await s.release();
    detector = {
      model: m.id,
      letterbox_ms: ms(parts.pre),
      inference_ms: ms(parts.inf),
      assign_ms: ms(parts.post),
      total_ms: ms(total),
      inference_floor_ms: ms(detFloor),
      total_over_floor: +(median(total) / median(detFloor)).toFixed(2),
      total_with_decode_over_floor: +((median(total) + median(decode)) / median(detFloor)).toFixed(2),
    };
  }

  console.log(
    JSON.stringify(
      {
        bench: 'vision',
        frame: `${frame.width}x${frame.height}`,
        slots: slots.length,
        iterations,
        threads,
        decode_jpeg_ms: ms(decode),
        // The default model first (its figures are what run-all.ts compares), the others after.
        classifier: {
          ...classifiers[0],
          total_with_decode_ms: +(Number(classifiers[0]!.pipeline_ms) + median(decode)).toFixed(3),
          total_with_decode_over_floor: +(
            (Number(classifiers[0]!.pipeline_ms) + median(decode)) /
            Number(classifiers[0]!.inference_floor_ms)
          ).toFixed(2),
        },
        other_classifiers: classifiers.slice(1),
        warp_variants_ms: {
          mip_pyramid: ms(mip),
          plain_bilinear: ms(plain),
          supersample_2x2_equivalent: ms(supersample),
        },
        detector,
      },
      null,
      2,
    ),
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
