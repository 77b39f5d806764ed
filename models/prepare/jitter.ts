import type { Quad } from '../../edge/vision/index.ts';

/** Deterministic, so a cache can be rebuilt bit for bit; the simulator uses the same generator. */
export { seededRandom as rng } from '../../edge/simulator/random.ts';

/**
 * Geometric augmentation for "angle and scale": the slot quad as a slightly different calibration
 * or camera would draw it: scaled 0.88–1.15 about its centre, shifted up to 6 % of its size,
 * rotated up to ±8°, and each corner moved up to 6 % of the quad size (a different viewing angle).
 * The patch is then cut by the production warp, so geometry augmentation never uses a second resampler.
 */
export function jitterQuad(q: Quad, random: () => number): Quad {
  const u = (lo: number, hi: number) => lo + (hi - lo) * random();
  const cx = (q[0][0] + q[1][0] + q[2][0] + q[3][0]) / 4;
  const cy = (q[0][1] + q[1][1] + q[2][1] + q[3][1]) / 4;
  const size = Math.sqrt(
    Math.abs((q[2][0] - q[0][0]) * (q[3][1] - q[1][1]) - (q[3][0] - q[1][0]) * (q[2][1] - q[0][1])) / 2,
  );
  const s = u(0.88, 1.15);
  const angle = (u(-8, 8) * Math.PI) / 180;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const tx = u(-0.06, 0.06) * size;
  const ty = u(-0.06, 0.06) * size;
  const corner = (p: readonly [number, number]): [number, number] => {
    const dx = (p[0] - cx) * s;
    const dy = (p[1] - cy) * s;
    return [
      cx + tx + dx * cos - dy * sin + u(-0.06, 0.06) * size,
      cy + ty + dx * sin + dy * cos + u(-0.06, 0.06) * size,
    ];
  };
  return [corner(q[0]), corner(q[1]), corner(q[2]), corner(q[3])];
}
