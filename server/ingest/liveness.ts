import type { Clock } from '../core/clock.ts';
import type { IngestWriter } from './writer.ts';

/**
 * Looks for silent agents every `intervalS`: the check itself runs in the writer's queue, after
 * the messages that arrived before it, so a message and the sweep never race.
 */
export class LivenessSweeper {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly writer: IngestWriter,
    private readonly clock: Clock,
    private readonly intervalS: number,
  ) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.tick(), this.intervalS * 1000);
    this.timer.unref();
  }

  /** One sweep now; tests call this with an injected clock. */
  tick(): void {
    this.writer.enqueue({ type: 'sweep', now: this.clock.now() });
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
