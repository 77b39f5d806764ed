import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeriodicTimer } from '../../kit/timer.ts';

const logs = () => {
  const lines: { err: unknown; msg: string }[] = [];
  return { lines, log: { error: (obj: { err: unknown }, msg: string) => lines.push({ err: obj.err, msg }) } };
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
