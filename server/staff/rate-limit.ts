import type { Clock } from '../core/clock.ts';

/**
 * A sliding-window counter of failures per key (a username, a client address). Each key keeps the
 * times of its failures inside the window, so a burst cannot be timed across a fixed window's edge.
 * Keys are bounded: past `maxKeys` the least recently failed key is forgotten, so a flood of random
 * usernames cannot grow memory without limit.
 */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly opts: { windowMs: number; max: number; maxKeys?: number },
  ) {}

  /** Milliseconds until `key` may try again, or 0 when it may now. */
  retryAfterMs(key: string): number {
    const times = this.live(key);
    if (times.length < this.opts.max) return 0;
    // The oldest failure that keeps the count at the limit has to leave the window.
    return times[times.length - this.opts.max]! + this.opts.windowMs - this.clock.now();
  }

  /** Counts one attempt (before checking it, so parallel guesses count too). */
  fail(key: string): void {
    const times = this.live(key);
    times.push(this.clock.now());
    // Re-insert so Map order is least recently failed first.
    this.hits.delete(key);
    this.hits.set(key, times);
    const maxKeys = this.opts.maxKeys ?? 10_000;
    while (this.hits.size > maxKeys) this.hits.delete(this.hits.keys().next().value!);
  }

  /** Takes back the latest attempt (it was counted up front, and it turned out to succeed). */
  undo(key: string): void {
    const times = this.hits.get(key);
    times?.pop();
    if (times?.length === 0) this.hits.delete(key);
  }

  /** A success clears the key (a user who finally typed it right is not punished for the typos). */
  reset(key: string): void {
    this.hits.delete(key);
  }

  private live(key: string): number[] {
    const times = this.hits.get(key);
    if (times === undefined) return [];
    const from = this.clock.now() - this.opts.windowMs;
    let i = 0;
    while (i < times.length && times[i]! <= from) i++;
    if (i > 0) times.splice(0, i);
    if (times.length === 0) this.hits.delete(key);
    return times;
  }
}
