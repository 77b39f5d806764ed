import type { Logger } from 'pino';
import type { AvailabilityReader } from '../core/availability/reader.ts';
import type { Clock } from '../core/clock.ts';
import type { Aggregates } from '../core/storage/aggregates.ts';
import { PeriodicTimer } from '../../kit/timer.ts';

/** Samples every lot's counts into the hourly and daily aggregates every `intervalS`. */
export class AggregateSampler {
  private readonly timer: PeriodicTimer;

  constructor(
    private readonly availability: AvailabilityReader,
    private readonly aggregates: Aggregates,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly intervalS: number,
  ) {
    this.timer = new PeriodicTimer(() => this.tick(), { everyMs: intervalS * 1000, name: 'sampling aggregates', log });
  }

  start(): void {
    this.timer.start();
  }

  /** One sample now; lots without slots are skipped. Never throws. */
  async tick(): Promise<void> {
    try {
      const samples = (await this.availability.allAvailability())
        .filter((a) => a.total > 0)
        .map((a) => ({
          lotId: a.lot_id,
          counts: { free: a.free, occupied: a.occupied, unknown: a.unknown, reserved: a.reserved },
        }));
      if (samples.length > 0) await this.aggregates.record(samples, this.clock.now());
    } catch (err) {
      this.log.error({ err }, 'sampling aggregates failed');
    }
  }

  stop(): void {
    this.timer.stop();
  }
}
