// A frame judged after the camera was marked unknown but captured before it: found by the
// whole-system fault tests (test/system/agent-broker-faults.test.ts), where an agent resumed after
// SIGSTOP published such frames with an older observation time than its `stale_frame` report, so
// the server ignored them and kept the slots unknown.
import { describe, expect, it } from 'vitest';
import { SlotTracker } from '../../../edge/occupancy/slot-tracker.ts';

const timing = { enterMs: 0, exitMs: 0, continuityMs: 120_000 };

describe('a frame older than the slot’s last report', () => {
  it('is ignored, and the next frame brings the old state back with a newer observation time', () => {
    const t = new SlotTracker('A1', timing, 0);
    expect(t.observe(1000, 0.1, 0.5)).toBe(true);
    expect(t.markUnknown(10_000, 'stale_frame')).toBe(true);
    expect(t.observe(9000, 0.1, 0.5)).toBe(false);
    expect(t.current).toMatchObject({ state: 'unknown', reason: 'stale_frame', observedAt: 10_000 });
    expect(t.observe(11_000, 0.1, 0.5)).toBe(true);
    expect(t.current).toMatchObject({ state: 'free', since: 1000, observedAt: 11_000 });
  });
});
