import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  IDENTITY_RGB,
  PatchSampler,
  mapPoint,
  pixelMap,
  squareToQuad,
  warpQuadInto,
  type Plane,
  type Quad,
} from '../../edge/vision/index.ts';

/** A deterministic test image with structure in every channel. */
function image(width: number, height: number): Plane {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      data[p] = (x * 7 + y * 3) % 256;
      data[p + 1] = (x * x + y * 11) % 256;
      data[p + 2] = (x * y + 31) % 256;
    }
  }
  return { width, height, data };
}

/** Reference crop-and-resize: bilinear, align_corners=false, border clamped (what OpenCV/PyTorch do). */
function cropResize(src: Plane, x0: number, y0: number, cw: number, ch: number, w: number, h: number): Float32Array {
  const out = new Float32Array(3 * w * h);
  const at = (x: number, y: number, c: number) => {
    const xi = Math.min(src.width - 1, Math.max(0, x));
    const yi = Math.min(src.height - 1, Math.max(0, y));
    return src.data[(yi * src.width + xi) * 3 + c]!;
  };
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const sx = Math.min(src.width - 1, Math.max(0, x0 + ((j + 0.5) * cw) / w - 0.5));
      const sy = Math.min(src.height - 1, Math.max(0, y0 + ((i + 0.5) * ch) / h - 0.5));
      const xa = Math.floor(sx);
      const ya = Math.floor(sy);
      const fx = sx - xa;
      const fy = sy - ya;
      for (let c = 0; c < 3; c++) {
        const top = at(xa, ya, c) * (1 - fx) + at(xa + 1, ya, c) * fx;
        const bottom = at(xa, ya + 1, c) * (1 - fx) + at(xa + 1, ya + 1, c) * fx;
        out[c * w * h + i * w + j] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}

const rect = (x0: number, y0: number, x1: number, y1: number): Quad => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
];

function warp(src: Plane, quad: Quad, w: number, h: number, sampler = false): Float32Array {
  const out = new Float32Array(3 * w * h);
  const target = { data: out, offset: 0, width: w, height: h };
  if (sampler) {
    const s = new PatchSampler();
    s.begin(src);
    s.sample(quad, target, IDENTITY_RGB);
  } else warpQuadInto(src, quad, target, IDENTITY_RGB);
  return out;
}

describe('homography', () => {
  it('maps the unit square corners exactly onto any convex quad', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 8, maxLength: 8 }), (d) => {
        const q: Quad = [
          [0 + d[0]!, 0 + d[1]!],
          [400 + d[2]!, 0 + d[3]!],
          [400 + d[4]!, 300 + d[5]!],
          [0 + d[6]!, 300 + d[7]!],
        ];
        const m = squareToQuad(q);
        const corners: [number, number][] = [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 1],
        ];
        corners.forEach(([u, v], k) => {
          const [x, y] = mapPoint(m, u, v);
          expect(x).toBeCloseTo(q[k]![0], 8);
          expect(y).toBeCloseTo(q[k]![1], 8);
        });
      }),
    );
  });
});

describe('warpQuadInto', () => {
  const src = image(97, 61);

  it('copies an axis-aligned rectangle of the same size pixel for pixel', () => {
    const out = warp(src, rect(10, 5, 42, 37), 32, 32);
    const plain = cropResize(src, 10, 5, 32, 32, 32, 32);
    expect(out).toEqual(plain);
    expect(out[0]).toBe(src.data[(5 * 97 + 10) * 3]); // R of pixel (10, 5)
  });

  it('equals a plain bilinear crop-and-resize for an axis-aligned rectangle', () => {
    for (const [x0, y0, cw, ch, w, h] of [
      [3, 4, 20, 30, 48, 48],
      [50, 10, 40, 45, 48, 48],
      [0, 0, 97, 61, 64, 40],
    ] as const) {
      const out = warp(src, rect(x0, y0, x0 + cw, y0 + ch), w, h);
      const ref = cropResize(src, x0, y0, cw, ch, w, h);
      for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(ref[i]!, 3);
    }
  });

  it('writes normalised values in the model channel order', () => {
    const quad = rect(10, 5, 42, 37);
    const raw = warp(src, quad, 32, 32);
    const out = new Float32Array(3 * 32 * 32);
    const map = pixelMap('bgr', 1 / 255, [0.1, 0.2, 0.3], [0.5, 0.25, 0.125]);
    warpQuadInto(src, quad, { data: out, offset: 0, width: 32, height: 32 }, map);
    const plane = 32 * 32;
    for (const k of [0, 77, 1023]) {
      expect(out[k]).toBeCloseTo((raw[2 * plane + k]! / 255 - 0.1) / 0.5, 5); // B first
      expect(out[plane + k]).toBeCloseTo((raw[plane + k]! / 255 - 0.2) / 0.25, 5);
      expect(out[2 * plane + k]).toBeCloseTo((raw[k]! / 255 - 0.3) / 0.125, 5);
    }
  });

  it('writes each patch at its offset and leaves the rest of the batch alone', () => {
    const out = new Float32Array(2 * 3 * 16 * 16).fill(-7);
    warpQuadInto(src, rect(0, 0, 16, 16), { data: out, offset: 3 * 16 * 16, width: 16, height: 16 }, IDENTITY_RGB);
    expect(out.subarray(0, 3 * 16 * 16).every((v) => v === -7)).toBe(true);
    expect(out.subarray(3 * 16 * 16).some((v) => v === -7)).toBe(false);
  });
});

describe('PatchSampler', () => {
  it('averages 2x2 blocks when a patch is shrunk by exactly two', () => {
    const src = image(64, 64);
    const out = warp(src, rect(8, 4, 40, 36), 16, 16, true);
    for (const [i, j, c] of [
      [0, 0, 0],
      [5, 9, 1],
      [15, 15, 2],
    ] as const) {
      const x = 8 + 2 * j;
      const y = 4 + 2 * i;
      const v = (xx: number, yy: number) => src.data[(yy * 64 + xx) * 3 + c]!;
      const box = (v(x, y) + v(x + 1, y) + v(x, y + 1) + v(x + 1, y + 1) + 2) >> 2;
      expect(out[c * 256 + i * 16 + j]).toBe(box);
    }
  });

  it('turns a fine checkerboard shrunk 4x into flat grey instead of aliasing', () => {
    const width = 256;
    const data = new Uint8Array(width * width * 3);
    for (let y = 0; y < width; y++)
      for (let x = 0; x < width; x++) data.fill((x + y) % 2 ? 255 : 0, (y * width + x) * 3, (y * width + x) * 3 + 3);
    const board: Plane = { width, height: width, data };
    const quad = rect(0.3, 0.7, 150.6, 150.9); // a 3.76x shrink: no grid coincidence
    const spread = (a: Float32Array) => Math.max(...a) - Math.min(...a);
    expect(spread(warp(board, quad, 40, 40, true))).toBeLessThan(3);
    expect(spread(warp(board, quad, 40, 40, false))).toBeGreaterThan(100); // what plain bilinear does
  });
});
