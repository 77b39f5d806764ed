import type { LumaImage } from '../quality/luma.ts';
import { edgePyramid, estimateShift, type EdgePyramid, type ShiftEstimate } from './estimate-shift.ts';

export interface ShiftSettings {
  /** Largest |dx| or |dy| (share of width/height) still treated as not moved. */
  tolerance: number;
  /** Below this correlation at the best shift the view no longer matches at all. */
  minCorrelation: number;
  /** Consecutive checks needed to set, and to clear, `moved`. */
  confirmChecks: number;
}

export interface ShiftVerdict {
  moved: boolean;
  /** Short reason for staff, e.g. "view shifted 3.3% left, 2.9% up (edge match 0.74)". */
  detail?: string;
  last?: ShiftEstimate;
}

/**
 * A best shift must also beat "no shift" by this much, so a flat correlation surface (fog, a frame full
 * of shadow edges) cannot win on noise.
 */
const MIN_GAIN = 0.05;

/** Judges one estimate against the settings. Exported for tests. */
export function judgeShift(e: ShiftEstimate, s: ShiftSettings): { moved: boolean; detail: string } {
  const pct = (v: number) => `${(Math.abs(v) * 100).toFixed(1)}%`;
  const match = `edge match ${e.correlation.toFixed(2)}`;
  if (e.correlation < s.minCorrelation) {
    return { moved: true, detail: `view no longer matches the calibration reference (${match})` };
  }
  const beyond = Math.abs(e.dx) > s.tolerance || Math.abs(e.dy) > s.tolerance;
  if (beyond && e.correlation - e.correlationAtZero >= MIN_GAIN) {
    const h = e.dx === 0 ? '' : `${pct(e.dx)} ${e.dx > 0 ? 'right' : 'left'}`;
    const v = e.dy === 0 ? '' : `${pct(e.dy)} ${e.dy > 0 ? 'down' : 'up'}`;
    return { moved: true, detail: `view shifted ${[h, v].filter(Boolean).join(', ')} (${match})` };
  }
  return { moved: false, detail: `aligned (${match})` };
}

/**
 * Camera-shift detection against a reference view, with hysteresis: a bus parked across the frame
 * or one odd frame cannot flip the verdict, only `confirmChecks` agreeing checks in a row can.
 */
export class ShiftMonitor {
  private reference: EdgePyramid | null = null;
  private referenceSize = { width: 0, height: 0 };
  private verdict: ShiftVerdict = { moved: false };
  private streak = 0;

  constructor(private settings: ShiftSettings) {}

  get hasReference(): boolean {
    return this.reference !== null;
  }

  get current(): ShiftVerdict {
    return this.verdict;
  }

  /** Replaces the reference (new calibration) and forgets the old verdict. */
  setReference(luma: LumaImage | null): void {
    this.reference = luma ? edgePyramid(luma) : null;
    this.referenceSize = { width: luma?.width ?? 0, height: luma?.height ?? 0 };
    this.verdict = { moved: false };
    this.streak = 0;
  }

  /** Compares one usable frame's luma grid with the reference and returns the (smoothed) verdict. */
  check(luma: LumaImage): ShiftVerdict {
    if (!this.reference) return this.verdict;
    if (luma.width !== this.referenceSize.width || luma.height !== this.referenceSize.height) {
      return this.verdict; // a reference of another shape: the calibration check reports that
    }
    const estimate = estimateShift(this.reference, edgePyramid(luma));
    const judged = judgeShift(estimate, this.settings);
    if (judged.moved === this.verdict.moved) {
      this.streak = 0;
      this.verdict = { ...this.verdict, last: estimate, ...(judged.moved && { detail: judged.detail }) };
      return this.verdict;
    }
    this.streak++;
    if (this.streak >= this.settings.confirmChecks) {
      this.streak = 0;
      this.verdict = { moved: judged.moved, detail: judged.detail, last: estimate };
    } else {
      this.verdict = { ...this.verdict, last: estimate };
    }
    return this.verdict;
  }
}
