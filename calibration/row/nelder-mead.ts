/**
 * Nelder–Mead downhill simplex (1965) with the standard coefficients, for the 2-parameter slot
 * spacing fit: a handful of smooth parameters, no gradient at hand, and it must stay dependency-free.
 */
export function minimise(
  f: (x: readonly number[]) => number,
  start: readonly number[],
  options: { step?: number; tolerance?: number; maxIterations?: number } = {},
): { x: number[]; value: number } {
  const n = start.length;
  const step = options.step ?? 0.1;
  const tol = options.tolerance ?? 1e-10;
  let simplex = [start.slice(), ...start.map((_, i) => start.map((v, j) => (i === j ? v + step : v)))].map((x) => ({
    x,
    v: f(x),
  }));
  for (let it = 0; it < (options.maxIterations ?? 400); it++) {
    simplex.sort((a, b) => a.v - b.v);
    const best = simplex[0]!;
    const worst = simplex[n]!;
    if (Math.abs(worst.v - best.v) <= tol * (Math.abs(best.v) + tol)) break;
    const centroid = start.map((_, j) => simplex.slice(0, n).reduce((s, p) => s + p.x[j]!, 0) / n);
    const along = (k: number) => centroid.map((c, j) => c + k * (worst.x[j]! - c));
    const reflected = { x: along(-1), v: 0 };
    reflected.v = f(reflected.x);
    if (reflected.v < best.v) {
      const expanded = { x: along(-2), v: 0 };
      expanded.v = f(expanded.x);
      simplex[n] = expanded.v < reflected.v ? expanded : reflected;
    } else if (reflected.v < simplex[n - 1]!.v) {
      simplex[n] = reflected;
    } else {
      const contracted = { x: along(reflected.v < worst.v ? -0.5 : 0.5), v: 0 };
      contracted.v = f(contracted.x);
      if (contracted.v < Math.min(worst.v, reflected.v)) simplex[n] = contracted;
      else
        simplex = simplex.map((p, i) => {
          if (i === 0) return p;
          const x = p.x.map((v, j) => best.x[j]! + 0.5 * (v - best.x[j]!));
          return { x, v: f(x) };
        });
    }
  }
  simplex.sort((a, b) => a.v - b.v);
  return { x: simplex[0]!.x, value: simplex[0]!.v };
}
