import { describe, expect, it } from 'vitest';
import { SlidingWindowLimiter } from '../../../server/staff/rate-limit.ts';
import { ManualClock } from '../../../server/core/clock.ts';

const setup = (max = 3, windowMs = 60_000, maxKeys?: number) => {
  const clock = new ManualClock(0);
  return { clock, limiter: new SlidingWindowLimiter(clock, { windowMs, max, ...(maxKeys ? { maxKeys } : {}) }) };
};

describe('the sliding-window login limiter', () => {
  it('allows max attempts and then refuses until the oldest one leaves the window', () => {
    const { clock, limiter } = setup();
    for (const t of [0, 10_000, 20_000]) {
      clock.set(t);
      expect(limiter.retryAfterMs('user:a')).toBe(0);
      limiter.fail('user:a');
    }
    expect(limiter.retryAfterMs('user:a')).toBe(40_000);
    clock.set(59_999);
    expect(limiter.retryAfterMs('user:a')).toBe(1);
    clock.set(60_000);
    expect(limiter.retryAfterMs('user:a')).toBe(0);
    limiter.fail('user:a');
    // 10 s, 20 s and 60 s are in the window now: the next opening is when 10 s leaves it.
    expect(limiter.retryAfterMs('user:a')).toBe(10_000);
  });

  it('slides rather than resetting at a fixed edge, so a burst cannot straddle two windows', () => {
    const { clock, limiter } = setup(3, 60_000);
    clock.set(59_000);
    limiter.fail('k');
    limiter.fail('k');
    limiter.fail('k');
    clock.set(61_000); // a fixed window starting at 60 s would allow three more here
    expect(limiter.retryAfterMs('k')).toBe(58_000);
  });

  it('keeps keys apart, forgets a key on success and takes back an attempt on undo', () => {
    const { limiter } = setup(2);
    limiter.fail('a');
    limiter.fail('a');
    expect(limiter.retryAfterMs('a')).toBeGreaterThan(0);
    expect(limiter.retryAfterMs('b')).toBe(0);
    limiter.reset('a');
    expect(limiter.retryAfterMs('a')).toBe(0);
    limiter.fail('b');
    limiter.fail('b');
    limiter.undo('b');
    expect(limiter.retryAfterMs('b')).toBe(0);
  });

  it('bounds its memory: past maxKeys the least recently failed key is forgotten', () => {
    const { limiter } = setup(1, 60_000, 3);
    for (const k of ['a', 'b', 'c']) limiter.fail(k);
    limiter.fail('a'); // a is now the most recent
    limiter.fail('d'); // evicts b
    expect(limiter.retryAfterMs('b')).toBe(0);
    for (const k of ['a', 'c', 'd']) expect(limiter.retryAfterMs(k), k).toBeGreaterThan(0);
  });
});
