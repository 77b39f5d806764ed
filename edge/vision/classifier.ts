import * as ort from 'onnxruntime-node';
import { VisionError } from './errors.ts';
import type { ModelManifest } from './manifest.ts';
import { cropPlan, fillPad, type CropPlan } from './crop.ts';
import { PatchSampler } from './sampler.ts';
import type { DetailedResult, LoadedOccupancyModel, ModelTimings, PixelPolygon, RgbFrame } from './types.ts';
import { pixelMap, type PixelMap } from './warp.ts';
import { assertFrame, SerialQueue } from './util.ts';

/**
 * A per-slot classifier: every slot polygon is warped to one patch of a single NCHW batch, and the
 * batch goes through one `run` (STACK.md: batching is what makes 100 slots cheap).
 */
export class ClassifierModel implements LoadedOccupancyModel {
  readonly kind = 'classifier' as const;
  readonly id: string;
  readonly threshold: number;
  readonly uncertain: { readonly low: number; readonly high: number } | undefined;
  lastTimings: ModelTimings | undefined;
  private readonly sampler = new PatchSampler();
  private readonly map: PixelMap;
  private readonly plans = new WeakMap<PixelPolygon, CropPlan>();
  private readonly queue = new SerialQueue();
  private readonly patchSize: number;
  private input = new Float32Array(0);
  private closed = false;

  constructor(
    private readonly manifest: ModelManifest,
    private readonly session: ort.InferenceSession,
  ) {
    this.id = manifest.id;
    this.threshold = manifest.threshold;
    this.uncertain = manifest.classifier?.uncertain;
    const { pixel_format, scale, mean, std, width, height } = manifest.input;
    this.map = pixelMap(pixel_format, scale, mean, std);
    this.patchSize = 3 * width * height;
  }

  /** Features per slot, when the manifest declares them (a per-camera head can be tuned on them). */
  get featureDim(): number {
    return this.manifest.classifier?.features?.dim ?? 0;
  }

  /** Per frame on the agent: fetches only the probabilities, not the features (100 slots × 1,286 floats). */
  async classify(frame: RgbFrame, polygons: ReadonlyArray<PixelPolygon>): Promise<Float32Array> {
    return (await this.queue.run(() => this.classifyNow(frame, polygons, false))).probs;
  }

  /** P(occupied) and, when the model has them, the standardised features of every slot, from one run. */
  classifyDetailed(frame: RgbFrame, polygons: ReadonlyArray<PixelPolygon>): Promise<DetailedResult> {
    return this.queue.run(() => this.classifyNow(frame, polygons, true));
  }

  /** Runs the graph on `count` patches already in the input buffer; exposed for the benchmark floor. */
  async runPrepared(count: number): Promise<Float32Array> {
    return (await this.runPreparedDetailed(count, false)).probs;
  }

  private async runPreparedDetailed(count: number, withFeatures: boolean): Promise<DetailedResult> {
    const { width, height } = this.manifest.input;
    const spec = this.manifest.classifier!;
    const featureSpec = withFeatures ? spec.features : undefined;
    const dim = featureSpec?.dim ?? 0;
    const features = featureSpec ? new Float32Array(count * dim) : undefined;
    const batch = this.manifest.input.fixed_batch ?? count;
    const probs = new Float32Array(count);
    for (let start = 0; start < count; start += batch) {
      const n = Math.min(batch, count - start);
      const view = this.input.subarray(start * this.patchSize, (start + batch) * this.patchSize);
      const tensor = new ort.Tensor('float32', view, [batch, 3, height, width]);
      let out: ort.Tensor;
      let feats: ort.Tensor | undefined;
      try {
        const fetches = featureSpec ? [spec.output, featureSpec.output] : [spec.output];
        const result = await this.session.run({ [this.manifest.input.name]: tensor }, fetches);
        out = result[spec.output]!;
        feats = featureSpec ? result[featureSpec.output] : undefined;
      } catch (cause) {
        throw new VisionError('VOLNO_INFERENCE_FAILED', `model ${this.id}: inference failed`, [], { cause });
      }
      const data = out.data as Float32Array;
      const cols = data.length / batch;
      if (
        !Number.isInteger(cols) ||
        (cols === 1 && spec.activation === 'softmax') ||
        (cols > 1 && spec.occupied_index >= cols)
      ) {
        throw new VisionError(
          'VOLNO_MODEL_SHAPE_MISMATCH',
          `model ${this.id}: output "${spec.output}" has shape [${out.dims.join(', ')}] for a batch of ${batch}`,
        );
      }
      for (let i = 0; i < n; i++) probs[start + i] = probability(data, i * cols, cols, spec);
      if (features && featureSpec) {
        const f = feats?.data as Float32Array | undefined;
        if (!f || f.length !== batch * dim) {
          throw new VisionError(
            'VOLNO_MODEL_SHAPE_MISMATCH',
            `model ${this.id}: output "${featureSpec.output}" has shape [${feats?.dims.join(', ') ?? ''}], not [${batch}, ${dim}]`,
          );
        }
        features.set(f.subarray(0, n * dim), start * dim);
      }
    }
    return { probs, features, dim };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.run(() => this.session.release());
  }

