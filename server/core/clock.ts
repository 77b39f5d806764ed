/**
 * Time source for everything time-based (TTLs, freshness, aggregates, retention), injected so that
 * tests can drive it without sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock the caller moves by hand; for tests and benchmarks. */
export class ManualClock implements Clock {
  constructor(private ms: number = Date.parse('2026-11-30T08:00:00.000Z')) {}
  now(): number {
    return this.ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}
