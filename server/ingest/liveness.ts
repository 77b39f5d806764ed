import type { Clock } from '../core/clock.ts';
import type { IngestWriter } from './writer.ts';
import { PeriodicTimer } from '../../kit/timer.ts';

/**
 * Looks for silent agents every `intervalS`: the check itself runs in the writer's queue, after
 * the messages that arrived before it, so a message and the sweep never race.
 */
export class LivenessSweeper {
  private readonly timer: PeriodicTimer;

  constructor(
    private readonly writer: IngestWriter,
    private readonly clock: Clock,
    private readonly intervalS: number,
  ) {
    this.timer = new PeriodicTimer(() => this.tick(), { everyMs: intervalS * 1000, name: 'liveness sweep' });
  }

  start(): void {
    this.timer.start();
  }

  /** One sweep now; tests call this with an injected clock. */
  tick(): void {
    this.writer.enqueue({ type: 'sweep', now: this.clock.now() });
  }

  stop(): void {
    this.timer.stop();
  }
}
