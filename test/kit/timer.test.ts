import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeriodicTimer } from '../../kit/timer.ts';

const logs = () => {
  const lines: { err: unknown; msg: string }[] = [];
  const debug: { obj: object; msg: string }[] = [];
  return {
    lines,
    debug,
    log: {
      error: (obj: { err: unknown }, msg: string) => lines.push({ err: obj.err, msg }),
      debug: (obj: object, msg: string) => debug.push({ obj, msg }),
    },
  };
};

describe('PeriodicTimer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('ticks every interval between start and stop, and start and stop are idempotent', () => {
    const { log } = logs();
    let n = 0;
    const t = new PeriodicTimer(() => n++, { everyMs: 1000, name: 'job', log });
    t.start();
    t.start();
    vi.advanceTimersByTime(3500);
    expect(n).toBe(3);
    t.stop();
    t.stop();
    vi.advanceTimersByTime(5000);
    expect(n).toBe(3);
    expect(t.running).toBe(false);
  });

  it('ticks once at start with immediate, then on the interval', () => {
    const { log } = logs();
    let n = 0;
    const t = new PeriodicTimer(() => n++, { everyMs: 1000, name: 'job', log, immediate: true });
    t.start();
    expect(n).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(n).toBe(2);
    t.stop();
  });

  it('logs a throwing tick and a rejecting one, and keeps ticking', async () => {
    const { lines, log } = logs();
    let n = 0;
    const t = new PeriodicTimer(
      () => {
        n++;
        if (n === 1) throw new Error('sync boom');
        if (n === 2) return Promise.reject(new Error('async boom'));
        return undefined;
      },
      { everyMs: 1000, name: 'purge', log },
    );
    t.start();
    await vi.advanceTimersByTimeAsync(3000);
    t.stop();
    expect(n).toBe(3);
    expect(lines.map((l) => [l.msg, (l.err as Error).message])).toEqual([
      ['purge failed', 'sync boom'],
      ['purge failed', 'async boom'],
    ]);
  });

  it('skips a tick while the previous tick’s promise is pending, counts it, and ticks again once it settles', async () => {
    const { debug, lines, log } = logs();
    let started = 0;
    let finish: (() => void) | undefined;
    const t = new PeriodicTimer(
      () => {
        started++;
        return new Promise<void>((resolve) => (finish = resolve));
      },
      { everyMs: 1000, name: 'slow job', log },
    );
    t.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(started).toBe(1);
    // Three more intervals pass while the first tick is still running: none of them starts a tick.
    await vi.advanceTimersByTimeAsync(3000);
    expect(started).toBe(1);
    expect(t.skipped).toBe(3);
    expect(debug.map((d) => d.msg)).toEqual(Array(3).fill('slow job still running; tick skipped'));
    expect(debug[2]!.obj).toEqual({ skipped: 3 });
    finish!();
    await vi.advanceTimersByTimeAsync(1000);
    expect(started).toBe(2);
    t.stop();
    expect(lines).toEqual([]);
  });

  it('ticks again after a tick whose promise rejected', async () => {
    const { lines, log } = logs();
    let started = 0;
    const t = new PeriodicTimer(
      () => {
        started++;
        return Promise.reject(new Error('boom'));
      },
      { everyMs: 1000, name: 'job', log },
    );
    t.start();
    await vi.advanceTimersByTimeAsync(3000);
    t.stop();
    expect(started).toBe(3);
    expect(t.skipped).toBe(0);
    expect(lines).toHaveLength(3);
  });

  it('does not hold the process open unless asked to', () => {
    vi.useRealTimers();
    const spy = vi.spyOn(globalThis, 'setInterval');
    const quiet = new PeriodicTimer(() => undefined, { everyMs: 60_000, name: 'quiet' });
    const loud = new PeriodicTimer(() => undefined, { everyMs: 60_000, name: 'loud', keepAlive: true });
    quiet.start();
    loud.start();
    const [a, b] = spy.mock.results.map((r) => r.value as NodeJS.Timeout);
    expect(a!.hasRef()).toBe(false);
    expect(b!.hasRef()).toBe(true);
    quiet.stop();
    loud.stop();
    spy.mockRestore();
  });
});
