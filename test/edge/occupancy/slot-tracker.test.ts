import { describe, expect, it } from 'vitest';
import { SlotTracker } from '../../../edge/occupancy/slot-tracker.ts';

// Times are plain milliseconds: the tracker has no timers, callers pass capture times.
const s = (sec: number) => sec * 1000;
const timing = { enterMs: s(10), exitMs: s(30), continuityMs: s(120) };
const OCC = 0.9;
const FREE = 0.1;

/** Feeds one observation per second from `from` to `to` (inclusive) with probability `p`. */
function feed(t: SlotTracker, from: number, to: number, p: number): void {
  for (let sec = from; sec <= to; sec++) t.observe(s(sec), p, 0.5);
}

describe('the slot tracker', () => {
  it('starts unknown and never reports free by default', () => {
    const t = new SlotTracker('A1', timing, 0);
    expect(t.current).toMatchObject({ state: 'unknown', reason: 'starting', confidence: 0 });
    feed(t, 1, 30, FREE); // 29 s of free: one second short of the exit delay
    expect(t.current.state).toBe('unknown');
    t.observe(s(31), FREE, 0.5);
    expect(t.current).toMatchObject({ state: 'free', since: s(1) });
  });

  it('needs the enter delay to report occupied, and dates it from the first agreeing frame', () => {
    const t = new SlotTracker('A1', timing, 0);
    feed(t, 0, 30, FREE);
    feed(t, 40, 49, OCC);
    expect(t.current.state).toBe('free');
    expect(t.observe(s(50), OCC, 0.5)).toBe(true);
    expect(t.current).toMatchObject({ state: 'occupied', since: s(40), observedAt: s(50) });
  });

  it('keeps a parked car parked when it looks free for less than the exit delay (Frigate #10739)', () => {
    const t = new SlotTracker('A1', { ...timing, enterMs: 0 }, 0);
    feed(t, 0, 5, OCC);
    feed(t, 6, 20, FREE); // someone walks past, or the model flickers
    feed(t, 21, 25, OCC);
    expect(t.current).toMatchObject({ state: 'occupied', since: 0 });
    feed(t, 26, 56, FREE);
    expect(t.current).toMatchObject({ state: 'free', since: s(26) });
  });

  it('uses per-slot delays when they are set', () => {
    const t = new SlotTracker('A1', { enterMs: 0, exitMs: 0, continuityMs: 0 }, 0);
    t.observe(0, OCC, 0.5);
    expect(t.current.state).toBe('occupied');
    t.setTiming({ enterMs: 0, exitMs: s(5), continuityMs: 0 });
    feed(t, 1, 5, FREE);
    expect(t.current.state).toBe('occupied');
    t.observe(s(6), FREE, 0.5);
    expect(t.current.state).toBe('free');
  });

  it('goes unknown at once when the camera cannot see, and keeps the start of the unknown spell', () => {
    const t = new SlotTracker('A1', { ...timing, enterMs: 0 }, 0);
    t.observe(0, OCC, 0.5);
    expect(t.markUnknown(s(5), 'stream_down')).toBe(true);
    expect(t.current).toMatchObject({ state: 'unknown', reason: 'stream_down', since: s(5), confidence: 0 });
    expect(t.markUnknown(s(6), 'stream_down')).toBe(false);
    expect(t.markUnknown(s(7), 'too_dark')).toBe(true);
    expect(t.current).toMatchObject({ reason: 'too_dark', since: s(5) });
  });

  it('resumes the old state and its since after a short gap when the first new frame agrees', () => {
    const t = new SlotTracker('A1', { ...timing, enterMs: 0 }, 0);
    feed(t, 0, 10, OCC);
    t.markUnknown(s(11), 'stream_down');
    expect(t.observe(s(100), OCC, 0.5)).toBe(true); // 90 s after the last confirmation, under 120 s
    expect(t.current).toMatchObject({ state: 'occupied', since: 0, observedAt: s(100) });
  });

  it('does not resume after a gap longer than the continuity bound, or when the first frame disagrees', () => {
    const late = new SlotTracker('A1', { ...timing, enterMs: s(10) }, 0);
    feed(late, 0, 10, OCC);
    late.markUnknown(s(11), 'stream_down');
    late.observe(s(200), OCC, 0.5);
    expect(late.current).toMatchObject({ state: 'unknown', reason: 'low_confidence' });
    feed(late, 201, 210, OCC);
    expect(late.current).toMatchObject({ state: 'occupied', since: s(200) });

    const changed = new SlotTracker('A2', { ...timing, enterMs: 0 }, 0);
    feed(changed, 0, 10, OCC);
    changed.markUnknown(s(11), 'stream_down');
    changed.observe(s(20), FREE, 0.5);
    expect(changed.current.state).toBe('unknown');
  });

  it('resumes a spell restored from the state file only when the first frame agrees in time', () => {
    const restored = { state: 'occupied' as const, since: s(-3600), lastConfirmedAt: s(-30) };
    const agrees = new SlotTracker('A1', timing, 0, restored);
    agrees.observe(s(1), OCC, 0.5);
    expect(agrees.current).toMatchObject({ state: 'occupied', since: s(-3600) });

    const disagrees = new SlotTracker('A2', timing, 0, restored);
    disagrees.observe(s(1), FREE, 0.5);
    expect(disagrees.current).toMatchObject({ state: 'unknown' });
    feed(disagrees, 2, 31, FREE);
    expect(disagrees.current).toMatchObject({ state: 'free', since: s(1) });
  });

  it('smooths confidence over recent frames and reports 0 while unknown', () => {
    const t = new SlotTracker('A1', { enterMs: 0, exitMs: 0, continuityMs: 0 }, 0);
    t.observe(0, 0.9, 0.5);
    expect(t.current.confidence).toBe(0.9);
    t.observe(s(1), 0.7, 0.5);
    expect(t.current.confidence).toBe(0.8);
    t.markUnknown(s(2), 'blurred');
    expect(t.current.confidence).toBe(0);
  });
});
