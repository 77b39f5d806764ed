import { describe, expect, it } from 'vitest';
import { SlotTracker } from '../../../edge/occupancy/slot-tracker.ts';

const s = (sec: number) => sec * 1000;
const timing = { enterMs: s(10), exitMs: s(30), continuityMs: s(120) };
const band = { low: 0.25, high: 0.75 };

function feed(t: SlotTracker, from: number, to: number, p: number): void {
  for (let sec = from; sec <= to; sec++) t.observe(s(sec), p, 0.5, band);
}

describe('the uncertain band', () => {
  it('turns a slot the model keeps being unsure about into unknown "uncertain", not a coin toss', () => {
    const t = new SlotTracker('A1', timing, 0);
    feed(t, 0, 31, 0.05);
    expect(t.current.state).toBe('free');
    feed(t, 32, 61, 0.6); // unsure for 29 s: the longer delay (30 s) has not passed
    expect(t.current).toMatchObject({ state: 'free', observedAt: s(61) });
    t.observe(s(62), 0.6, 0.5, band);
    expect(t.current).toMatchObject({ state: 'unknown', reason: 'uncertain' });
  });

  it('returns to the known state when the model is sure again', () => {
    const t = new SlotTracker('A1', timing, 0);
    feed(t, 0, 31, 0.95);
    feed(t, 32, 70, 0.5);
    expect(t.current.reason).toBe('uncertain');
    feed(t, 71, 75, 0.97);
    expect(t.current).toMatchObject({ state: 'occupied', since: 0 });
  });

  it('lets a real change pass through the band without going unknown', () => {
    const t = new SlotTracker('A1', timing, 0);
    feed(t, 0, 31, 0.05);
    feed(t, 32, 33, 0.5); // a car rolling in: a few unsure frames
    feed(t, 34, 50, 0.95);
    expect(t.current).toMatchObject({ state: 'occupied' });
    expect(t.current.reason).toBeUndefined();
  });

  it('changes nothing without a band', () => {
    const t = new SlotTracker('A1', timing, 0);
    for (let sec = 0; sec <= 100; sec++) t.observe(s(sec), 0.55, 0.5);
    expect(t.current.state).toBe('occupied');
  });
});
