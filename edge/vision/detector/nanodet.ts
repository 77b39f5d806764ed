import type { DecodeParams, Detection } from './types.ts';

export interface NanodetParams extends DecodeParams {
  /** Bins per box side minus one (NanoDet-m: 7, so 8 bins). */
  regMax: number;
  /** Anchor point = (cell + centerOffset) · stride. */
  centerOffset: number;
}

/**
 * Decodes a NanoDet GFL head: per stride, class scores `[1, cells, classes]` (sigmoid-ed in this
 * export) and distances `[1, cells, 4 · (regMax + 1)]`: for each side (left, top, right, bottom) a
 * discrete distribution over 0…regMax, whose expectation (softmax, then Σ i·pᵢ) times the stride is
 * the distance from the anchor point to that side (Li et al., "Generalized Focal Loss", 2020;
 * NanoDet's `Integral` and `distance2bbox`). Boxes stay in input pixels.
 */
export function decodeNanodet(
  cls: readonly Float32Array[],
  dis: readonly Float32Array[],
  p: NanodetParams,
): Detection[] {
  const bins = p.regMax + 1;
  const out: Detection[] = [];
  const side = new Float64Array(4);
  p.strides.forEach((stride, level) => {
    const scores = cls[level]!;
    const dist = dis[level]!;
    const gw = Math.ceil(p.inputWidth / stride);
    const gh = Math.ceil(p.inputHeight / stride);
    const cells = gw * gh;
    const classes = scores.length / cells;
    if (!Number.isInteger(classes) || dist.length !== cells * 4 * bins) {
      throw new Error(`NanoDet stride ${stride}: outputs do not fit a ${gw}x${gh} grid with ${bins} bins`);
    }
    for (let cell = 0; cell < cells; cell++) {
      let best = -1;
      let bestScore = 0;
      for (const c of p.vehicleClasses) {
        const s = scores[cell * classes + c]!;
        if (s > bestScore) {
          bestScore = s;
          best = c;
        }
      }
      if (best < 0 || bestScore < p.scoreThreshold) continue;
      for (let k = 0; k < 4; k++) {
        const at = cell * 4 * bins + k * bins;
        let max = -Infinity;
        for (let b = 0; b < bins; b++) max = Math.max(max, dist[at + b]!);
        let sum = 0;
        let expectation = 0;
        for (let b = 0; b < bins; b++) {
          const e = Math.exp(dist[at + b]! - max);
          sum += e;
          expectation += b * e;
        }
        side[k] = (expectation / sum) * stride;
      }
      const cx = ((cell % gw) + p.centerOffset) * stride;
      const cy = (Math.floor(cell / gw) + p.centerOffset) * stride;
      out.push({
        x1: cx - side[0]!,
        y1: cy - side[1]!,
        x2: cx + side[2]!,
        y2: cy + side[3]!,
        score: bestScore,
        classId: best,
      });
    }
  });
  return out;
}
