/** Per-column mean and standard deviation of some rows; columns that never vary get std 1. */
export interface Standardizer {
  readonly mean: Float64Array;
  readonly std: Float64Array;
}

export function fitStandardizer(x: Float32Array, dim: number, rows: ArrayLike<number>): Standardizer {
  const mean = new Float64Array(dim);
  const sq = new Float64Array(dim);
  for (let i = 0; i < rows.length; i++) {
    const at = rows[i]! * dim;
    for (let j = 0; j < dim; j++) mean[j]! += x[at + j]!;
  }
  for (let j = 0; j < dim; j++) mean[j]! /= Math.max(1, rows.length);
  for (let i = 0; i < rows.length; i++) {
    const at = rows[i]! * dim;
    for (let j = 0; j < dim; j++) {
      const d = x[at + j]! - mean[j]!;
      sq[j]! += d * d;
    }
  }
  const std = new Float64Array(dim);
  for (let j = 0; j < dim; j++) {
    const s = Math.sqrt(sq[j]! / Math.max(1, rows.length));
    std[j] = s > 1e-6 ? s : 1;
  }
  return { mean, std };
}

/** A standardised copy of every row, restricted to the columns in `keep` (all when absent). */
export function standardized(x: Float32Array, dim: number, st: Standardizer, keep?: readonly number[]): Float32Array {
  const cols = keep ?? [...Array(dim).keys()];
  const n = x.length / dim;
  const out = new Float32Array(n * cols.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < cols.length; k++) {
      const j = cols[k]!;
      out[i * cols.length + k] = (x[i * dim + j]! - st.mean[j]!) / st.std[j]!;
    }
  }
  return out;
}
