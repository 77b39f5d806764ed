import type { LumaImage } from '../quality/luma.ts';

/** A gradient-magnitude map, normalised to zero mean and unit variance. */
export interface EdgeMap {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/** Halves a luma image by 2×2 averaging (box filter: enough anti-aliasing for edge matching). */
export function halve(img: LumaImage): LumaImage {
  const w = Math.floor(img.width / 2);
  const h = Math.floor(img.height / 2);
  const out = new Float32Array(w * h);
  const src = img.data;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = 2 * y * img.width + 2 * x;
      out[y * w + x] = (src[i]! + src[i + 1]! + src[i + img.width]! + src[i + img.width + 1]!) / 4;
    }
  }
  return { width: w, height: h, data: out };
}

/**
 * Sobel gradient magnitude, normalised. Edges are what survive lighting changes between the
 * calibration snapshot and now (sun, shadows, street lamps): brightness moves, lines stay put.
 */
export function edgeMap(img: LumaImage): EdgeMap {
  const { width: w, height: h, data: s } = img;
  const out = new Float32Array(w * h);
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const gx = s[i - w + 1]! + 2 * s[i + 1]! + s[i + w + 1]! - s[i - w - 1]! - 2 * s[i - 1]! - s[i + w - 1]!;
      const gy = s[i + w - 1]! + 2 * s[i + w]! + s[i + w + 1]! - s[i - w - 1]! - 2 * s[i - w]! - s[i - w + 1]!;
      out[i] = Math.sqrt(gx * gx + gy * gy);
    }
  }
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < out.length; i++) {
    sum += out[i]!;
    sumSq += out[i]! * out[i]!;
  }
  const mean = sum / out.length;
  const sd = Math.sqrt(Math.max(1e-9, sumSq / out.length - mean * mean));
  for (let i = 0; i < out.length; i++) out[i] = (out[i]! - mean) / sd;
  return { width: w, height: h, data: out };
}

/**
 * Zero-mean normalised cross-correlation of `ref` and `cur` where `cur` is `ref` moved by (dx, dy):
 * compares ref(x, y) with cur(x + dx, y + dy) over their overlap, ignoring a 1-pixel Sobel border.
 */
export function correlationAt(ref: EdgeMap, cur: EdgeMap, dx: number, dy: number): number {
  const w = ref.width;
  const x0 = Math.max(1, 1 - dx);
  const x1 = Math.min(w - 1, w - 1 - dx);
  const y0 = Math.max(1, 1 - dy);
  const y1 = Math.min(ref.height - 1, ref.height - 1 - dy);
  if (x1 - x0 < 4 || y1 - y0 < 4) return -1;
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  const a = ref.data;
  const b = cur.data;
  for (let y = y0; y < y1; y++) {
    const ra = y * w;
    const rb = (y + dy) * w + dx;
    for (let x = x0; x < x1; x++) {
      const va = a[ra + x]!;
      const vb = b[rb + x]!;
      sa += va;
      sb += vb;
      saa += va * va;
      sbb += vb * vb;
      sab += va * vb;
    }
  }
  const n = (x1 - x0) * (y1 - y0);
  const cov = sab - (sa * sb) / n;
  const va = saa - (sa * sa) / n;
  const vb = sbb - (sb * sb) / n;
  return va <= 0 || vb <= 0 ? 0 : cov / Math.sqrt(va * vb);
}
