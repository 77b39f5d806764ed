import { beforeEach, describe, expect, it } from 'vitest';
import { copyLuma, LumaSampler, type LumaImage } from '../../../edge/quality/luma.ts';
import { edgePyramid, estimateShift } from '../../../edge/shift/estimate-shift.ts';
import { judgeShift, ShiftMonitor } from '../../../edge/shift/shift-monitor.ts';
import { requireDataset } from '../../support/datasets.ts';
import { cropFrame, videoFrameAt } from '../support/frames.ts';
import { UFPR05_VIDEO } from '../support/ufpr05.ts';

// Frames across the timelapse: different days, sun, harsh tree shadows (170, 350), dusk (650).
const INDICES = [0, 130, 170, 350, 500, 650, 730];
const settings = { tolerance: 0.02, minCorrelation: 0.15, confirmChecks: 3 };
const sampler = new LumaSampler();

let still: LumaImage[];
let moved: LumaImage[];

describe('camera-shift detection on the UFPR05 timelapse, shifted with ffmpeg', () => {
  beforeEach(async (ctx) => {
    const video = requireDataset(ctx, UFPR05_VIDEO);
    if (still) return; // decoded once for the file
    // The "camera" sees a 1200x680 window; moving it 40 px right and 20 px down is a knocked camera.
    const frames = await Promise.all(INDICES.map((n) => videoFrameAt(video, n, 2, 1280, 720)));
    still = frames.map((f) => copyLuma(sampler.sample(cropFrame(f, 40, 20, 1200, 680))));
    moved = frames.map((f) => copyLuma(sampler.sample(cropFrame(f, 80, 40, 1200, 680))));
  });

  it('finds no shift between the reference and the same view on other days, in any light', () => {
    const ref = edgePyramid(still[0]!);
    for (const [i, luma] of still.entries()) {
      const e = estimateShift(ref, edgePyramid(luma));
      expect(judgeShift(e, settings), `frame ${INDICES[i]}`).toMatchObject({ moved: false });
    }
  });

  it('measures the translation of a moved view: content 3.3% left and 2.9% up', () => {
    const e = estimateShift(edgePyramid(still[0]!), edgePyramid(moved[0]!));
    expect(Math.abs(e.dx - -40 / 1200)).toBeLessThan(0.004);
    expect(Math.abs(e.dy - -20 / 680)).toBeLessThan(0.004);
    expect(judgeShift(e, settings).detail).toMatch(/^view shifted 3\.\d% left, [23]\.\d% up \(edge match 0\.\d\d\)$/);
  });

  it('flags the moved view on every day of the timelapse', () => {
    const ref = edgePyramid(still[0]!);
    for (const [i, luma] of moved.entries()) {
      expect(judgeShift(estimateShift(ref, edgePyramid(luma)), settings).moved, `frame ${INDICES[i]}`).toBe(true);
    }
  });

  it('needs confirm_checks agreeing checks to set camera_moved and to clear it', () => {
    const m = new ShiftMonitor(settings);
    m.setReference(still[0]!);
    expect(m.check(moved[1]!).moved).toBe(false);
    expect(m.check(still[1]!).moved).toBe(false); // the streak restarts
    m.check(moved[1]!);
    m.check(moved[4]!);
    expect(m.check(moved[5]!)).toMatchObject({ moved: true, detail: expect.stringContaining('view shifted') });
    m.check(still[4]!);
    m.check(still[5]!);
    expect(m.check(still[6]!).moved).toBe(false);
  });
});
