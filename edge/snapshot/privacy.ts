import type { Polygon } from '../../protocol/index.ts';

/**
 * Pixelates the privacy-mask polygons of an RGB24 image in place: each block of `block` pixels inside
 * a mask becomes the mean colour of its masked pixels. Blocks of 1/40 of the width (32 px at 1280)
 * leave no face or plate readable, which a soft blur can (it is partly invertible).
 */
export function pixelateMasks(
  data: Uint8Array,
  width: number,
  height: number,
  masks: readonly Polygon[],
  block = Math.max(12, Math.round(width / 40)),
): void {
  for (const mask of masks) {
    const pts = mask.map(([x, y]) => [x * width, y * height] as const);
    const minX = Math.max(0, Math.floor(Math.min(...pts.map((p) => p[0]))));
    const maxX = Math.min(width - 1, Math.ceil(Math.max(...pts.map((p) => p[0]))));
    const minY = Math.max(0, Math.floor(Math.min(...pts.map((p) => p[1]))));
    const maxY = Math.min(height - 1, Math.ceil(Math.max(...pts.map((p) => p[1]))));
    if (maxX < minX || maxY < minY) continue;
    const bw = maxX - minX + 1;
    const inside = rasterize(pts, minX, minY, bw, maxY - minY + 1);
    for (let by = minY; by <= maxY; by += block) {
      for (let bx = minX; bx <= maxX; bx += block) {
        let r = 0;
        let g = 0;
        let b = 0;
        let n = 0;
        const yEnd = Math.min(maxY, by + block - 1);
        const xEnd = Math.min(maxX, bx + block - 1);
        for (let y = by; y <= yEnd; y++) {
          for (let x = bx; x <= xEnd; x++) {
            if (!inside[(y - minY) * bw + (x - minX)]) continue;
            const i = (y * width + x) * 3;
            r += data[i]!;
            g += data[i + 1]!;
            b += data[i + 2]!;
            n++;
          }
        }
        if (n === 0) continue;
        r = Math.round(r / n);
        g = Math.round(g / n);
        b = Math.round(b / n);
        for (let y = by; y <= yEnd; y++) {
          for (let x = bx; x <= xEnd; x++) {
            if (!inside[(y - minY) * bw + (x - minX)]) continue;
            const i = (y * width + x) * 3;
            data[i] = r;
            data[i + 1] = g;
            data[i + 2] = b;
          }
        }
      }
    }
  }
}

/** Even-odd scanline fill of a pixel polygon into a bitmap of the box (x0, y0, w, h); pixel centres count. */
function rasterize(
  pts: ReadonlyArray<readonly [number, number]>,
  x0: number,
  y0: number,
  w: number,
  h: number,
): Uint8Array {
  const out = new Uint8Array(w * h);
  const xs: number[] = [];
  for (let row = 0; row < h; row++) {
    const cy = y0 + row + 0.5;
    xs.length = 0;
    for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
      const [xi, yi] = pts[i]!;
      const [xj, yj] = pts[j]!;
      if (yi > cy !== yj > cy) xs.push(xi + ((cy - yi) * (xj - xi)) / (yj - yi));
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const from = Math.max(0, Math.ceil(xs[k]! - 0.5 - x0));
      const to = Math.min(w - 1, Math.floor(xs[k + 1]! - 0.5 - x0));
      for (let x = from; x <= to; x++) out[row * w + x] = 1;
    }
  }
  return out;
}
