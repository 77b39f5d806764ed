import { squareToQuad } from './homography.ts';
import type { Quad } from './quad.ts';

/** An RGB24 image, row-major, 3 bytes per pixel. `RgbFrame` is one. */
export interface Plane {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Where a patch lands: one image of an NCHW batch, `offset` = index of its first value. */
export interface TensorTarget {
  readonly data: Float32Array;
  readonly offset: number;
  /** Width and height of the whole tensor image (each channel plane is width × height). */
  readonly width: number;
  readonly height: number;
}

/** A sub-rectangle of the tensor image, in its pixels (letterboxing fills only part of it). */
export interface Region {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Per output channel: which source channel to read (RGB → BGR swaps) and the affine map
 * `value · alpha + beta`, i.e. `(value · scale − mean) / std` folded into two numbers.
 */
export interface PixelMap {
  readonly source: readonly [number, number, number];
  readonly alpha: readonly [number, number, number];
  readonly beta: readonly [number, number, number];
}

export function pixelMap(
  format: 'rgb' | 'bgr',
  scale: number,
  mean: readonly [number, number, number],
  std: readonly [number, number, number],
): PixelMap {
  const t = (c: 0 | 1 | 2) => scale / std[c];
  const o = (c: 0 | 1 | 2) => -mean[c] / std[c];
  return {
    source: format === 'rgb' ? [0, 1, 2] : [2, 1, 0],
    alpha: [t(0), t(1), t(2)],
    beta: [o(0), o(1), o(2)],
  };
}

/** Raw 0–255 values in RGB order: what the training cache stores and what tests compare against. */
export const IDENTITY_RGB: PixelMap = { source: [0, 1, 2], alpha: [1, 1, 1], beta: [0, 0, 0] };

/**
 * Samples `quad` of `src` into `region` of one NCHW image with bilinear interpolation, writing the
 * normalised float straight into the model's input (no intermediate RGB patch, no allocation).
 * Output pixel (i, j) takes the source point the homography maps its centre ((j+½)/w, (i+½)/h) to;
 * pixel centres sit at integer + ½, the convention of OpenCV `INTER_LINEAR` and PyTorch
 * `align_corners=False`, so an axis-aligned quad reproduces a plain crop-and-resize. Points outside
 * the image repeat the border pixel.
 */
export function warpQuadInto(src: Plane, quad: Quad, target: TensorTarget, map: PixelMap, region?: Region): void {
  const rx = region?.x ?? 0;
  const ry = region?.y ?? 0;
  const rw = region?.width ?? target.width;
  const rh = region?.height ?? target.height;
  const { a, b, c, d, e, f, g, h } = squareToQuad(quad);
  const sw = src.width;
  const sh = src.height;
  const sd = src.data;
  const out = target.data;
  const plane = target.width * target.height;
  const [s0, s1, s2] = map.source;
  const [a0, a1, a2] = map.alpha;
  const [b0, b1, b2] = map.beta;
  const maxX = sw - 1;
  const maxY = sh - 1;
  for (let i = 0; i < rh; i++) {
    const v = (i + 0.5) / rh;
    let o = target.offset + (ry + i) * target.width + rx;
    for (let j = 0; j < rw; j++, o++) {
      const u = (j + 0.5) / rw;
      const w = g * u + h * v + 1;
      let x = (a * u + b * v + c) / w - 0.5;
      let y = (d * u + e * v + f) / w - 0.5;
      if (x < 0) x = 0;
      else if (x > maxX) x = maxX;
      if (y < 0) y = 0;
      else if (y > maxY) y = maxY;
      const x0 = x | 0;
      const y0 = y | 0;
      const fx = x - x0;
      const fy = y - y0;
      const dx = x0 < maxX ? 3 : 0;
      const dy = y0 < maxY ? sw * 3 : 0;
      const p00 = (y0 * sw + x0) * 3;
      const p01 = p00 + dx;
      const p10 = p00 + dy;
      const p11 = p10 + dx;
      const w00 = (1 - fx) * (1 - fy);
      const w01 = fx * (1 - fy);
      const w10 = (1 - fx) * fy;
      const w11 = fx * fy;
      out[o] = (sd[p00 + s0]! * w00 + sd[p01 + s0]! * w01 + sd[p10 + s0]! * w10 + sd[p11 + s0]! * w11) * a0 + b0;
      out[o + plane] =
        (sd[p00 + s1]! * w00 + sd[p01 + s1]! * w01 + sd[p10 + s1]! * w10 + sd[p11 + s1]! * w11) * a1 + b1;
      out[o + 2 * plane] =
        (sd[p00 + s2]! * w00 + sd[p01 + s2]! * w01 + sd[p10 + s2]! * w10 + sd[p11 + s2]! * w11) * a2 + b2;
    }
  }
}

/** Fills `region` (default: the whole image) of one NCHW image with one raw RGB colour, normalised. */
export function fillInto(target: TensorTarget, map: PixelMap, rgb: readonly [number, number, number]): void {
  const plane = target.width * target.height;
  for (let c = 0; c < 3; c++) {
    const value = rgb[map.source[c]!]! * map.alpha[c]! + map.beta[c]!;
    target.data.fill(value, target.offset + c * plane, target.offset + (c + 1) * plane);
  }
}
