/**
 * Right singular vectors of a small dense matrix by one-sided Jacobi (Hestenes) rotations.
 * It orthogonalises the columns of A directly instead of forming AᵀA, so it keeps the precision
 * that squaring the condition number would lose (Demmel & Veselić 1992, "Jacobi's method is more
 * accurate than QR"). Matrices here are at most a few dozen rows by 9 columns.
 */
export interface NullVector {
  /** Unit vector v minimising |Av|. */
  vector: number[];
  /** Singular values, ascending. */
  singularValues: number[];
}

/** `rows` is m×n with m ≥ 1; returns the right singular vector of the smallest singular value. */
export function smallestRightSingularVector(rows: readonly (readonly number[])[]): NullVector {
  const m = rows.length;
  const n = rows[0]?.length ?? 0;
  // Column-major working copy of A and the accumulated rotations V (n×n identity).
  const a: number[][] = Array.from({ length: n }, (_, j) => Array.from({ length: m }, (_, i) => rows[i]![j]!));
  const v: number[][] = Array.from({ length: n }, (_, j) => Array.from({ length: n }, (_, i) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const ap = a[p]!;
        const aq = a[q]!;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          alpha += ap[i]! * ap[i]!;
          beta += aq[i]! * aq[i]!;
          gamma += ap[i]! * aq[i]!;
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotate(ap, aq, c, s);
        rotate(v[p]!, v[q]!, c, s);
      }
    }
    if (!rotated) break;
  }
  const norms = a.map((col) => Math.hypot(...col));
  let best = 0;
  for (let j = 1; j < n; j++) if (norms[j]! < norms[best]!) best = j;
  return { vector: v[best]!, singularValues: [...norms].sort((x, y) => x - y) };
}

function rotate(x: number[], y: number[], c: number, s: number): void {
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const yi = y[i]!;
    x[i] = c * xi - s * yi;
    y[i] = s * xi + c * yi;
  }
}
