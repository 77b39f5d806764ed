/**
 * Photometric and geometric augmentation of one crop, in place, on the model's input tensor
 * (CHW, 0–255 values, any channel order). Deterministic for a given generator.
 *
 * Chosen for views and conditions no training camera shows (issue 12): top-down lots (90° turns and
 * mirrors), far slots of 12–24 px (down and back up), blur and JPEG-like blocking, exposure and
 * gamma, night and IR grey, sensor noise, and a neighbour's car spilling into a free slot. None of
 * it was tuned on a camera that is scored.
 */
export interface Crop {
  data: Float32Array;
  offset: number;
  size: number;
}

type Rand = () => number;

export function augmentCrop(c: Crop, r: Rand, donor?: Crop): void {
  if (r() < 0.5) rotate90(c, 1 + Math.floor(r() * 3));
  if (r() < 0.5) mirror(c);
  if (donor && r() < 0.2) spill(c, donor, r);
  if (r() < 0.3) shrink(c, 12 + Math.floor(r() * 13));
  if (r() < 0.25) blur(c);
  if (r() < 0.2) grey(c);
  const night = r() < 0.15;
  if (night) affine(c, 0.15 + 0.25 * r(), 0);
  else affine(c, 0.6 + 0.8 * r(), (r() - 0.5) * 50);
  if (r() < 0.3) gamma(c, 0.6 + 0.9 * r());
  if (r() < 0.2) block(c, 4 + Math.floor(r() * 8));
  if (night || r() < 0.3) noise(c, r, 2 + 8 * r());
  clamp(c);
}

function plane(c: Crop, ch: number): number {
  return c.offset + ch * c.size * c.size;
}

function rotate90(c: Crop, times: number): void {
  const n = c.size;
  const tmp = new Float32Array(n * n);
  for (let ch = 0; ch < 3; ch++) {
    const o = plane(c, ch);
    for (let t = 0; t < times; t++) {
      for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) tmp[x * n + (n - 1 - y)] = c.data[o + y * n + x]!;
      c.data.set(tmp, o);
    }
  }
}

function mirror(c: Crop): void {
  const n = c.size;
  for (let ch = 0; ch < 3; ch++) {
    const o = plane(c, ch);
    for (let y = 0; y < n; y++) {
      const row = o + y * n;
      for (let x = 0; x < n >> 1; x++) {
        const a = c.data[row + x]!;
        c.data[row + x] = c.data[row + n - 1 - x]!;
        c.data[row + n - 1 - x] = a;
      }
    }
  }
}

/** A strip of an occupied neighbour's crop along one side: a wide car overhanging the line. */
function spill(c: Crop, donor: Crop, r: Rand): void {
  const n = c.size;
  const width = Math.round(n * (0.12 + 0.2 * r()));
  const fromLeft = r() < 0.5;
  for (let ch = 0; ch < 3; ch++) {
    const o = plane(c, ch);
    const d = plane(donor, ch);
    for (let y = 0; y < n; y++) {
      for (let k = 0; k < width; k++) {
        const x = fromLeft ? k : n - 1 - k;
        const sx = fromLeft ? n - width + k : width - 1 - k;
        c.data[o + y * n + x] = donor.data[d + y * n + sx]!;
      }
    }
  }
}

