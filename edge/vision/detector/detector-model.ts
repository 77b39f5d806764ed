import * as ort from 'onnxruntime-node';
import { VisionError } from '../errors.ts';
import type { ModelManifest } from '../manifest.ts';
import { PatchSampler } from '../sampler.ts';
import type { LoadedOccupancyModel, ModelTimings, PixelPolygon, RgbFrame } from '../types.ts';
import { assertFrame, SerialQueue } from '../util.ts';
import { pixelMap, type PixelMap } from '../warp.ts';
import { slotProbabilities } from './footprint.ts';
import { letterboxInto, type InputGeometry } from './letterbox.ts';
import { decodeNanodet } from './nanodet.ts';
import { nms } from './nms.ts';
import type { Detection } from './types.ts';
import { decodeYolox } from './yolox.ts';

/**
 * A generic COCO detector (YOLOX or NanoDet) behind the occupancy seam: one run per frame, vehicle
 * boxes after NMS, then slots scored by how much of them a vehicle's ground footprint covers.
 */
export class DetectorModel implements LoadedOccupancyModel {
  readonly kind: 'yolox' | 'nanodet';
  readonly id: string;
  readonly threshold: number;
  lastTimings: ModelTimings | undefined;
  private readonly spec: NonNullable<ModelManifest['detector']>;
  private readonly sampler = new PatchSampler();
  private readonly map: PixelMap;
  private readonly input: Float32Array;
  private readonly queue = new SerialQueue();
  private closed = false;

  constructor(
    private readonly manifest: ModelManifest,
    private readonly session: ort.InferenceSession,
  ) {
    this.kind = manifest.kind as 'yolox' | 'nanodet';
    this.id = manifest.id;
    this.threshold = manifest.threshold;
    this.spec = manifest.detector!;
    const { pixel_format, scale, mean, std, width, height } = manifest.input;
    this.map = pixelMap(pixel_format, scale, mean, std);
    this.input = new Float32Array(3 * width * height * (manifest.input.fixed_batch ?? 1));
  }

  classify(frame: RgbFrame, polygons: ReadonlyArray<PixelPolygon>): Promise<Float32Array> {
    return this.queue.run(async () => {
      const t0 = performance.now();
      const { detections, inferenceMs } = await this.detectNow(frame);
      const t1 = performance.now();
      const probs = slotProbabilities(detections, polygons, {
        band: this.spec.footprint_band,
        fullCoverage: this.spec.full_coverage,
      });
      const total = performance.now() - t0;
      const post = performance.now() - t1;
      this.lastTimings = { preprocessMs: total - inferenceMs - post, inferenceMs, postprocessMs: post };
      return probs;
    });
  }

  /** Vehicle detections in frame pixels, after NMS; for tools, tests and debugging overlays. */
  detect(frame: RgbFrame): Promise<Detection[]> {
    return this.queue.run(async () => (await this.detectNow(frame)).detections);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.run(() => this.session.release());
  }

  private async detectNow(frame: RgbFrame): Promise<{ detections: Detection[]; inferenceMs: number }> {
    if (this.closed) throw new VisionError('VOLNO_MODEL_CLOSED', `model ${this.id} is closed`);
    assertFrame(frame);
    const { width, height, name } = this.manifest.input;
    const geometry = letterboxInto(
      this.sampler,
      frame,
      { data: this.input, offset: 0, width, height },
      this.map,
      this.spec.resize,
      this.spec.pad_value,
    );
    const batch = this.manifest.input.fixed_batch ?? 1;
    const tensor = new ort.Tensor('float32', this.input, [batch, 3, height, width]);
    const t0 = performance.now();
    let result: ort.InferenceSession.ReturnType;
    try {
      result = await this.session.run({ [name]: tensor });
    } catch (cause) {
      throw new VisionError('VOLNO_INFERENCE_FAILED', `model ${this.id}: inference failed`, [], { cause });
    }
    const inferenceMs = performance.now() - t0;
    let raw: Detection[];
    try {
      raw = this.decode(result);
    } catch (cause) {
      const detail = cause instanceof Error ? cause.message : String(cause);
      throw new VisionError('VOLNO_MODEL_SHAPE_MISMATCH', `model ${this.id}: ${detail}`, [], { cause });
    }
    const detections = nms(raw, this.spec.nms_iou).map((d) => toFrame(d, geometry, frame));
    return { detections, inferenceMs };
  }

  private decode(result: ort.InferenceSession.ReturnType): Detection[] {
    const { width, height } = this.manifest.input;
    const params = {
      inputWidth: width,
      inputHeight: height,
      strides: this.spec.strides,
      vehicleClasses: this.spec.vehicle_classes,
      scoreThreshold: this.spec.score_threshold,
    };
    const outputs = this.spec.outputs.map((n) => result[n]!);
    if (this.kind === 'yolox') {
      const out = outputs[0]!;
      return decodeYolox(out.data as Float32Array, out.dims, params);
    }
    const levels = this.spec.strides.length;
    return decodeNanodet(
      outputs.slice(0, levels).map((t) => t.data as Float32Array),
      outputs.slice(levels).map((t) => t.data as Float32Array),
      { ...params, regMax: this.spec.reg_max!, centerOffset: this.spec.center_offset ?? 0 },
    );
  }
}

function toFrame(d: Detection, g: InputGeometry, frame: RgbFrame): Detection {
  const clampX = (x: number) => Math.min(frame.width, Math.max(0, x));
  const clampY = (y: number) => Math.min(frame.height, Math.max(0, y));
  return {
    x1: clampX((d.x1 - g.padX) / g.scaleX),
    y1: clampY((d.y1 - g.padY) / g.scaleY),
    x2: clampX((d.x2 - g.padX) / g.scaleX),
    y2: clampY((d.y2 - g.padY) / g.scaleY),
    score: d.score,
    classId: d.classId,
  };
}