  /** The first `count` patches of the input buffer as `prepare()` left them (tests and the benchmark). */
  preparedInput(count: number): Float32Array {
    return this.input.subarray(0, count * this.patchSize);
  }

  /** Fills the input buffer with the patches of `polygons`; returns how many were written. Not queued: for tests and the benchmark, never concurrently with `classify()`. */
  prepare(frame: RgbFrame, polygons: ReadonlyArray<PixelPolygon>): number {
    assertFrame(frame);
    const count = polygons.length;
    const batch = this.manifest.input.fixed_batch;
    const capacity = batch ? Math.ceil(count / batch) * batch : count;
    if (this.input.length < capacity * this.patchSize) {
      // Grows to the largest frame seen and is then reused; ×1.5 avoids regrowing by one slot.
      this.input = new Float32Array(Math.ceil(capacity * 1.5) * this.patchSize);
    }
    const { width, height } = this.manifest.input;
    this.sampler.begin(frame);
    for (let i = 0; i < count; i++) {
      const polygon = polygons[i]!;
      let plan = this.plans.get(polygon);
      if (!plan) {
        const spec = this.manifest.classifier!;
        try {
          plan = cropPlan(polygon, spec.crop ?? 'quad', spec.expand, width, height);
        } catch (err) {
          if (err instanceof VisionError) {
            throw new VisionError(err.code, `slot ${i}: ${err.message}`, err.issues, { cause: err });
          }
          throw err;
        }
        this.plans.set(polygon, plan);
      }
      const target = { data: this.input, offset: i * this.patchSize, width, height };
      if (plan.region) fillPad(target, this.map);
      this.sampler.sample(plan.quad, target, this.map, plan.region);
    }
    return count;
  }

  private async classifyNow(
    frame: RgbFrame,
    polygons: ReadonlyArray<PixelPolygon>,
    withFeatures: boolean,
  ): Promise<DetailedResult> {
    if (this.closed) throw new VisionError('VOLNO_MODEL_CLOSED', `model ${this.id} is closed`);
    if (polygons.length === 0) return { probs: new Float32Array(0), dim: this.featureDim };
    const t0 = performance.now();
    const count = this.prepare(frame, polygons);
    const t1 = performance.now();
    const result = await this.runPreparedDetailed(count, withFeatures);
    const t2 = performance.now();
    this.lastTimings = { preprocessMs: t1 - t0, inferenceMs: t2 - t1, postprocessMs: 0 };
    return result;
  }
}

function probability(
  row: Float32Array,
  at: number,
  cols: number,
  spec: NonNullable<ModelManifest['classifier']>,
): number {
  const k = cols === 1 ? 0 : spec.occupied_index;
  const x = row[at + k]!;
  if (spec.activation === 'none') return x;
  if (spec.activation === 'sigmoid') return 1 / (1 + Math.exp(-x));
  let max = -Infinity;
  for (let c = 0; c < cols; c++) max = Math.max(max, row[at + c]!);
  let sum = 0;
  for (let c = 0; c < cols; c++) sum += Math.exp(row[at + c]! - max);
  return Math.exp(x - max) / sum;
}