/** Box-average down to `to` px and bilinear back up: what a far, tiny slot carries. */
function shrink(c: Crop, to: number): void {
  const n = c.size;
  const small = new Float32Array(to * to);
  const f = n / to;
  for (let ch = 0; ch < 3; ch++) {
    const o = plane(c, ch);
    for (let y = 0; y < to; y++) {
      for (let x = 0; x < to; x++) {
        const y0 = Math.floor(y * f);
        const y1 = Math.max(y0 + 1, Math.floor((y + 1) * f));
        const x0 = Math.floor(x * f);
        const x1 = Math.max(x0 + 1, Math.floor((x + 1) * f));
        let s = 0;
        for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) s += c.data[o + yy * n + xx]!;
        small[y * to + x] = s / ((y1 - y0) * (x1 - x0));
      }
    }
    for (let y = 0; y < n; y++) {
      const sy = Math.min(to - 1, Math.max(0, (y + 0.5) / f - 0.5));
      const ya = Math.floor(sy);
      const yb = Math.min(to - 1, ya + 1);
      const wy = sy - ya;
      for (let x = 0; x < n; x++) {
        const sx = Math.min(to - 1, Math.max(0, (x + 0.5) / f - 0.5));
        const xa = Math.floor(sx);
        const xb = Math.min(to - 1, xa + 1);
        const wx = sx - xa;
        const top = small[ya * to + xa]! * (1 - wx) + small[ya * to + xb]! * wx;
        const bottom = small[yb * to + xa]! * (1 - wx) + small[yb * to + xb]! * wx;
        c.data[o + y * n + x] = top * (1 - wy) + bottom * wy;
      }
    }
  }
}

function blur(c: Crop): void {
  const n = c.size;
  const tmp = new Float32Array(n * n);
  for (let ch = 0; ch < 3; ch++) {
    const o = plane(c, ch);
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        let s = 0;
        let k = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy < 0 || yy >= n || xx < 0 || xx >= n) continue;
            const w = dx === 0 && dy === 0 ? 4 : dx === 0 || dy === 0 ? 2 : 1;
            s += w * c.data[o + yy * n + xx]!;
            k += w;
          }
        }
        tmp[y * n + x] = s / k;
      }
    }
    c.data.set(tmp, o);
  }
}

/** IR night mode: one luma for all channels. */
function grey(c: Crop): void {
  const n2 = c.size * c.size;
  for (let i = 0; i < n2; i++) {
    const a = c.data[c.offset + i]!;
    const b = c.data[c.offset + n2 + i]!;
    const d = c.data[c.offset + 2 * n2 + i]!;
    const y = 0.299 * a + 0.587 * b + 0.114 * d;
    c.data[c.offset + i] = y;
    c.data[c.offset + n2 + i] = y;
    c.data[c.offset + 2 * n2 + i] = y;
  }
}

function affine(c: Crop, gain: number, bias: number): void {
  const end = c.offset + 3 * c.size * c.size;
  for (let i = c.offset; i < end; i++) c.data[i] = c.data[i]! * gain + bias;
}

function gamma(c: Crop, g: number): void {
  const end = c.offset + 3 * c.size * c.size;
  for (let i = c.offset; i < end; i++) c.data[i] = 255 * Math.pow(Math.max(0, c.data[i]!) / 255, g);
}

/** Flattens `b`×`b` blocks towards their mean: the loss of detail of a hard JPEG. */
function block(c: Crop, b: number): void {
  const n = c.size;
  for (let ch = 0; ch < 3; ch++) {
    const o = plane(c, ch);
    for (let by = 0; by < n; by += b) {
      for (let bx = 0; bx < n; bx += b) {
        const y1 = Math.min(n, by + b);
        const x1 = Math.min(n, bx + b);
        let s = 0;
        for (let y = by; y < y1; y++) for (let x = bx; x < x1; x++) s += c.data[o + y * n + x]!;
        const m = s / ((y1 - by) * (x1 - bx));
        for (let y = by; y < y1; y++)
          for (let x = bx; x < x1; x++) c.data[o + y * n + x] = 0.5 * m + 0.5 * c.data[o + y * n + x]!;
      }
    }
  }
}

function noise(c: Crop, r: Rand, sigma: number): void {
  const end = c.offset + 3 * c.size * c.size;
  for (let i = c.offset; i < end; i++) {
    const g = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    c.data[i] = c.data[i]! + sigma * g;
  }
}

function clamp(c: Crop): void {
  const end = c.offset + 3 * c.size * c.size;
  for (let i = c.offset; i < end; i++) c.data[i] = Math.min(255, Math.max(0, c.data[i]!));
}
