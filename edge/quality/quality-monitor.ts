import { lumaStats, type LumaImage } from './luma.ts';

export type QualityProblem = 'too_dark' | 'covered' | 'blurred' | 'frozen';

export interface QualitySettings {
  darkLuma: number;
  coveredStddev: number;
  blurRatio: number;
  blurMinEdge: number;
  frozenMs: number;
  confirmFrames: number;
}

export interface QualityVerdict {
  usable: boolean;
  problem?: QualityProblem;
  detail?: string;
}

/** Exact repeats only: any live sensor adds noise, so an unchanged grid means a frozen encoder. */
const FROZEN_MEAN_ABS_DIFF = 0.05;

/**
 * Cheap per-frame checks on the luma grid, so a slot is never judged on a picture nobody could judge:
 * too dark (night, IR off), covered (one flat colour: tarp, snow, grey "no signal" screen), blurred
 * (edge energy far below the reference: fog, water on the lens, lost focus) and frozen (the same picture
 * for `frozenMs`: a hung encoder still streaming its last frame). Each verdict needs `confirmFrames`
 * frames in a row to change, so one odd frame neither blanks nor restores a camera.
 */
export class QualityMonitor {
  private referenceEdge: number | null = null;
  private previous: Float32Array | null = null;
  private unchangedSince: number | null = null;
  private verdict: QualityVerdict = { usable: true };
  private streak = 0;

  constructor(private readonly settings: QualitySettings) {}

  get current(): QualityVerdict {
    return this.verdict;
  }

  /** Edge energy of the calibration reference; blur is judged relative to it. */
  setReference(luma: LumaImage | null): void {
    this.referenceEdge = luma ? lumaStats(luma).edge : null;
  }

  /** Judges one frame, given its capture time, and returns the smoothed verdict. */
  check(luma: LumaImage, capturedAt: number): QualityVerdict {
    const raw = this.judge(luma, capturedAt);
    if (raw.usable === this.verdict.usable) {
      this.streak = 0;
      if (!raw.usable) this.verdict = raw; // refresh the reason and numbers
      return this.verdict;
    }
    this.streak++;
    if (this.streak >= this.settings.confirmFrames) {
      this.streak = 0;
      this.verdict = raw;
    }
    return this.verdict;
  }

  private judge(luma: LumaImage, at: number): QualityVerdict {
    const s = this.settings;
    const { mean, stddev, edge } = lumaStats(luma);
    const frozen = this.frozenFor(luma, at);
    if (mean < s.darkLuma)
      return { usable: false, problem: 'too_dark', detail: `too dark (mean luma ${mean.toFixed(0)} < ${s.darkLuma})` };
    if (stddev < s.coveredStddev)
      return {
        usable: false,
        problem: 'covered',
        detail: `one flat picture (luma spread ${stddev.toFixed(1)} < ${s.coveredStddev}); covered or no signal`,
      };
    const floor = this.referenceEdge === null ? s.blurMinEdge : this.referenceEdge * s.blurRatio;
    if (edge < floor)
      return {
        usable: false,
        problem: 'blurred',
        detail: `blurred (edge energy ${edge.toFixed(1)} < ${floor.toFixed(1)})`,
      };
    if (frozen >= s.frozenMs)
      return { usable: false, problem: 'frozen', detail: `picture unchanged for ${Math.round(frozen / 1000)} s` };
    return { usable: true };
  }

  /** How long the picture has been exactly the same, in ms. */
  private frozenFor(luma: LumaImage, at: number): number {
    const prev = this.previous;
    let same = false;
    if (prev && prev.length === luma.data.length) {
      let diff = 0;
      for (let i = 0; i < prev.length; i++) diff += Math.abs(prev[i]! - luma.data[i]!);
      same = diff / prev.length < FROZEN_MEAN_ABS_DIFF;
    }
    if (!prev || prev.length !== luma.data.length) this.previous = new Float32Array(luma.data.length);
    this.previous!.set(luma.data);
    if (!same) {
      this.unchangedSince = at;
      return 0;
    }
    this.unchangedSince ??= at;
    return at - this.unchangedSince;
  }
}
