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
  /** P(occupied) for every polygon, in order, from one batched inference over the frame. */
  classify(frame: RgbFrame, polygons: ReadonlyArray<PixelPolygon>): Promise<Float32Array>;
  close(): Promise<void>;
}
