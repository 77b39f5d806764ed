/**
 * The seam between the vision core (warp + model, issue #3) and the agent (issue #4). The agent only
 * sees these types; whether a model is a per-slot classifier or a COCO detector stays behind them.
 */

/** One decoded frame, RGB24 packed row-major, as ffmpeg's `-pix_fmt rgb24` writes it. */
export interface RgbFrame {
  readonly width: number;
  readonly height: number;
  /** width * height * 3 bytes. Reused between frames by the source: copy what you keep. */
  readonly data: Uint8Array;
  /** Capture time, ms since the epoch. */
  readonly capturedAt: number;
}

/** A slot outline in pixel coordinates of the frame it is applied to. */
export type PixelPolygon = ReadonlyArray<readonly [number, number]>;

export interface OccupancyModel {
  /** The manifest's id, reported in every slot state as `model_id`. */
  readonly id: string;
  /** Probability decision threshold from the manifest: `p >= threshold` means occupied. */
  readonly threshold: number;
  /** Smoothed probabilities strictly inside this band become unknown (`uncertain`); absent: never. */
  readonly uncertain?: { readonly low: number; readonly high: number };
  /** P(occupied) for every polygon, in order, from one batched inference over the frame. */
  classify(frame: RgbFrame, polygons: ReadonlyArray<PixelPolygon>): Promise<Float32Array>;
  close(): Promise<void>;
}

/** One batched run with everything a per-camera head needs. */
export interface DetailedResult {
  /** P(occupied) per polygon, as `classify()` returns it (the generic head). */
  readonly probs: Float32Array;
  /** Row-major [polygons, dim] standardised features; absent when the model has none. */
  readonly features?: Float32Array;
  /** Features per polygon; 0 when the model has none. */
  readonly dim: number;
}

/** Where the time of one `classify()` went. Added by issue #3 beside `OccupancyModel`, which stays unchanged. */
export interface ModelTimings {
  /** Polygon → quad, warp/letterbox into the input tensor. */
  readonly preprocessMs: number;
  /** The onnxruntime `run` alone. */
  readonly inferenceMs: number;
  /** Activation, decoding, NMS, slot assignment. */
  readonly postprocessMs: number;
}

/** What `loadOccupancyModel` returns: the seam's interface plus details for stats and tools. */
export interface LoadedOccupancyModel extends OccupancyModel {
  /** `classifier`, `yolox` or `nanodet`, from the manifest. */
  readonly kind: 'classifier' | 'yolox' | 'nanodet';
  /** Timings of the most recent `classify()`; undefined before the first. */
  readonly lastTimings: ModelTimings | undefined;
  /** Probabilities plus per-slot features (classifiers with a `features` output); detectors: features absent. */
  classifyDetailed?(frame: RgbFrame, polygons: ReadonlyArray<PixelPolygon>): Promise<DetailedResult>;
}
