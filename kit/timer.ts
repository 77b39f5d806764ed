/** What a periodic timer needs to report a failed or skipped tick; pino's Logger fits. */
export interface TickLog {
  error(obj: { err: unknown }, msg: string): void;
  debug?(obj: { skipped: number }, msg: string): void;
}

export interface PeriodicOptions {
  /** Milliseconds between ticks. */
  everyMs: number;
  /** Names the job in the log line of a failed tick (`<name> failed`). */
  name: string;
  /** Where a throwing (or rejecting) tick is reported (console.error without one); the timer keeps running. */
  log?: TickLog;
  /** Tick once inside start(), before the first interval (purges that should not wait an hour). */
  immediate?: boolean;
  /**
   * Keep the process alive while the timer runs. Off by default: server housekeeping must never
   * hold a process open that has nothing else to do (tests, `volno db` commands).
   */
  keepAlive?: boolean;
}

/**
 * One periodic job with `start()`/`stop()`, both idempotent. A tick that throws, or returns a
 * promise that rejects, is logged and the next tick runs as planned: a housekeeping job never
 * crashes the process. Ticks never overlap: while a tick's promise is pending, the ticks that fall
 * due are skipped (counted in `skipped`, logged at debug), so a slow disk or SMTP server cannot pile
 * up concurrent runs of the same job. `setInterval` is looked up at start(), so Vitest's fake timers
 * drive it.
 */
export class PeriodicTimer {
  private timer: ReturnType<typeof setInterval> | undefined;
  private pending = false;
  /** Ticks skipped because the previous one had not settled yet. */
  skipped = 0;

  constructor(
    private readonly tick: () => unknown,
    private readonly o: PeriodicOptions,
  ) {}

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.run(), this.o.everyMs);
    if (this.o.keepAlive !== true) this.timer.unref();
    if (this.o.immediate === true) this.run();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One tick now, with the same error handling as a timed one; skipped while one is pending. */
  run(): void {
    if (this.pending) {
      this.skipped++;
      this.o.log?.debug?.({ skipped: this.skipped }, `${this.o.name} still running; tick skipped`);
      return;
    }
    try {
      const r = this.tick();
      if (r instanceof Promise) {
        this.pending = true;
        void r.catch((err: unknown) => this.failed(err)).finally(() => (this.pending = false));
      }
    } catch (err) {
      this.failed(err);
    }
  }

  private failed(err: unknown): void {
    if (this.o.log !== undefined) this.o.log.error({ err }, `${this.o.name} failed`);
    else console.error(`${this.o.name} failed`, err);
  }
}
