import type { Quad } from './quad.ts';

/**
 * Projective map of the unit square onto a quad: (u, v) → ((a·u + b·v + c)/w, (d·u + e·v + f)/w) with
 * w = g·u + h·v + 1, corners (0,0)→q0, (1,0)→q1, (1,1)→q2, (0,1)→q3. Closed form from Heckbert,
 * "Fundamentals of Texture Mapping and Image Warping" (1989) §2.2.3, so no 8×8 solve per slot.
 */
export interface SquareToQuad {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
  g: number;
  h: number;
}

export function squareToQuad(q: Quad): SquareToQuad {
  const [[x0, y0], [x1, y1], [x2, y2], [x3, y3]] = q;
  const dx3 = x0 - x1 + x2 - x3;
  const dy3 = y0 - y1 + y2 - y3;
  let g = 0;
  let h = 0;
  if (Math.abs(dx3) > 1e-12 || Math.abs(dy3) > 1e-12) {
    const dx1 = x1 - x2;
    const dx2 = x3 - x2;
    const dy1 = y1 - y2;
    const dy2 = y3 - y2;
    const den = dx1 * dy2 - dx2 * dy1;
    g = (dx3 * dy2 - dx2 * dy3) / den;
    h = (dx1 * dy3 - dx3 * dy1) / den;
  }
  return { a: x1 - x0 + g * x1, b: x3 - x0 + h * x3, c: x0, d: y1 - y0 + g * y1, e: y3 - y0 + h * y3, f: y0, g, h };
}

/** Applies the map; used by tests and by the footprint code, not in the per-pixel loop. */
export function mapPoint(m: SquareToQuad, u: number, v: number): [number, number] {
  const w = m.g * u + m.h * v + 1;
  return [(m.a * u + m.b * v + m.c) / w, (m.d * u + m.e * v + m.f) / w];
}
