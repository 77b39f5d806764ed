/**
 * L2-regularised logistic regression fitted by L-BFGS, in plain TypeScript so that a per-camera head
 * can be fitted where the labels are (the server), with no Python on an edge box or a server
 * (issue 12). Deterministic: no randomness, fixed iteration order.
 *
 * Loss = Σ wᵢ·logloss(σ(x·β + b), yᵢ) / Σ wᵢ + (λ/2)·‖β − β₀‖²: with a prior β₀ (the generic head)
 * a handful of labels moves the head only as far as they have evidence for, which is what makes one
 * labelled frame useful instead of an invitation to overfit.
 */
export interface LogisticHead {
  readonly weights: Float64Array;
  readonly bias: number;
}

export interface FitOptions {
  /** λ above; larger keeps the head closer to the prior (or to zero). */
  readonly l2: number;
  /** Shrink towards this head instead of towards zero. */
  readonly prior?: LogisticHead;
  readonly maxIterations?: number;
}

/** Rows of a row-major feature matrix: `x[rows[i]·dim … +dim]`. */
export interface Design {
  readonly x: Float32Array;
  readonly dim: number;
  readonly rows: ArrayLike<number>;
  readonly labels: ArrayLike<number>;
  readonly weights?: ArrayLike<number>;
}

export function logit(head: LogisticHead, x: ArrayLike<number>, at: number): number {
  let z = head.bias;
  const w = head.weights;
  for (let j = 0; j < w.length; j++) z += w[j]! * x[at + j]!;
  return z;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export function fitLogistic(d: Design, opts: FitOptions): LogisticHead {
  const dim = d.dim;
  const n = d.rows.length;
  const prior = opts.prior;
  let totalWeight = 0;
  for (let i = 0; i < n; i++) totalWeight += d.weights ? d.weights[i]! : 1;
  if (n === 0 || totalWeight <= 0) throw new Error('fitLogistic: no weighted rows');
  // Parameters: dim weights then the bias.
  const p = dim + 1;
  const theta = new Float64Array(p);
  if (prior) {
    theta.set(prior.weights);
    theta[dim] = prior.bias;
  }
  const evaluate = (t: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const at = d.rows[i]! * dim;
      let z = t[dim]!;
      for (let j = 0; j < dim; j++) z += t[j]! * d.x[at + j]!;
      const y = d.labels[i]!;
      const w = (d.weights ? d.weights[i]! : 1) / totalWeight;
      // log(1 + e^z) − y·z, computed without overflow.
      loss += w * ((z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y * z);
      const g = w * (sigmoid(z) - y);
      for (let j = 0; j < dim; j++) grad[j]! += g * d.x[at + j]!;
      grad[dim]! += g;
    }
    for (let j = 0; j < dim; j++) {
      const delta = t[j]! - (prior ? prior.weights[j]! : 0);
      loss += 0.5 * opts.l2 * delta * delta;
      grad[j]! += opts.l2 * delta;
    }
    return loss;
  };
  lbfgs(theta, evaluate, opts.maxIterations ?? 200);
  return { weights: theta.slice(0, dim), bias: theta[dim]! };
}

/** Minimises `f` in place from `x`; Armijo backtracking, memory 8, stops on a relative loss change < 1e-9. */
function lbfgs(x: Float64Array, f: (x: Float64Array, g: Float64Array) => number, maxIterations: number): void {
  const p = x.length;
  const m = 8;
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  let g = new Float64Array(p);
  let fx = f(x, g);
  const dir = new Float64Array(p);
  const xNew = new Float64Array(p);
  let gNew = new Float64Array(p);
  const alpha = new Float64Array(m);
  for (let iter = 0; iter < maxIterations; iter++) {
    // Two-loop recursion: dir = −H·g.
    for (let j = 0; j < p; j++) dir[j] = -g[j]!;
    for (let k = s.length - 1; k >= 0; k--) {
      alpha[k] = rho[k]! * dot(s[k]!, dir);
      axpy(-alpha[k]!, y[k]!, dir);
    }
    if (s.length > 0) {
      const last = s.length - 1;
      const gamma = dot(s[last]!, y[last]!) / dot(y[last]!, y[last]!);
      for (let j = 0; j < p; j++) dir[j]! *= gamma;
    }
    for (let k = 0; k < s.length; k++) {
      const beta = rho[k]! * dot(y[k]!, dir);
      axpy(alpha[k]! - beta, s[k]!, dir);
    }
    let slope = dot(g, dir);
    if (slope >= 0) {
      // Not a descent direction (curvature went bad): restart from steepest descent.
      s.length = y.length = rho.length = 0;
      for (let j = 0; j < p; j++) dir[j] = -g[j]!;
      slope = dot(g, dir);
    }
    let step = iter === 0 && s.length === 0 ? 1 / Math.max(1, Math.sqrt(dot(g, g))) : 1;
    let fNew = Infinity;
    for (let tries = 0; tries < 40; tries++) {
      for (let j = 0; j < p; j++) xNew[j] = x[j]! + step * dir[j]!;
      fNew = f(xNew, gNew);
      if (fNew <= fx + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew < fx)) return;
    const sk = new Float64Array(p);
    const yk = new Float64Array(p);
    for (let j = 0; j < p; j++) {
      sk[j] = xNew[j]! - x[j]!;
      yk[j] = gNew[j]! - g[j]!;
    }
    const sy = dot(sk, yk);
    if (sy > 1e-12) {
      if (s.length === m) {
        s.shift();
        y.shift();
        rho.shift();
      }
      s.push(sk);
      y.push(yk);
      rho.push(1 / sy);
    }
    x.set(xNew);
    const done = Math.abs(fx - fNew) <= 1e-9 * Math.max(1, Math.abs(fx));
    fx = fNew;
    [g, gNew] = [gNew, g];
    if (done) return;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i]! += a * x[i]!;
}
