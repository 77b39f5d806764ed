import type { RgbFrame } from '../vision/types.ts';

/** A small single-channel image, 0–255 luma in a Float32Array, row-major. */
export interface LumaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/** Width of the analysis grid: fine enough for blur, coarse enough to cost well under 1 ms. */
export const LUMA_GRID_WIDTH = 320;

/**
 * Point-samples a frame into a fixed-size luma grid (BT.601 weights), reusing one buffer. Reading one
 * pixel in (frame width / 320)² keeps the per-frame cost independent of the camera's resolution.
 */
export class LumaSampler {
  private out: Float32Array = new Float32Array(0);
  private width = 0;
  private height = 0;

  constructor(private readonly gridWidth = LUMA_GRID_WIDTH) {}

  /**
   * The grid for `frame`; the returned image is overwritten by the next call. `size` forces the grid's
   * dimensions, so a reference image of another resolution lands on exactly the frames' grid.
   */
  sample(frame: Pick<RgbFrame, 'width' | 'height' | 'data'>, size?: { width: number; height: number }): LumaImage {
    const w = size?.width ?? Math.min(this.gridWidth, frame.width);
    const h = size?.height ?? Math.max(1, Math.round((frame.height * w) / frame.width));
    if (w !== this.width || h !== this.height) {
      this.width = w;
      this.height = h;
      this.out = new Float32Array(w * h);
    }
    const sx = frame.width / w;
    const sy = frame.height / h;
    const src = frame.data;
    const stride = frame.width * 3;
    for (let y = 0; y < h; y++) {
      const row = Math.min(frame.height - 1, Math.floor((y + 0.5) * sy)) * stride;
      for (let x = 0; x < w; x++) {
        const i = row + Math.min(frame.width - 1, Math.floor((x + 0.5) * sx)) * 3;
        this.out[y * w + x] = 0.299 * src[i]! + 0.587 * src[i + 1]! + 0.114 * src[i + 2]!;
      }
    }
    return { width: w, height: h, data: this.out };
  }
}

/** A copy that the next `sample()` call cannot overwrite. */
export function copyLuma(img: LumaImage): LumaImage {
  return { width: img.width, height: img.height, data: Float32Array.from(img.data) };
}

/** Mean, standard deviation and edge energy (mean |4-neighbour Laplacian|) of a luma grid. */
export function lumaStats(img: LumaImage): { mean: number; stddev: number; edge: number } {
  const { width: w, height: h, data } = img;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    sum += v;
    sumSq += v * v;
  }
  const n = data.length;
  const mean = sum / n;
  const stddev = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
  let lap = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      lap += Math.abs(4 * data[i]! - data[i - 1]! - data[i + 1]! - data[i - w]! - data[i + w]!);
    }
  }
  const inner = Math.max(1, (w - 2) * (h - 2));
  return { mean, stddev, edge: lap / inner };
}
