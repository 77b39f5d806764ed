/** Events per second over a sliding window, from a bounded ring of timestamps. */
export class RateMeter {
  private readonly times: Float64Array;
  private next = 0;
  private count = 0;

  constructor(
    private readonly windowMs = 10_000,
    capacity = 512,
  ) {
    this.times = new Float64Array(capacity);
  }

  mark(at: number): void {
    this.times[this.next] = at;
    this.next = (this.next + 1) % this.times.length;
    this.count = Math.min(this.count + 1, this.times.length);
  }

  /** Events per second in the window ending at `now`, from the span the window really covers. */
  rate(now: number): number {
    let n = 0;
    for (let i = 0; i < this.count; i++) if (now - this.times[i]! <= this.windowMs) n++;
    return Math.round((n / (this.windowMs / 1000)) * 100) / 100;
  }
}

/** The last N durations, for p50/p95 without keeping history. */
export class DurationSample {
  private readonly values: Float64Array;
  private next = 0;
  private count = 0;

  constructor(capacity = 256) {
    this.values = new Float64Array(capacity);
  }

  add(ms: number): void {
    this.values[this.next] = ms;
    this.next = (this.next + 1) % this.values.length;
    this.count = Math.min(this.count + 1, this.values.length);
  }

  percentile(p: number): number {
    if (this.count === 0) return 0;
    const sorted = Array.from(this.values.subarray(0, this.count)).sort((a, b) => a - b);
    const v = sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
    return Math.round(v * 100) / 100;
  }
}
