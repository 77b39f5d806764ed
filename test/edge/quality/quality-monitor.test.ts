import { beforeEach, describe, expect, it } from 'vitest';
import { copyLuma, LumaSampler } from '../../../edge/quality/luma.ts';
import { QualityMonitor, type QualitySettings } from '../../../edge/quality/quality-monitor.ts';
import type { RgbFrame } from '../../../edge/vision/types.ts';
import { blurFrame, imageFrame, mapFrame } from '../support/frames.ts';
import { labelledFrames } from '../support/ufpr05.ts';

const settings: QualitySettings = {
  darkLuma: 18,
  coveredStddev: 6,
  blurRatio: 0.3,
  blurMinEdge: 4,
  frozenMs: 60_000,
  confirmFrames: 2,
};
const sampler = new LumaSampler();
const grid = (f: RgbFrame) => copyLuma(sampler.sample(f));

let day: RgbFrame;
let other: RgbFrame;

describe('frame quality checks on real UFPR05 frames', () => {
  beforeEach(async (ctx) => {
    const frames = labelledFrames(ctx);
    day ??= await imageFrame(frames[0]!.path);
    other ??= await imageFrame(frames[1]!.path);
  });

  it('find an ordinary daylight frame usable', () => {
    const q = new QualityMonitor(settings);
    q.setReference(grid(day));
    expect(q.check(grid(other), 0)).toEqual({ usable: true });
  });

  it('call a frame darkened to night level too dark, after two frames in a row', () => {
    const q = new QualityMonitor(settings);
    const dark = grid(mapFrame(day, (v) => v * 0.12));
    expect(q.check(dark, 0).usable).toBe(true); // one odd frame changes nothing
    expect(q.check(dark, 1000)).toMatchObject({ usable: false, problem: 'too_dark' });
    expect(q.check(grid(day), 2000).usable).toBe(false);
    expect(q.check(grid(other), 3000).usable).toBe(true);
  });

  it('call a flat grey picture covered', () => {
    const q = new QualityMonitor({ ...settings, confirmFrames: 1 });
    expect(q.check(grid(mapFrame(day, () => 128)), 0)).toMatchObject({ usable: false, problem: 'covered' });
  });

  it('call a defocused frame blurred relative to the calibration reference, but not a sharp one', async () => {
    const q = new QualityMonitor({ ...settings, confirmFrames: 1 });
    q.setReference(grid(day));
    expect(q.check(grid(await blurFrame(other, 1.5)), 0).usable).toBe(true);
    expect(q.check(grid(await blurFrame(other, 8)), 1000)).toMatchObject({ usable: false, problem: 'blurred' });
  });

  it('call a bit-identical picture frozen only after frozen_s', () => {
    const q = new QualityMonitor({ ...settings, confirmFrames: 1, frozenMs: 10_000 });
    const g = grid(day);
    for (let t = 0; t < 10_000; t += 1000) expect(q.check(g, t).usable).toBe(true);
    expect(q.check(g, 10_000)).toMatchObject({ usable: false, problem: 'frozen' });
    expect(q.check(grid(other), 11_000).usable).toBe(true);
  });
});
