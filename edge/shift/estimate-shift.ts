import type { LumaImage } from '../quality/luma.ts';
import { correlationAt, edgeMap, halve, type EdgeMap } from './edge-map.ts';

/** Edge maps of one image at two scales (coarse first), computed once per reference. */
export interface EdgePyramid {
  readonly coarse: EdgeMap;
  readonly fine: EdgeMap;
}

export function edgePyramid(luma: LumaImage): EdgePyramid {
  const half = halve(luma);
  return { fine: edgeMap(half), coarse: edgeMap(halve(half)) };
}

export interface ShiftEstimate {
  /** Shift of the current view against the reference, as a share of width and height. */
  dx: number;
  dy: number;
  /** Edge correlation at the best shift (1 = identical edges). */
  correlation: number;
  /** Edge correlation with no shift, for comparison. */
  correlationAtZero: number;
}

/**
 * Brute-force search for the translation that best aligns the current edges with the reference's,
 * coarse to fine: every shift up to `maxShare` of the size on the coarse map (~80×45), then ±2 px
 * around the best few peaks and around zero on the fine map (~160×90). Chosen over phase correlation because it needs no
 * FFT, its cost is a few milliseconds at this size, and the correlation value doubles as a
 * "does the view still match at all" measure (rotation, zoom, a replaced camera).
 */
export function estimateShift(ref: EdgePyramid, cur: EdgePyramid, maxShare = 0.2): ShiftEstimate {
  const c = ref.coarse;
  const rx = Math.max(1, Math.ceil(c.width * maxShare));
  const ry = Math.max(1, Math.ceil(c.height * maxShare));
  // Keep the best few coarse peaks: under harsh tree shadows the coarse winner can be a spurious far
  // shift (seen on frames 170 and 350 of the UFPR05 timelapse), while the true peak is runner-up.
  const peaks: { dx: number; dy: number; r: number }[] = [];
  for (let dy = -ry; dy <= ry; dy++) {
    for (let dx = -rx; dx <= rx; dx++) {
      const r = correlationAt(c, cur.coarse, dx, dy);
      if (peaks.length < COARSE_PEAKS || r > peaks[peaks.length - 1]!.r) {
        peaks.push({ dx, dy, r });
        peaks.sort((a, b) => b.r - a.r);
        if (peaks.length > COARSE_PEAKS) peaks.pop();
      }
    }
  }
  const f = ref.fine;
  const sx = f.width / c.width;
  const sy = f.height / c.height;
  const seen = new Set<string>();
  let fine = { dx: 0, dy: 0, r: -Infinity };
  for (const peak of [{ dx: 0, dy: 0 }, ...peaks]) {
    const cx = Math.round(peak.dx * sx);
    const cy = Math.round(peak.dy * sy);
    for (let dy = cy - 2; dy <= cy + 2; dy++) {
      for (let dx = cx - 2; dx <= cx + 2; dx++) {
        const key = `${dx},${dy}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const r = correlationAt(f, cur.fine, dx, dy);
        if (r > fine.r) fine = { dx, dy, r };
      }
    }
  }
  // Sub-pixel: a parabola through the peak and its neighbours on each axis. A fine pixel is ~0.6 % of
  // the width, coarser than the tolerance is worth, so this makes the reported shift honest.
  const sub = (minus: number, plus: number) => {
    const denom = minus - 2 * fine.r + plus;
    return denom < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (minus - plus)) / denom)) : 0;
  };
  const ox = sub(correlationAt(f, cur.fine, fine.dx - 1, fine.dy), correlationAt(f, cur.fine, fine.dx + 1, fine.dy));
  const oy = sub(correlationAt(f, cur.fine, fine.dx, fine.dy - 1), correlationAt(f, cur.fine, fine.dx, fine.dy + 1));
  return {
    dx: (fine.dx + ox) / f.width,
    dy: (fine.dy + oy) / f.height,
    correlation: fine.r,
    correlationAtZero: correlationAt(f, cur.fine, 0, 0),
  };
}

/** Coarse candidates refined on the fine map, besides "no shift", which is always refined. */
const COARSE_PEAKS = 3;
